import type Handlebars from 'handlebars';
import { formatDate, formatDateTime, relativeDays, type DateStyle } from './dates.js';
import { formatMoney } from '../core/money.js';
import { pluralPhrase, type PluralForms } from './plural.js';

/** Per-render data every helper reads (`@locale`, `@timeZone`, `@now` in a template). */
export interface RenderData {
  /** Formatting locale, from `formattingLocale`. */
  locale: string;
  timeZone: string;
  now: string;
}

type HelperOptions = Handlebars.HelperOptions & { data: RenderData };

// Handlebars appends its options object to every helper call; these pull it off the end.
function split(args: unknown[]): { params: unknown[]; options: HelperOptions } {
  return { params: args.slice(0, -1), options: args[args.length - 1] as HelperOptions };
}

function stringParam(value: unknown, helper: string, name: string): string {
  if (typeof value !== 'string') throw new TypeError(`{{${helper}}}: ${name} must be a string, got ${String(value)}`);
  return value;
}

function numberParam(value: unknown, helper: string, name: string): number {
  if (typeof value !== 'number') throw new TypeError(`{{${helper}}}: ${name} must be a number, got ${String(value)}`);
  return value;
}

function dateStyle(value: unknown): DateStyle {
  if (value === undefined || value === 'long' || value === 'medium' || value === 'short') return value ?? 'long';
  throw new TypeError(`{{date}}: style must be long, medium or short, got ${String(value)}`);
}

/**
 * Registers the formatting helpers on a Handlebars environment, once per catalog:
 * `money amountMinor currency`, `date iso [style]`, `dateTime iso`, `relativeDays iso`,
 * `plural count one=".." few=".." other=".."`, `multiline text` (HTML line breaks),
 * `eq a b`, `gt a b`, `percents ratesBp` (rates in percent × 100, e.g. "12.25%, 11.15%" in the locale's way).
 */
export function registerHelpers(env: typeof Handlebars): void {
  env.registerHelper('money', (...args: unknown[]) => {
    const { params, options } = split(args);
    const amount = numberParam(params[0], 'money', 'amountMinor');
    return formatMoney(amount, stringParam(params[1], 'money', 'currency'), options.data.locale);
  });
  env.registerHelper('date', (...args: unknown[]) => {
    const { params, options } = split(args);
    const { locale, timeZone } = options.data;
    return formatDate(stringParam(params[0], 'date', 'iso'), locale, timeZone, dateStyle(params[1]));
  });
  env.registerHelper('dateTime', (...args: unknown[]) => {
    const { params, options } = split(args);
    return formatDateTime(stringParam(params[0], 'dateTime', 'iso'), options.data.locale, options.data.timeZone);
  });
  env.registerHelper('relativeDays', (...args: unknown[]) => {
    const { params, options } = split(args);
    const { locale, timeZone, now } = options.data;
    return relativeDays(stringParam(params[0], 'relativeDays', 'iso'), now, locale, timeZone);
  });
  env.registerHelper('plural', (...args: unknown[]) => {
    const { params, options } = split(args);
    const forms = options.hash as Partial<PluralForms>;
    if (typeof forms.other !== 'string') throw new TypeError('{{plural}}: an other="…" form is required');
    return pluralPhrase(numberParam(params[0], 'plural', 'count'), options.data.locale, forms as PluralForms);
  });
  env.registerHelper('multiline', (...args: unknown[]) => {
    const { params } = split(args);
    const lines = stringParam(params[0], 'multiline', 'text').split(/\r?\n/);
    // Each line is escaped here, so the joined <br> markup is the only thing marked safe.
    return new env.SafeString(lines.map((line) => env.escapeExpression(line)).join('<br>\n'));
  });
  env.registerHelper('percents', (...args: unknown[]) => {
    const { params, options } = split(args);
    const rates = params[0];
    if (!Array.isArray(rates) || !rates.every((r) => typeof r === 'number'))
      throw new TypeError(`{{percents}}: ratesBp must be a list of numbers, got ${String(rates)}`);
    const format = new Intl.NumberFormat(options.data.locale, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return rates.map((bp: number) => format.format(bp / 10_000)).join(', ');
  });
  env.registerHelper('eq', (...args: unknown[]) => {
    const { params } = split(args);
    return params[0] === params[1];
  });
  env.registerHelper('gt', (...args: unknown[]) => {
    const { params } = split(args);
    return numberParam(params[0], 'gt', 'a') > numberParam(params[1], 'gt', 'b');
  });
}
