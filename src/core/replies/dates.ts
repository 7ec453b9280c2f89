import { DateTime } from 'luxon';
import { quoteOriginal, type FoldedText } from './text.js';

/**
 * Dates as customers write them in the shipped locales, found in folded text (see text.ts) and
 * resolved against the day the reply was received, in its zone:
 * - a date without a year is its next occurrence on or after that day ("15 March" in December is next March);
 * - a date with a year before that day is dropped: a promise or a return is never in the past;
 * - "3/15" and "15/3" are read whichever way is valid; when both are ("4/5"), day first (en-GB, ro, tr);
 *   "15.03" is always day first;
 * - a weekday is the first such day after the received day ("Friday" on a Friday is a week on);
 *   "下周五" (Friday of next week) and "haftaya cuma" are next week's;
 * - "next week" is the Friday of next week, "this week" this week's Friday (or the day itself at a weekend),
 *   "end of the month" its last day;
 * - "in 10 days" counts calendar days, "in 5 business days" Monday to Friday.
 */

export interface FoundDate {
  start: number;
  end: number;
  /** ISO date, never before the received day. */
  iso: string;
  /** The customer's words. */
  quote: string;
  /** Which form matched (`iso`, `day-month-name`, `weekday`, …). */
  form: string;
}

type Resolver = (match: RegExpExecArray, receivedOn: DateTime) => DateTime | null;

interface DateForm {
  id: string;
  pattern: RegExp;
  resolve: Resolver;
}

/** Month names and common abbreviations, folded (no diacritics), to month numbers. */
const MONTHS: Readonly<Record<string, number>> = {
  // en
  january: 1, jan: 1, february: 2, feb: 2, march: 3, mar: 3, april: 4, apr: 4, may: 5, june: 6, jun: 6, july: 7, jul: 7,
  august: 8, aug: 8, september: 9, sept: 9, sep: 9, october: 10, oct: 10, november: 11, nov: 11, december: 12, dec: 12,
  // ro
  ianuarie: 1, ian: 1, februarie: 2, martie: 3, aprilie: 4, mai: 5, iunie: 6, iun: 6, iulie: 7, iul: 7,
  septembrie: 9, octombrie: 10, noiembrie: 11, decembrie: 12, // ("noi" is "we")
  // tr
  // (Turkish abbreviations are left out: "ara", "eki", "kas" … are everyday words.)
  ocak: 1, subat: 2, mart: 3, nisan: 4, mayis: 5, haziran: 6, temmuz: 7, agustos: 8, eylul: 9, ekim: 10, kasim: 11, aralik: 12,
}; // prettier-ignore

const EN_MONTHS = [
  'january', 'jan', 'february', 'feb', 'march', 'mar', 'april', 'apr', 'may', 'june', 'jun', 'july', 'jul',
  'august', 'aug', 'september', 'sept', 'sep', 'october', 'oct', 'november', 'nov', 'december', 'dec',
]; // prettier-ignore

const byLength = (names: readonly string[]): string => [...names].sort((a, b) => b.length - a.length).join('|');
/** Any month name or abbreviation of the three alphabets' locales, longest first (for other modules' lookaheads). */
export const ANY_MONTH = byLength(Object.keys(MONTHS));
const EN_MONTH = byLength(EN_MONTHS);
/** A Turkish case suffix after an apostrophe ("Mart'ta", "Mart'a kadar"). */
const SUFFIX = `(?:['’][a-z]+)?`;
const NOT_DIGIT_BEFORE = '(?<![\\d.,/])';
const NOT_DIGIT_AFTER = '(?![\\d])';

function monthNumber(name: string | undefined): number | null {
  if (name === undefined) return null;
  return MONTHS[name.replace(/\.$/, '')] ?? null;
}

function fullYear(text: string | undefined): number | null {
  if (text === undefined || text === '') return null;
  const year = Number(text);
  return text.length === 2 ? 2000 + year : year;
}

/** The date, or its next occurrence when no year is given; null when invalid or (with a year) in the past. */
function onOrAfter(receivedOn: DateTime, year: number | null, month: number, day: number): DateTime | null {
  if (year !== null) {
    const date = DateTime.fromObject({ year, month, day }, { zone: receivedOn.zone });
    return date.isValid && date >= receivedOn ? date : null;
  }
  for (let offset = 0; offset <= 4; offset += 1) {
    const date = DateTime.fromObject({ year: receivedOn.year + offset, month, day }, { zone: receivedOn.zone });
    if (date.isValid && date >= receivedOn) return date;
    if (!date.isValid && !(month === 2 && day === 29)) return null;
  }
  return null;
}

