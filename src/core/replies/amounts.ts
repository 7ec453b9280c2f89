import { isKnownCurrency, parseMajor, type Money } from '../money.js';
import { ANY_MONTH } from './dates.js';
import { quoteOriginal, type FoldedText } from './text.js';

/**
 * Amounts in a reply: a number with a currency beside it ("€1,200.50", "1.200,50 lei", "1200 TL",
 * "人民币1,200元"), or a bare number right after a verb of paying ("we will pay 1,200"), which
 * takes the customer's currency. Separators follow the writer, not a locale table: when both
 * "." and "," appear the last one is the decimal mark (1,200.50 and 1.200,50); a lone one followed
 * by exactly three digits groups thousands ("1,200" and "1.200" are both twelve hundred), otherwise
 * it is the decimal mark ("12,5"). The value goes through the money module, never through a float.
 */

export interface FoundAmount {
  start: number;
  end: number;
  money: Money;
  quote: string;
}

const NUMBER = String.raw`\d{1,3}(?:[ .,'’]\d{3})+(?:[.,]\d{1,4})?|\d+(?:[.,]\d{1,4})?`;
const SYMBOL_BEFORE = String.raw`us\$|€|\$|£|¥|₺|eur|usd|gbp|ron|try|cny|rmb|lei|tl|人民币|人民幣`;
const CODE_AFTER = String.raw`€|\$|£|₺|eur|euro|euros|usd|dollars?|gbp|pounds?|ron|lei|try|tl|lira|cny|rmb|元|人民币|人民幣|块`;

const WITH_SYMBOL_BEFORE = new RegExp(String.raw`(?<![a-z])(${SYMBOL_BEFORE})\s?(${NUMBER})(?![\d])`, 'g');
const WITH_CODE_AFTER = new RegExp(String.raw`(?<![\d.,])(${NUMBER})\s?(${CODE_AFTER})(?![a-z])`, 'g');
/** A bare number after a verb of paying, in the four languages. */
const AFTER_PAY_VERB = new RegExp(
  String.raw`\b(?:pay|paying|transfer|send|settle|plati|platim|achita|achitam|vira|viram|transfera)\s+(?:you\s+|the\s+(?:sum|amount)\s+of\s+|suma\s+de\s+)?(${NUMBER})(?![\d.,/]|\s*%|st\b|nd\b|rd\b|th\b|\s*(?:${ANY_MONTH}|days?|zile|of)\b)`,
  'g',
);

const DOLLAR_CURRENCIES = new Set(['USD', 'CAD', 'AUD', 'NZD', 'SGD', 'HKD']);

function currencyOf(marker: string, fallback: string | null): string | null {
  switch (marker) {
    case '€':
    case 'eur':
    case 'euro':
    case 'euros':
      return 'EUR';
    case '$':
      return fallback !== null && DOLLAR_CURRENCIES.has(fallback) ? fallback : 'USD';
    case 'us$':
    case 'usd':
    case 'dollar':
    case 'dollars':
      return 'USD';
    case '£':
    case 'gbp':
    case 'pound':
    case 'pounds':
      return 'GBP';
    case '¥':
      return fallback === 'JPY' ? 'JPY' : 'CNY';
    case '₺':
    case 'try':
    case 'tl':
    case 'lira':
      return 'TRY';
    case 'ron':
    case 'lei':
      return 'RON';
    case 'cny':
    case 'rmb':
    case '元':
    case '块':
    case '人民币':
    case '人民幣':
      return 'CNY';
    default:
      return null;
  }
}

/** "1.200,50" / "1,200.50" / "1 200,5" → "1200.50" / "1200.50" / "1200.5"; null when it cannot be read. */
export function normaliseNumber(text: string): string | null {
  const compact = text.replace(/[ '’]/g, '');
  const lastDot = compact.lastIndexOf('.');
  const lastComma = compact.lastIndexOf(',');
  let decimalMark: string | null = null;
  if (lastDot >= 0 && lastComma >= 0) decimalMark = lastDot > lastComma ? '.' : ',';
  else if (lastDot >= 0 || lastComma >= 0) {
    const mark = lastDot >= 0 ? '.' : ',';
    const occurrences = compact.split(mark).length - 1;
    const after = compact.length - compact.lastIndexOf(mark) - 1;
    decimalMark = occurrences === 1 && after !== 3 ? mark : null;
  }
  let whole = compact;
  let fraction = '';
  if (decimalMark !== null) {
    const at = compact.lastIndexOf(decimalMark);
    whole = compact.slice(0, at);
    fraction = compact.slice(at + 1);
  }
  whole = whole.replace(/[.,]/g, '');
  if (!/^\d+$/.test(whole) || !/^\d*$/.test(fraction)) return null;
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

function toMoney(numberText: string, currency: string | null): Money | null {
  if (currency === null || !isKnownCurrency(currency)) return null;
  const decimal = normaliseNumber(numberText);
  if (decimal === null) return null;
  const parsed = parseMajor(decimal, currency);
  if (!parsed.ok || parsed.minor > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return { minor: Number(parsed.minor), currency };
}

/** Every amount the text states, in order; a bare number after a verb of paying takes `fallbackCurrency`. */
export function findAmounts(text: FoldedText, fallbackCurrency: string | null): FoundAmount[] {
  const found: FoundAmount[] = [];
  const add = (start: number, end: number, money: Money | null): void => {
    if (money === null || found.some((other) => start < other.end && other.start < end)) return;
    found.push({ start, end, money, quote: quoteOriginal(text, start, end) });
  };
  for (const match of text.folded.matchAll(WITH_SYMBOL_BEFORE)) {
    add(match.index, match.index + match[0].length, toMoney(match[2] ?? '', currencyOf(match[1] ?? '', fallbackCurrency)));
  }
  for (const match of text.folded.matchAll(WITH_CODE_AFTER)) {
    add(match.index, match.index + match[0].length, toMoney(match[1] ?? '', currencyOf(match[2] ?? '', fallbackCurrency)));
  }
  for (const match of text.folded.matchAll(AFTER_PAY_VERB)) {
    const numberText = match[1] ?? '';
    // "pay 15.03" is the 15th of March more likely than 15 euros and 3 cents.
    const dayMonth = /^(\d{1,2})[.](\d{1,2})$/.exec(numberText);
    if (dayMonth !== null && Number(dayMonth[1]) <= 31 && Number(dayMonth[2]) <= 12) continue;
    const start = match.index + match[0].length - numberText.length;
    add(start, start + numberText.length, toMoney(numberText, fallbackCurrency));
  }
  return found.sort((a, b) => a.start - b.start);
}
