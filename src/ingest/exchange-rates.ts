// The ECB's euro foreign exchange reference rates as published (eurofxref.csv for a day,
// eurofxref-hist.csv for the history): a `Date` column, then one column per currency, each rate
// quoted as units of the currency per 1 EUR. "N/A" or an empty cell means no rate that day.
// When BASE_CURRENCY is not EUR, each day's rates become cross rates through that day's base
// column (TRY per USD = TRY per EUR / USD per EUR), and EUR itself gets 1 / (USD per EUR).

import { DateTime } from 'luxon';
import { crossRate, isKnownCurrency, rateProblem } from '../core/money.js';
import type { ExchangeRateToStore } from '../db/exchange-rates.repository.js';
import type { Rejection } from './batch.js';
import { readCsvRecords } from './csv-reader.js';
import { HeaderError } from './header.js';

/** The currency the ECB quotes against. */
export const ECB_QUOTE_CURRENCY = 'EUR';

export interface RatesFile {
  /** Rates against the base currency, ready to store. */
  rates: ExchangeRateToStore[];
  /** Lines that could not be used, each with its line number and every reason. */
  rejected: Rejection[];
  /** Data lines read (the header excluded). */
  lines: number;
  /** Columns left out because they are not ISO 4217 codes in use (the history has CYP, SIT, ROL …). */
  skippedColumns: string[];
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** "2026-12-04" or the daily file's "4 December 2026" → YYYY-MM-DD; null when neither. */
function parseRateDate(text: string): string | null {
  const trimmed = text.trim();
  const date = ISO_DATE.test(trimmed)
    ? DateTime.fromISO(trimmed, { zone: 'UTC' })
    : DateTime.fromFormat(trimmed, 'd MMMM yyyy', { zone: 'UTC', locale: 'en' });
  return date.isValid ? date.toISODate() : null;
}

/**
 * Reads an ECB-shaped rates CSV into rates against `base`. A bad line is rejected with its line
 * number and the column at fault; the good lines are kept. A header that is not `Date` followed
 * by currency codes, or that lacks the base's column when the base is not EUR, throws a
 * `HeaderError` before any line is read.
 */
export async function parseRatesCsv(chunks: AsyncIterable<string>, base: string, source: string): Promise<RatesFile> {
  const rates: ExchangeRateToStore[] = [];
  const rejected: Rejection[] = [];
  const skippedColumns: string[] = [];
  const seenDates = new Map<string, number>();
  let columns: Array<string | null> | null = null;
  let baseIndex = -1;
  let lines = 0;
  for await (const record of readCsvRecords(chunks)) {
    if (columns === null) {
      if (record.error !== undefined) throw new HeaderError([record.error]);
      columns = readHeader(record.fields, base, skippedColumns);
      baseIndex = columns.indexOf(base);
      continue;
    }
    lines += 1;
    const reject = (reasons: string[]) => rejected.push({ line: record.line, reason: reasons.join('; '), raw: record.raw });
    if (record.error !== undefined) {
      reject([record.error]);
      continue;
    }
    const rateDate = parseRateDate(record.fields[0] ?? '');
    if (rateDate === null) {
      reject([`Date: "${record.fields[0] ?? ''}" is not a date such as 2026-12-04 or 4 December 2026`]);
      continue;
    }
    const earlier = seenDates.get(rateDate);
    if (earlier !== undefined) {
      reject([`Date: ${rateDate} already appears on line ${earlier}`]);
      continue;
    }
    seenDates.set(rateDate, record.line);
    const problems: string[] = [];
    const quoted = new Map<string, string>();
    if (record.fields.length > columns.length && record.fields.slice(columns.length).some((f) => f.trim() !== '')) {
      problems.push(`${record.fields.length} values for ${columns.length} columns`);
    }
    columns.forEach((currency, index) => {
      if (currency === null || index === 0) return;
      const cell = (record.fields[index] ?? '').trim();
      if (cell === '' || cell.toUpperCase() === 'N/A') return;
      const problem = rateProblem(cell);
      if (problem !== null) problems.push(`${currency}: ${problem}`);
      else quoted.set(currency, cell);
    });
    if (problems.length > 0) {
      reject(problems);
      continue;
    }
    if (base === ECB_QUOTE_CURRENCY) {
      for (const [currency, rate] of quoted) if (currency !== base) rates.push({ currency, rateDate, rate, source });
      continue;
    }
    const basePerQuote = baseIndex >= 0 ? quoted.get(base) : undefined;
    if (basePerQuote === undefined) {
      reject([`${base}: no rate on this date, so no rates against the base currency ${base} can be derived`]);
      continue;
    }
    for (const [currency, rate] of quoted) {
      if (currency !== base) rates.push({ currency, rateDate, rate: crossRate(rate, basePerQuote), source });
    }
    rates.push({ currency: ECB_QUOTE_CURRENCY, rateDate, rate: crossRate('1', basePerQuote), source });
  }
  if (columns === null) throw new HeaderError(['the file is empty: expected a header such as Date,USD,JPY,…']);
  return { rates, rejected, lines, skippedColumns };
}

/** Column index → currency code (null = not a rate column). */
function readHeader(fields: readonly string[], base: string, skipped: string[]): Array<string | null> {
  const names = fields.map((f) => f.trim().toUpperCase());
  const problems: string[] = [];
  if (names[0] !== 'DATE') problems.push(`the first column must be "Date", not "${fields[0]?.trim() ?? ''}"`);
  const seen = new Set<string>();
  const columns = names.map((name, index) => {
    if (index === 0) return null;
    if (name === '') return null; // the ECB history ends every line with a comma
    if (seen.has(name)) problems.push(`column "${name}" appears twice`);
    seen.add(name);
    if (!/^[A-Z]{3}$/.test(name)) {
      problems.push(`column "${fields[index]?.trim()}" is not a currency code`);
      return null;
    }
    if (!isKnownCurrency(name)) {
      skipped.push(name);
      return null;
    }
    return name;
  });
  if (columns.every((c) => c === null)) problems.push('no currency columns');
  if (base !== ECB_QUOTE_CURRENCY && !columns.includes(base)) {
    problems.push(
      `no ${base} column: rates are quoted per 1 ${ECB_QUOTE_CURRENCY}, and the base currency ${base} is needed to derive cross rates`,
    );
  }
  if (problems.length > 0) throw new HeaderError(problems);
  return columns;
}

/** Text chunks of a byte stream (UTF-8; a BOM is dropped). */
export async function* decodeUtf8(input: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of input) yield typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}