function dayOfMonth(receivedOn: DateTime, day: number): DateTime | null {
  if (day < 1 || day > 31) return null;
  for (let offset = 0; offset <= 2; offset += 1) {
    const month = receivedOn.plus({ months: offset });
    const date = DateTime.fromObject({ year: month.year, month: month.month, day }, { zone: receivedOn.zone });
    if (date.isValid && date >= receivedOn) return date;
  }
  return null;
}

/** Weekday names (folded) to ISO weekday numbers (Monday 1). */
const WEEKDAYS: Readonly<Record<string, number>> = {
  monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7,
  lunea: 1, marti: 2, martea: 2, miercuri: 3, miercurea: 3, joi: 4, joia: 4, vineri: 5, vinerea: 5, sambata: 6, duminica: 7,
  pazartesi: 1, sali: 2, carsamba: 3, persembe: 4, cuma: 5, cumartesi: 6, pazar: 7,
  一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7,
}; // prettier-ignore

function nextWeekday(receivedOn: DateTime, weekday: number): DateTime {
  const ahead = (weekday - receivedOn.weekday + 7) % 7 || 7;
  return receivedOn.plus({ days: ahead });
}

function weekdayOfNextWeek(receivedOn: DateTime, weekday: number): DateTime {
  return receivedOn.startOf('week').plus({ weeks: 1, days: weekday - 1 });
}

function thisWeeksFriday(receivedOn: DateTime): DateTime {
  const friday = receivedOn.startOf('week').plus({ days: 4 });
  return friday < receivedOn ? receivedOn : friday;
}

function plusBusinessDays(receivedOn: DateTime, days: number): DateTime {
  let date = receivedOn;
  let left = days;
  while (left > 0) {
    date = date.plus({ days: 1 });
    if (date.weekday <= 5) left -= 1;
  }
  return date;
}

const number = (text: string | undefined): number => Number(text ?? 'NaN');

