import type { DateTime } from 'luxon';
import { daysBetween, localDateOf, type IsoDate } from './dates.js';

/** What an invoice's age is counted from: its due date (days past due) or its issue date. */
export type AgingBasis = 'due' | 'invoice';

/** How invoices are aged for buckets and reports. */
export interface AgingConfig {
  /** `due` (default): days past due; `invoice`: days since the invoice was issued. */
  basis: AgingBasis;
  /**
   * Inclusive upper day of each overdue bucket, ascending; a last open bucket follows.
   * `[30, 60, 90]` gives current / 1–30 / 31–60 / 61–90 / 90+.
   */
  edges: readonly number[];
}

/** One aging bucket: days in `[minDays, maxDays]`; `maxDays` is `null` for the open last bucket. */
export interface AgingBucket {
  label: string;
  minDays: number;
  maxDays: number | null;
}

/** The dates an invoice is aged by. */
export interface AgedDates {
  issuedOn: IsoDate;
  dueOn: IsoDate;
}

export const defaultAgingConfig: AgingConfig = { basis: 'due', edges: [30, 60, 90] };

/**
 * Calendar days between the due date and today's date in the customer's zone: 0 on the due
 * date, negative before it. Counting dates, not hours, keeps DST days the same length as others.
 */
export function daysPastDue(dueOn: IsoDate, now: DateTime, zone: string): number {
  return daysBetween(dueOn, localDateOf(now, zone));
}

/** The age of an invoice in days on the configured basis. */
export function ageInDays(invoice: AgedDates, now: DateTime, zone: string, basis: AgingBasis): number {
  return daysPastDue(basis === 'due' ? invoice.dueOn : invoice.issuedOn, now, zone);
}

/** The buckets `edges` describe, starting with `current` (age ≤ 0). */
export function agingBuckets(edges: readonly number[] = defaultAgingConfig.edges): AgingBucket[] {
  edges.forEach((edge, i) => {
    const previous = i === 0 ? 0 : (edges[i - 1] ?? 0);
    if (!Number.isInteger(edge) || edge <= previous) {
      throw new Error(`aging edges must be ascending positive integers, got [${edges.join(', ')}]`);
    }
  });
  const buckets: AgingBucket[] = [{ label: 'current', minDays: Number.NEGATIVE_INFINITY, maxDays: 0 }];
  let minDays = 1;
  for (const edge of edges) {
    buckets.push({ label: `${minDays}-${edge}`, minDays, maxDays: edge });
    minDays = edge + 1;
  }
  buckets.push({ label: `${minDays - 1}+`, minDays, maxDays: null });
  return buckets;
}

/** The bucket an age in days falls in. */
export function bucketFor(days: number, edges: readonly number[] = defaultAgingConfig.edges): AgingBucket {
  const buckets = agingBuckets(edges);
  const found = buckets.find((b) => days >= b.minDays && (b.maxDays === null || days <= b.maxDays));
  // agingBuckets covers every integer, so this only guards against NaN.
  if (found === undefined) throw new Error(`cannot bucket age ${days}`);
  return found;
}

/** An invoice's age and bucket at `now`, for the dunning core and the aging report alike. */
export function ageInvoice(
  invoice: AgedDates,
  now: DateTime,
  zone: string,
  config: AgingConfig = defaultAgingConfig,
): { days: number; bucket: AgingBucket } {
  const days = ageInDays(invoice, now, zone, config.basis);
  return { days, bucket: bucketFor(days, config.edges) };
}
