// A reference rate as a person types it (CSV line or API item), checked field by field, so the
// import and the API reject the same things with the same words.

import { DateTime } from 'luxon';
import { isKnownCurrency, parseMajor } from '../money.js';
import { isReferenceSource, REFERENCE_SOURCES, type ReferenceRate } from './rules.js';

export interface ReferenceRateText {
  source: string;
  effective_on: string;
  /** Percent per year, at most two decimals ("4.25"). */
  rate: string;
  /** Optional fixed compensation published with the rate, in major units ("1475.00"). */
  fixed_sum?: string | undefined;
  fixed_sum_currency?: string | undefined;
}

export type ReferenceRateCheck =
  { ok: true; rate: ReferenceRate } | { ok: false; problems: Array<{ field: keyof ReferenceRateText; message: string }> };

const PERCENT = /^(\d{1,3})(?:\.(\d{1,2}))?$/;

export function checkReferenceRate(text: ReferenceRateText): ReferenceRateCheck {
  const problems: Array<{ field: keyof ReferenceRateText; message: string }> = [];
  const source = text.source.trim();
  if (!isReferenceSource(source))
    problems.push({ field: 'source', message: `"${text.source}" is not one of ${REFERENCE_SOURCES.join(', ')}` });
  const day = text.effective_on.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !DateTime.fromISO(day, { zone: 'utc' }).isValid) {
    problems.push({ field: 'effective_on', message: `"${text.effective_on}" is not a date (YYYY-MM-DD)` });
  }
  const percent = PERCENT.exec(text.rate.trim());
  if (percent === null)
    problems.push({ field: 'rate', message: `"${text.rate}" is not a percentage such as 4.25 (at most two decimals, not negative)` });
  const sumText = text.fixed_sum?.trim() ?? '';
  const currency = text.fixed_sum_currency?.trim().toUpperCase() ?? '';
  let fixedSumMinor: bigint | null = null;
  if (sumText !== '' || currency !== '') {
    if (!isKnownCurrency(currency)) {
      problems.push({
        field: 'fixed_sum_currency',
        message: `"${text.fixed_sum_currency ?? ''}" is not an ISO 4217 currency code (needed with fixed_sum)`,
      });
    } else if (sumText === '') {
      problems.push({ field: 'fixed_sum', message: `an amount is needed with fixed_sum_currency ${currency}` });
    } else {
      const parsed = parseMajor(sumText, currency);
      if (parsed.ok) fixedSumMinor = parsed.minor;
      else problems.push({ field: 'fixed_sum', message: parsed.reason });
    }
  }
  if (problems.length > 0 || percent === null || !isReferenceSource(source)) return { ok: false, problems };
  const rateBp = Number(percent[1]) * 100 + Number((percent[2] ?? '').padEnd(2, '0'));
  return {
    ok: true,
    rate: { source, effectiveOn: day, rateBp, fixedSumMinor, fixedSumCurrency: fixedSumMinor === null ? null : currency },
  };
}

/** 425 → "4.25". */
export function percentText(rateBp: number): string {
  return `${Math.trunc(rateBp / 100)}.${String(Math.abs(rateBp % 100)).padStart(2, '0')}`;
}
