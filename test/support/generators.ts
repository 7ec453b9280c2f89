// Seeded generators of malformed input for the bad-input and security suite. Everything derives
// from one seed (mulberry32), so a failing case is reproduced by running the suite again; the seed
// is printed in every assertion message that names a case.

export const DEFAULT_SEED = 0x5eed_a11;

/** A small, fast, seedable PRNG (mulberry32). */
export class Rng {
  private state: number;

  constructor(readonly seed: number = DEFAULT_SEED) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bool(): boolean {
    return this.next() < 0.5;
  }

  /** `length` characters that never need CSV quoting and never compress well (for 100 KB fields). */
  word(length: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let text = '';
    for (let i = 0; i < length; i += 1) text += alphabet[this.int(alphabet.length)];
    return text;
  }
}

export const HUGE = 100 * 1024;

/** Strings people put in fields to attack whatever reads them next. */
export const INJECTIONS = [
  "'; drop table customers; --",
  "=cmd|' /C calc'!A0",
  '<script>alert(1)</script>',
  "+SUM(1+1)*cmd|' /C calc'!A0",
  '@SUM(1+1)',
  "-2+3+cmd|' /C calc'!A0",
  '{{constructor.constructor("return process")()}}',
  '${process.env}',
  '../../../../etc/passwd',
  "Robert'); DELETE FROM invoices; --",
] as const;

export const BAD_ZONES = [
  'Mars/Olympus',
  'Europe/Nowhere',
  'UTC+25',
  'America/New York',
  '../../etc/passwd',
  'Europe/Bucharest;drop',
  '42',
  ...INJECTIONS.slice(0, 3),
];
export const BAD_LOCALES = ['xx-INVALID-!!', 'en_US', '12345', 'ro-RO-@@', 'not a locale', '-', ...INJECTIONS.slice(0, 3)];
export const BAD_CURRENCIES = ['XYZ', 'usd1', 'EURO', '€', 'R0N', '12', ...INJECTIONS.slice(0, 2)];
/** Amounts that are never valid (for any currency). */
export const BAD_AMOUNTS = [
  '-5',
  '-0.01',
  '-0.00',
  '1,000.00',
  '1e5',
  '1E3',
  'NaN',
  'Infinity',
  '0x10',
  'abc',
  '12..5',
  '.5',
  '5.',
  '1 000',
  '+5',
  '99999999999999999999999',
  '9223372036854775808',
  '12.345',
  '1.2.3',
  '١٢٣',
  ...INJECTIONS.slice(0, 2),
];
export const BAD_DATES = [
  '2026-02-30',
  '2026-13-01',
  '2026-00-10',
  '2026-04-31',
  '2025-02-29',
  'yesterday',
  'tomorrow',
  '2026/03/01',
  '01-03-2026',
  '2026-3-1',
  '0000-01-01',
  '20260301',
  '2026-03-01T00:00:00Z',
  ' ',
  ...INJECTIONS.slice(0, 2),
];
export const BAD_EMAILS = [
  'not-an-email',
  'a@b',
  '<script>@x.com',
  'x@y.com; drop table customers',
  'two@@example.com',
  `${'a'.repeat(260)}@example.com`,
  'x@y.com\u0000',
];
export const BAD_PHONES = ['call me', '+1', '12', '+99999999999999999999', "=cmd|' /C calc'!A0", '+40 (72) ab 345'];

/** A CSV field as a writer would write it: quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export const csvRow = (fields: readonly string[]) => fields.map(csvField).join(',');

/** One generated data row of a CSV file: its text (without the line ending) and what must happen to it. */
export interface CsvCase {
  /** The physical text of the record. */
  text: string;
  /** Rejected rows: the reason must match. Good rows: undefined. */
  reason?: RegExp;
  /** What the case exercises, for failure messages. */
  label: string;
  /** A string only this row carries: it must never reach the database when the row is rejected. */
  marker?: string;
}

export interface CsvFile {
  text: string;
  /** Every case with the physical line it starts on (header = 1). */
  rows: Array<CsvCase & { line: number }>;
}

/**
 * Assembles a file: header, then the cases in order, each ended by LF or CRLF at random (mixed
 * line endings). Line numbers count line feeds, as an editor does.
 */
export function assembleCsv(rng: Rng, header: readonly string[], cases: readonly CsvCase[]): CsvFile {
  let text = `${header.join(',')}\n`;
  let line = 2;
  const rows: CsvFile['rows'] = [];
  for (const c of cases) {
    rows.push({ ...c, line });
    text += c.text + (rng.bool() ? '\r\n' : '\n');
    line += 1 + (c.text.match(/\n/g)?.length ?? 0);
  }
  return { text, rows };
}

/** Shuffles in place (Fisher–Yates) with the generator. */
export function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Marker n: a token that appears nowhere else (checked case-blind in the database). */
export const marker = (n: number) => `badrow${String(n).padStart(4, '0')}`;
