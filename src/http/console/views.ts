import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import { toMajorString } from '../../core/money.js';

// The console's server-rendered pages: Handlebars templates under ./views (not src/templates,
// which holds customer messages), compiled once at start, HTML-escaped by default, wrapped in
// one layout. No client-side script at all: every action is a plain form.

const VIEWS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views');

export interface LayoutContext {
  title: string;
  user?: { name: string; role: string; isManager: boolean; isAdmin: boolean } | null;
  csrf?: string;
  nav?: string;
  flash?: { message: string; error?: boolean } | null;
  narrow?: boolean;
  /** The zone `{{datetime}}` shows instants in: the signed-in user's, else TICK_TZ. */
  readerZone?: string;
}

export interface Views {
  render(view: string, context: LayoutContext & Record<string, unknown>): string;
}

export function createViews(): Views {
  const hbs = Handlebars.create();
  hbs.registerHelper('money', (minor: unknown, currency: unknown) =>
    minor === null || minor === undefined ? '' : `${toMajorString(BigInt(String(minor)), String(currency))} ${String(currency)}`,
  );
  hbs.registerHelper('datetime', (value: unknown, options: Handlebars.HelperOptions) => {
    if (!(value instanceof Date)) return String(value ?? '');
    const zone = (options.data as { root?: LayoutContext } | undefined)?.root?.readerZone ?? 'UTC';
    return `${DateTime.fromJSDate(value).setZone(zone).toFormat('yyyy-LL-dd HH:mm')} ${zone}`;
  });
  hbs.registerHelper('date', (value: unknown) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value ?? '')));
  hbs.registerHelper('iso', (value: unknown) => (value instanceof Date ? value.toISOString() : String(value ?? '')));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  // Ids come from the ERP and can hold anything (`../x`, `a b?c#d`): every one in a link goes through this.
  hbs.registerHelper('urlPart', (value: unknown) => encodeURIComponent(String(value ?? '')));
  hbs.registerHelper('humanize', (value: unknown) => String(value ?? '').replaceAll('_', ' '));
  for (const file of readdirSync(path.join(VIEWS_DIR, 'partials'))) {
    hbs.registerPartial(path.basename(file, '.hbs'), readFileSync(path.join(VIEWS_DIR, 'partials', file), 'utf8'));
  }
  const compiled = new Map<string, Handlebars.TemplateDelegate>();
  for (const file of readdirSync(VIEWS_DIR).filter((f) => f.endsWith('.hbs'))) {
    compiled.set(path.basename(file, '.hbs'), hbs.compile(readFileSync(path.join(VIEWS_DIR, file), 'utf8'), { strict: false }));
  }
  const layout = compiled.get('layout');
  if (!layout) throw new Error('console views: layout.hbs is missing');
  return {
    render(view, context) {
      const template = compiled.get(view);
      if (!template) throw new Error(`console views: no view ${view}`);
      return layout({ ...context, body: template(context) });
    },
  };
}