const DATE_FORMS: readonly DateForm[] = [
  {
    id: 'iso',
    pattern: new RegExp(`${NOT_DIGIT_BEFORE}(\\d{4})-(\\d{1,2})-(\\d{1,2})${NOT_DIGIT_AFTER}`),
    resolve: (m, on) => onOrAfter(on, number(m[1]), number(m[2]), number(m[3])),
  },
  {
    id: 'zh-month-day',
    pattern: /(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*(?:日|号|號)?/,
    resolve: (m, on) => onOrAfter(on, fullYear(m[1]), number(m[2]), number(m[3])),
  },
  {
    id: 'day-month-name',
    pattern: new RegExp(
      `${NOT_DIGIT_BEFORE}(\\d{1,2})(?:st|nd|rd|th|-?(?:ea|lea))?(?:\\s+of)?[\\s.-]*(${ANY_MONTH})\\.?(?![a-z])${SUFFIX}(?:,?[\\s.-]*(\\d{4})${NOT_DIGIT_AFTER})?`,
    ),
    resolve: (m, on) => {
      const month = monthNumber(m[2]);
      return month === null ? null : onOrAfter(on, fullYear(m[3]), month, number(m[1]));
    },
  },
  {
    id: 'month-name-day',
    pattern: new RegExp(`\\b(${EN_MONTH})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?${NOT_DIGIT_AFTER}(?:,?\\s*(\\d{4})${NOT_DIGIT_AFTER})?`),
    resolve: (m, on) => {
      const month = monthNumber(m[1]);
      return month === null ? null : onOrAfter(on, fullYear(m[3]), month, number(m[2]));
    },
  },
  {
    id: 'numeric',
    pattern: new RegExp(`${NOT_DIGIT_BEFORE}(\\d{1,2})([./])(\\d{1,2})(?:\\2(\\d{4}|\\d{2}))?(?![\\d]|[.,]\\d)`),
    resolve: (m, on) => {
      const first = number(m[1]);
      const second = number(m[3]);
      const year = fullYear(m[4]);
      const monthFirst = m[2] === '/' && first <= 12 && second > 12;
      return monthFirst ? onOrAfter(on, year, first, second) : onOrAfter(on, year, second, first);
    },
  },
  {
    id: 'day-only',
    pattern:
      /(?:\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b|\bpe data de (\d{1,2})(?![\d.])|\bayin (\d{1,2})(?:['’][a-z]+)?(?![\d.])|(?<![\d月])(\d{1,2})\s*(?:号|號)(?!\d))/,
    resolve: (m, on) => dayOfMonth(on, number(m[1] ?? m[2] ?? m[3] ?? m[4])),
  },
  {
    id: 'day-after-tomorrow',
    pattern: /\b(?:the day after tomorrow|poimaine|obur gun|yarindan sonra)\b|后天|後天/,
    resolve: (_m, on) => on.plus({ days: 2 }),
  },
  {
    id: 'tomorrow',
    pattern: /\b(?:tomorrow|maine|yarin)\b|明天|明日/,
    resolve: (_m, on) => on.plus({ days: 1 }),
  },
  {
    id: 'today',
    pattern: /\b(?:today|azi|astazi|bugun)\b|今天|今日/,
    resolve: (_m, on) => on,
  },
  {
    id: 'in-days',
    pattern:
      /\b(?:in|within|peste|in termen de)\s+(\d{1,3})\s+(business\s+|working\s+|lucratoare\s+)?(?:days?|zile)\b(?:\s+(lucratoare))?|\b(\d{1,3})\s+(is\s+)?gun\s+(?:icinde|icerisinde|sonra)\b|(\d{1,3})\s*(个工作日|個工作日|天|日)\s*(?:内|內|后|後|之内|以内)/,
    resolve: (m, on) => {
      const days = number(m[1] ?? m[4] ?? m[6]);
      const business = m[2] !== undefined || m[3] !== undefined || m[5] !== undefined || (m[7] ?? '').includes('工作日');
      return business ? plusBusinessDays(on, days) : on.plus({ days });
    },
  },
  {
    id: 'end-of-next-month',
    pattern:
      /\b(?:(?:the\s+)?end of next month|sfarsitul lunii viitoare|finalul lunii viitoare|gelecek ay(?:in)? sonu\w*)\b|下个?月(?:底|末)/,
    resolve: (_m, on) => on.plus({ months: 1 }).endOf('month').startOf('day'),
  },
  {
    id: 'end-of-month',
    pattern:
      /\b(?:(?:the\s+)?end of (?:the |this )?month|month[- ]end|sfarsitul (?:lunii|acestei luni)|finalul lunii|ay(?:in)? sonu\w*)\b|(?:本月|这个月|這個月)?(?:月底|月末)/,
    resolve: (_m, on) => on.endOf('month').startOf('day'),
  },
  {
    id: 'next-week-weekday',
    pattern: /(?:下周|下星期|下礼拜|下禮拜)([一二三四五六日天])|\bhaftaya\s+(pazartesi|sali|carsamba|persembe|cumartesi|cuma|pazar)\b/,
    resolve: (m, on) => weekdayOfNextWeek(on, WEEKDAYS[m[1] ?? m[2] ?? ''] ?? 5),
  },
  {
    id: 'next-week',
    pattern: /\b(?:next week|saptamana (?:viitoare|urmatoare)|gelecek hafta|onumuzdeki hafta|haftaya)\b|下周|下星期|下礼拜|下禮拜/,
    resolve: (_m, on) => weekdayOfNextWeek(on, 5),
  },
  {
    id: 'this-week',
    pattern: /\b(?:this week|saptamana (?:aceasta|asta|curenta)|bu hafta)\b|本周|这周|這週|这个星期|這個星期/,
    resolve: (_m, on) => thisWeeksFriday(on),
  },
  {
    id: 'weekday',
    pattern:
      /\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|lunea|martea|marti|miercurea|miercuri|joia|joi|vinerea|vineri|sambata|duminica|pazartesi|cumartesi|carsamba|persembe|sali|cuma|pazar)(?:['’]?(?:ya|ye|a|e|gunu|dan|den))?(?![a-z])|(?<=\b(?:pe|de|pana|pana pe)\s)luni\b|(?:周|週|星期|礼拜|禮拜)([一二三四五六日天])/,
    resolve: (m, on) => {
      const weekday = WEEKDAYS[m[1] ?? ''] ?? WEEKDAYS[m[2] ?? ''] ?? (m[0] === 'luni' ? 1 : undefined);
      return weekday === undefined ? null : nextWeekday(on, weekday);
    },
  },
];

/** Every date the text states, resolved; overlapping matches keep the earliest, then the longest. */
export function findDates(text: FoldedText, receivedAt: DateTime, exclude: readonly { start: number; end: number }[] = []): FoundDate[] {
  const receivedOn = receivedAt.startOf('day');
  const candidates: FoundDate[] = [];
  for (const form of DATE_FORMS) {
    const matcher = new RegExp(form.pattern.source, `${form.pattern.flags.replace('g', '')}g`);
    for (const match of text.folded.matchAll(matcher)) {
      const start = match.index;
      const end = start + match[0].length;
      if (match[0] === '' || exclude.some((span) => start < span.end && span.start < end)) continue;
      const date = form.resolve(match as RegExpExecArray, receivedOn);
      if (date === null || !date.isValid) continue;
      const iso = date.toISODate();
      if (iso === null) continue;
      candidates.push({ start, end, iso, quote: quoteOriginal(text, start, end).replace(/[.,]$/, ''), form: form.id });
    }
  }
  candidates.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: FoundDate[] = [];
  for (const candidate of candidates) {
    const last = kept[kept.length - 1];
    if (last !== undefined && candidate.start < last.end) continue;
    kept.push(candidate);
  }
  return kept;
}
