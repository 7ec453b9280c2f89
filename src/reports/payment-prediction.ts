import { addDays, daysBetween, type IsoDate } from '../core/dates.js';

// Payment-date prediction. A customer's habit is its days-to-pay (paid date − due date; negative
// for early payers) over its paid invoices, summarised by a recency-weighted median: the median
// shrugs off the odd invoice stuck in a dispute for a year, and the weighting lets a customer
// who has started paying late (or on time) show it within months rather than years.

/** A fully paid invoice: due on `dueOn`, its balance reached zero on `paidOn`. */
export interface PaidInvoiceRecord {
  customerId: string;
  dueOn: IsoDate;
  paidOn: IsoDate;
}

/** An invoice still open on the as-of date. */
export interface OpenInvoiceRef {
  invoiceId: string;
  customerId: string;
  number: string;
  currency: string;
  balanceMinor: number;
  dueOn: IsoDate;
}

export interface PredictionOptions {
  /** A paid invoice this many days old weighs half as much as one paid on the as-of date. Default 180. */
  halfLifeDays?: number;
  /** Fewer paid invoices than this and the customer takes the portfolio's habit. Default 3. */
  minHistory?: number;
  /**
   * The portfolio's paid invoices the fallback habit is taken from; default `history`. A
   * database-backed caller passes a bounded recent sample here and only the customers' own
   * records as `history`.
   */
  portfolio?: readonly PaidInvoiceRecord[];
}

/**
 * Whose habit a prediction rests on: the customer's own, the portfolio's (too little history),
 * or none at all (an empty ledger: due date assumed).
 */
export type PredictionSource = 'customer' | 'portfolio' | 'none';

/**
 * `typical`: due date + the habit. `late`: the habit's date has already passed, so only the
 * paid invoices that took longer than this one already has are considered. `overdue`: none
 * took that long; the day after the as-of date is the earliest it can still be paid.
 */
export type PredictionMethod = 'typical' | 'late' | 'overdue';

export interface InvoicePrediction extends OpenInvoiceRef {
  expectedOn: IsoDate;
  method: PredictionMethod;
}

export interface CustomerPrediction {
  customerId: string;
  source: PredictionSource;
  /** Paid invoices of the customer the estimate could use. */
  paidInvoices: number;
  /** The habit in days after the due date (negative: pays early); null when source is `none`. */
  expectedDaysToPay: number | null;
  /** Earliest expected date among its open invoices. */
  nextExpectedOn: IsoDate | null;
  /** By expected date. */
  invoices: InvoicePrediction[];
}

interface Sample {
  days: number;
  weight: number;
}

/**
 * The weighted median: the smallest value at which the cumulative weight reaches half the
 * total. With equal weights and an odd count it is the middle value.
 */
export function weightedMedian(samples: readonly Sample[]): number | null {
  const sorted = [...samples].sort((a, b) => a.days - b.days);
  const total = sorted.reduce((sum, s) => sum + s.weight, 0);
  if (total <= 0) return null;
  let cumulative = 0;
  for (const sample of sorted) {
    cumulative += sample.weight;
    if (cumulative >= total / 2 - 1e-12) return sample.days;
  }
  return sorted[sorted.length - 1]?.days ?? null;
}

function samplesOf(records: readonly PaidInvoiceRecord[], asOf: IsoDate, halfLifeDays: number): Sample[] {
  return records
    .filter((r) => r.paidOn <= asOf)
    .map((r) => ({
      days: daysBetween(r.dueOn, r.paidOn),
      weight: 0.5 ** (Math.max(0, daysBetween(r.paidOn, asOf)) / halfLifeDays),
    }));
}

/** Expected payment date of each open invoice, grouped per customer (sorted by customer id). */
export function predictPaymentDates(
  history: readonly PaidInvoiceRecord[],
  openInvoices: readonly OpenInvoiceRef[],
  asOf: IsoDate,
  options: PredictionOptions = {},
): CustomerPrediction[] {
  const halfLifeDays = options.halfLifeDays ?? 180;
  const minHistory = options.minHistory ?? 3;
  if (!(halfLifeDays > 0)) throw new Error('halfLifeDays must be positive');

  const portfolio = samplesOf(options.portfolio ?? history, asOf, halfLifeDays);
  const byCustomer = new Map<string, OpenInvoiceRef[]>();
  for (const invoice of openInvoices) byCustomer.set(invoice.customerId, [...(byCustomer.get(invoice.customerId) ?? []), invoice]);

  return [...byCustomer.keys()].sort().map((customerId): CustomerPrediction => {
    const own = samplesOf(
      history.filter((r) => r.customerId === customerId),
      asOf,
      halfLifeDays,
    );
    const source: PredictionSource = own.length >= minHistory ? 'customer' : portfolio.length > 0 ? 'portfolio' : 'none';
    const samples = source === 'customer' ? own : portfolio;
    const habit = weightedMedian(samples);
    const invoices = (byCustomer.get(customerId) ?? [])
      .map((invoice) => predictOne(invoice, habit ?? 0, samples, asOf))
      .sort((a, b) => a.expectedOn.localeCompare(b.expectedOn) || a.number.localeCompare(b.number));
    return {
      customerId,
      source,
      paidInvoices: own.length,
      expectedDaysToPay: habit,
      nextExpectedOn: invoices[0]?.expectedOn ?? null,
      invoices,
    };
  });
}

function predictOne(invoice: OpenInvoiceRef, habit: number, samples: readonly Sample[], asOf: IsoDate): InvoicePrediction {
  // Still open at the end of the as-of date, so it can be paid the day after at the earliest.
  const ageNow = daysBetween(invoice.dueOn, asOf);
  if (habit > ageNow) return { ...invoice, expectedOn: addDays(invoice.dueOn, habit), method: 'typical' };
  const longer = weightedMedian(samples.filter((s) => s.days > ageNow));
  if (longer !== null) return { ...invoice, expectedOn: addDays(invoice.dueOn, longer), method: 'late' };
  return { ...invoice, expectedOn: addDays(asOf, 1), method: 'overdue' };
}
