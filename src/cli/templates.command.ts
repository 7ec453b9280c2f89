import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { Config } from '../config/config.js';
import {
  availableLocales,
  CHANNEL_PARTS,
  createTemplateCatalog,
  previewTemplate,
  sampleContext,
  SHIPPED_LOCALES,
  SHIPPED_TEMPLATES,
  TemplateError,
  TemplateValidationError,
  validateCatalog,
  type Channel,
  type RenderedMessage,
  type TemplateCatalog,
} from '../templates/index.js';
import type { CommandContext } from './main.js';


const CHANNELS = Object.keys(CHANNEL_PARTS) as Channel[];

/** The configured business as templates see it; the same sign-off as `src/app/services.ts` sends. */

/** Shipped templates plus the configured overrides; a misplaced or unparsable file throws. */
function loadCatalog(config: Config): TemplateCatalog {
  return createTemplateCatalog(config.templatesDir ? { overrideDir: config.templatesDir } : {});
}

/** Template problems are the operator's to fix: print them plainly and fail, no stack trace. */
function reportingTemplateErrors<A extends unknown[]>(action: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      action(...args);
    } catch (error) {
      if (!(error instanceof TemplateError || error instanceof TemplateValidationError)) throw error;
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
    }
  };
}

function describe(message: RenderedMessage, templateId: string, requestedLocale: string, smsSegmentLimit: number): string {
  const asked = message.locale === requestedLocale ? '' : ` (asked for ${requestedLocale})`;
  const header = `# ${templateId} · ${message.channel} · ${message.locale}${asked}`;
  switch (message.channel) {
    case 'email':
      return `${header}\nSubject: ${message.subject}\n\n${message.text}\n`;
    case 'sms': {
      const over = message.segments > smsSegmentLimit ? ` — over the limit of ${smsSegmentLimit}` : '';
      return `${header}\nSMS: ${message.segments} segment(s), ${message.encoding}${over}\n\n${message.body}\n`;
    }
    case 'task':
      return `${header}\nTitle: ${message.title}\n\n${message.body}\n`;
  }
}

interface PreviewOptions {
  locale: string;
  channel?: Channel;
  out?: string;
}

function preview(config: Config, templateId: string, options: PreviewOptions): void {
  const catalog = loadCatalog(config);
  const context = { ...sampleContext(templateId, { locale: options.locale }), company: config.company };
  const { message } = previewTemplate(catalog, { templateId, locale: options.locale, context, ...(options.channel && { channel: options.channel }) });
  const printed = describe(message, templateId, options.locale, config.sms.segmentLimit);
  process.stdout.write(printed);
  if (options.out) {
    const file = resolve(options.out);
    writeFileSync(file, message.channel === 'email' ? `${message.html}\n` : printed);
    process.stdout.write(`\n(${message.channel === 'email' ? 'HTML part' : 'preview'} written to ${file})\n`);
  } else if (message.channel === 'email') {
    process.stdout.write('\n(HTML part not shown; --out <file> writes it)\n');
  }
}

function check(config: Config): void {
  const catalog = loadCatalog(config);
  validateCatalog(catalog, { smsSegmentLimit: config.sms.segmentLimit, company: config.company });
  const overrides = config.templatesDir ? `, overrides from ${config.templatesDir}` : '';
  process.stdout.write(`OK: ${catalog.messages.size} templates render in every locale (SMS limit ${config.sms.segmentLimit} segments${overrides})\n`);
}

// Shipped ids in manifest order, then any an override folder added; locales likewise.
function byManifest<T extends string>(values: Iterable<T>, order: readonly string[]): T[] {
  const rank = (value: string) => (order.includes(value) ? order.indexOf(value) : order.length);
  return [...values].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function list(config: Config): void {
  const catalog = loadCatalog(config);
  const ids = byManifest(catalog.messages.keys(), SHIPPED_TEMPLATES.map(({ id }) => id));
  const rows = ids.flatMap((id) =>
    CHANNELS.map((channel) => {
      const locales = byManifest(availableLocales(catalog, id, channel), SHIPPED_LOCALES);
      const overridden = (locale: string) =>
        CHANNEL_PARTS[channel].some((part) => catalog.messages.get(id)?.get(locale)?.get(part)?.overridden);
      return [id, channel, locales.map((locale) => (overridden(locale) ? `${locale}*` : locale)).join(', ')] as const;
    }).filter(([, , locales]) => locales !== ''),
  );
  const header = ['TEMPLATE', 'CHANNEL', 'LOCALES'] as const;
  const width = (column: 0 | 1) => Math.max(...[header, ...rows].map((row) => row[column].length));
  const line = (row: readonly string[]) => `${row[0]!.padEnd(width(0))}  ${row[1]!.padEnd(width(1))}  ${row[2]}`.trimEnd();
  process.stdout.write([header, ...rows].map(line).join('\n') + '\n');
  if (rows.some(([, , locales]) => locales.includes('*'))) {
    process.stdout.write(`\n* has files from ${config.templatesDir}\n`);
  }
}

/** `arrears templates preview|check|list`: config and template files only, no database or Redis. */
export function registerTemplatesCommand(program: Command, context: CommandContext): void {
  const templates = program
    .command('templates')
    .description('Review the message templates: preview one with sample data, check them all, list them.');

  templates
    .command('preview')
    .description(
      'Render a template with sample invoices and your configured company details and overrides ' +
        '(TEMPLATES_DIR), to review its wording before enabling a policy.',
    )
    .argument('<templateId>', 'e.g. default/overdue-7 (see `arrears templates list`)')
    .requiredOption('--locale <locale>', "the customer's locale, e.g. ro or zh-TW (falls back like a real send)")
    .addOption(new Option('--channel <channel>', 'default: email when the template has it').choices(CHANNELS))
    .option('--out <file>', 'write the HTML part of an email (or the printed SMS/task) to this file')
    .action(reportingTemplateErrors((templateId: string, options: PreviewOptions) => preview(context.config(), templateId, options)));

  templates
    .command('check')
    .description(
      'Render every template in every locale and channel against sample data, with your overrides, ' +
        'company details and SMS_SEGMENT_LIMIT; print OK or every problem (exit 1).',
    )
    .action(reportingTemplateErrors(() => check(context.config())));

  templates
    .command('list')
    .description('List template ids with their channels and locales (* = overridden from TEMPLATES_DIR).')
    .action(reportingTemplateErrors(() => list(context.config())));
}
