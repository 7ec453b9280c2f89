// Reference rates for late-payment interest from a CSV file: `source,effective_on,rate` and,
// optionally, `fixed_sum,fixed_sum_currency` (Turkey publishes a minimum compensation with its
// rate). Each bad line is rejected with its line number and every reason; the good lines load.

import { checkReferenceRate } from '../core/interest/reference-rate-input.js';
import type { ReferenceRate } from '../core/interest/rules.js';
import type { Rejection } from './batch.js';
import { readCsvRecords } from './csv-reader.js';
import { HeaderError, mapHeader } from './header.js';

export const REFERENCE_RATE_COLUMNS = ['source', 'effective_on', 'rate'] as const;
export const REFERENCE_RATE_OPTIONAL_COLUMNS = ['fixed_sum', 'fixed_sum_currency'] as const;

export interface ReferenceRatesFile {
  rates: ReferenceRate[];
  rejected: Rejection[];
  lines: number;
}

export async function parseReferenceRatesCsv(chunks: AsyncIterable<string>): Promise<ReferenceRatesFile> {
  const rates: ReferenceRate[] = [];
  const rejected: Rejection[] = [];
  const seen = new Map<string, number>();
  let columns: number[] | null = null;
  let lines = 0;
  for await (const record of readCsvRecords(chunks)) {
    if (columns === null) {
      if (record.error !== undefined) throw new HeaderError([record.error]);
      columns = mapHeader(record.fields, REFERENCE_RATE_COLUMNS, REFERENCE_RATE_OPTIONAL_COLUMNS);
      continue;
    }
    lines += 1;
    if (record.error !== undefined) {
      rejected.push({ line: record.line, reason: record.error, raw: record.raw });
      continue;
    }
    const cell = (index: number) => {
      const at = columns![index]!;
      return at < 0 ? undefined : (record.fields[at] ?? '');
    };
    const checked = checkReferenceRate({
      source: cell(0) ?? '',
      effective_on: cell(1) ?? '',
      rate: cell(2) ?? '',
      fixed_sum: cell(3),
      fixed_sum_currency: cell(4),
    });
    if (!checked.ok) {
      rejected.push({ line: record.line, reason: checked.problems.map((p) => `${p.field}: ${p.message}`).join('; '), raw: record.raw });
      continue;
    }
    const key = `${checked.rate.source}|${checked.rate.effectiveOn}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      rejected.push({
        line: record.line,
        reason: `effective_on: ${checked.rate.source} on ${checked.rate.effectiveOn} already appears on line ${earlier}`,
        raw: record.raw,
      });
      continue;
    }
    seen.set(key, record.line);
    rates.push(checked.rate);
  }
  if (columns === null) throw new HeaderError([`the file is empty: expected a header such as ${REFERENCE_RATE_COLUMNS.join(',')}`]);
  return { rates, rejected, lines };
}
