import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { registerHelpers, type RenderData } from './helpers.js';
import { pickLocale } from './locale.js';
import { CHANNEL_PARTS, isHtmlPart, type TemplatePart } from './manifest.js';
import { asTemplateError, TemplateError } from './template-error.js';

/** The folder the product's own templates live in (`messages/` and `partials/` below it). */
export const SHIPPED_TEMPLATE_DIR = fileURLToPath(new URL('.', import.meta.url));

/** HTML partials are escaped, text partials are not; a template only ever sees its own flavour. */
export type PartialFlavor = 'html' | 'text';

/** A compiled template that reports failures against its own file. */
export type CompiledTemplate = (context: unknown, data: RenderData, partials: PartialSet) => string;

/** Partials by name, as Handlebars takes them at render time. */
export type PartialSet = Record<string, Handlebars.TemplateDelegate>;

/** One message file, compiled. */
export interface TemplateFile {
  /** Absolute path, the override's when one replaced the shipped file. */
  path: string;
  overridden: boolean;
  render: CompiledTemplate;
}

/** All templates and partials, compiled once at start; see `createTemplateCatalog`. */
export interface TemplateCatalog {
  /** templateId → locale → part → file. */
  readonly messages: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<TemplatePart, TemplateFile>>>;
  /** The shipped folder, where a missing shipped file is expected. */
  readonly shippedDir: string;
  /** Partials for a template locale, falling back like messages do. */
  partials(locale: string, flavor: PartialFlavor): PartialSet;
}

/** Where templates come from. */
export interface CatalogOptions {
  /** A business's folder of replacement files, mirroring the shipped layout; from config. */
  overrideDir?: string;
  /** The product's templates; tests point elsewhere. */
  shippedDir?: string;
}

interface SourceFile {
  path: string;
  overridden: boolean;
}

// Partials without words (layouts, totals) live once, under every locale's own.
const SHARED_PARTIALS = '_shared';

const PARTS = new Set<string>(Object.values(CHANNEL_PARTS).flat());

function listHbs(root: string): string[] {
  try {
    if (!statSync(root).isDirectory()) return [];
  } catch {
    return [];
  }
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((relative) => relative.endsWith('.hbs'))
    .map((relative) => relative.split(sep).join('/'));
}

/** Relative path → file, the override's taking the place of the shipped one. */
function collectSources(folder: string, options: Required<Pick<CatalogOptions, 'shippedDir'>> & CatalogOptions) {
  const sources = new Map<string, SourceFile>();
  const roots = [{ root: options.shippedDir, overridden: false }];
  if (options.overrideDir) roots.push({ root: options.overrideDir, overridden: true });
  for (const { root, overridden } of roots) {
    for (const relative of listHbs(join(root, folder))) {
      sources.set(relative, { path: join(root, folder, relative), overridden });
    }
  }
  return sources;
}

function compileDelegate(env: typeof Handlebars, path: string, escape: boolean, inline = false): Handlebars.TemplateDelegate {
  const file = readFileSync(path, 'utf8');
  // Editors end files with a newline; an inline phrase ("{{> total-due}}.") must not carry it.
  const source = inline ? file.replace(/\r?\n$/, '') : file;
  try {
    env.parse(source);
  } catch (error) {
    throw new TemplateError(path, `syntax error: ${asTemplateError(path, error).problem}`);
  }
  // strict: a variable missing from the context throws instead of rendering as blank.
  return env.compile(source, { strict: true, noEscape: !escape });
}

function compile(env: typeof Handlebars, path: string, escape: boolean): CompiledTemplate {
  const template = compileDelegate(env, path, escape);
  return (context, data, partials) => {
    try {
      return template(context, { data, partials });
    } catch (error) {
      throw asTemplateError(path, error);
    }
  };
}

/**
 * A partial as Handlebars invokes it: with the calling template's options (`partial: true`), so
 * it shares that render's helpers and data instead of setting up a render of its own (a top-level
 * call wraps every helper anew: most of a partial's cost, and partials run many times a message).
 */
function compilePartial(env: typeof Handlebars, path: string, escape: boolean, inline: boolean): Handlebars.TemplateDelegate {
  const template = compileDelegate(env, path, escape, inline);
  return ((context: unknown, options: Handlebars.RuntimeOptions) => {
    try {
      return template(context, options);
    } catch (error) {
      throw asTemplateError(path, error);
    }
  }) as Handlebars.TemplateDelegate;
}

function loadMessages(env: typeof Handlebars, sources: Map<string, SourceFile>) {
  const messages = new Map<string, Map<string, Map<TemplatePart, TemplateFile>>>();
  for (const [relative, source] of sources) {
    const segments = relative.split('/');
    const part = segments.pop()!.replace(/\.hbs$/, '');
    const locale = segments.pop();
    if (!PARTS.has(part) || !locale || segments.length === 0) {
      throw new TemplateError(source.path, `expected messages/<template id>/<locale>/<${[...PARTS].join('|')}>.hbs`);
    }
    const id = segments.join('/');
    const byLocale = messages.get(id) ?? new Map<string, Map<TemplatePart, TemplateFile>>();
    const byPart = byLocale.get(locale) ?? new Map<TemplatePart, TemplateFile>();
    const templatePart = part as TemplatePart;
    byPart.set(templatePart, { ...source, render: compile(env, source.path, isHtmlPart(templatePart)) });
    byLocale.set(locale, byPart);
    messages.set(id, byLocale);
  }
  return messages;
}

function loadPartials(env: typeof Handlebars, sources: Map<string, SourceFile>) {
  const partials = new Map<string, Record<PartialFlavor, PartialSet>>();
  for (const [relative, source] of sources) {
    const match = /^([^/]+)\/([^/.]+)(?:\.(html|text))?\.hbs$/.exec(relative);
    if (!match) throw new TemplateError(source.path, 'expected partials/<locale>/<name>[.html|.text].hbs');
    const [, locale, name, only] = match as unknown as [string, string, string, PartialFlavor | undefined];
    const sets = partials.get(locale) ?? { html: {}, text: {} };
    // `<name>.hbs` is a phrase used inside sentences, alike in HTML and text; `<name>.html.hbs`
    // and `<name>.text.hbs` are blocks on their own lines.
    for (const flavor of only ? [only] : (['html', 'text'] as const)) {
      sets[flavor][name] = compilePartial(env, source.path, flavor === 'html', !only);
    }
    partials.set(locale, sets);
  }
  return partials;
}

/**
 * Reads every template and partial under the shipped folder, lets same-path files in
 * `overrideDir` replace them, and compiles them with the formatting helpers. Throws a
 * `TemplateError` naming the file for a misplaced file or a syntax error; run
 * `validateCatalog` next to prove every template renders.
 */
export function createTemplateCatalog(options: CatalogOptions = {}): TemplateCatalog {
  const resolved = { ...options, shippedDir: options.shippedDir ?? SHIPPED_TEMPLATE_DIR };
  const env = Handlebars.create();
  registerHelpers(env);
  const messages = loadMessages(env, collectSources('messages', resolved));
  const partials = loadPartials(env, collectSources('partials', resolved));
  const shared = partials.get(SHARED_PARTIALS);
  const partialLocales = [...partials.keys()].filter((locale) => locale !== SHARED_PARTIALS);
  // Each locale's set with the shared partials under it, built once: every message file asks.
  const sets = new Map<string, Record<PartialFlavor, PartialSet>>();
  for (const locale of partialLocales) {
    const own = partials.get(locale)!;
    sets.set(locale, { html: Object.freeze({ ...shared?.html, ...own.html }), text: Object.freeze({ ...shared?.text, ...own.text }) });
  }
  const sharedOnly = { html: Object.freeze({ ...shared?.html }), text: Object.freeze({ ...shared?.text }) };
  return {
    messages,
    shippedDir: resolved.shippedDir,
    partials(locale, flavor) {
      return (sets.get(locale) ?? sets.get(pickLocale(locale, partialLocales)) ?? sharedOnly)[flavor];
    },
  };
}
