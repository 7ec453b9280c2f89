import type { IsoDate } from '../core/dates.js';
import { invoicesSource, sortedCurrencies, type LedgerInvoice, type ReceivablesSource } from './ledger.js';
import { periodEnding, trailingMonth, type DateWindow, type PeriodLength } from './periods.js';

/** Days-sales-outstanding figures for one currency. Ratios are rounded to 2 decimals; null when undefined (no sales, no receivables). */
export interface DsoFigures {
  currency: string;
  /** Receivables at the end of the as-of date. */
  receivablesMinor: number;
  /** The part of them not yet past due. */
  currentMinor: number;
  /** Credit sales (invoices issued) within the period. */
  creditSalesMinor: number;
  /** receivables ÷ credit sales × days in period. */
  dso: number | null;
  /** Months of the latest credit sales, walked back until they account for the receivables. */
  countbackDso: number | null;
  /** current receivables ÷ credit sales × days in period. */
  bestPossibleDso: number | null;
  /** Average days delinquent: DSO − best possible DSO. */
  averageDaysDelinquent: number | null;
  /** current ÷ total receivables × 100. */
  percentCurrent: number | null;
}

export interface DsoReport {
  asOf: IsoDate;
  period: DateWindow;
  currencies: DsoFigures[];
}

/** Ratios are shown to two decimals; the exact value is never stored. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * Countback DSO: starting with the receivables, take away the credit sales of the latest month,
 * then the month before, adding each month's days, until a month's sales cover what is left;
 * that last month adds its days in proportion (left ÷ its sales). Null when the ledger's
 * sales run out before the receivables do.
 */
export function countbackDso(
  receivablesMinor: number,
  monthlySales: (k: number) => { sales: number; window: DateWindow },
  earliestIssuedOn: IsoDate | null,
): number | null {
  if (receivablesMinor <= 0) return 0;
  let left = receivablesMinor;
  let days = 0;
  for (let k = 1; ; k += 1) {
    const { sales, window } = monthlySales(k);
    if (earliestIssuedOn === null || window.to < earliestIssuedOn) return null;
    if (sales >= left) return days + (left / sales) * window.days;
    days += window.days;
    left -= sales;
  }
}

/** DSO, countback DSO, best possible DSO, ADD and percent current per currency at `asOf`. */
export function dsoReport(invoices: readonly LedgerInvoice[], asOf: IsoDate, length: PeriodLength): DsoReport {
  return dsoFromSource(invoicesSource(invoices), asOf, length);
}

/** The DSO report from a receivables source (the invoices one by one, or figures computed in SQL). */
export function dsoFromSource(source: ReceivablesSource, asOf: IsoDate, length: PeriodLength): DsoReport {
  const period = periodEnding(asOf, length);
  const receivables = source.receivablesAsOf(asOf);
  const sales = source.creditSales(period.from, period.to);
  const currencies = sortedCurrencies(receivables, sales).map((currency): DsoFigures => {
    const earliest = source.earliestIssuedOn(currency);
    const { totalMinor = 0, currentMinor = 0 } = receivables.get(currency) ?? {};
    const salesMinor = sales.get(currency) ?? 0;
    const perSalesDay = salesMinor > 0 ? period.days / salesMinor : null;
    const dso = perSalesDay === null ? null : totalMinor * perSalesDay;
    const best = perSalesDay === null ? null : currentMinor * perSalesDay;
    const countback = countbackDso(
      totalMinor,
      (k) => {
        const window = trailingMonth(asOf, k);
        return { window, sales: source.creditSales(window.from, window.to).get(currency) ?? 0 };
      },
      earliest,
    );
    return {
      currency,
      receivablesMinor: totalMinor,
      currentMinor,
      creditSalesMinor: salesMinor,
      dso: dso === null ? null : round2(dso),
      countbackDso: countback === null ? null : round2(countback),
      bestPossibleDso: best === null ? null : round2(best),
      averageDaysDelinquent: dso === null || best === null ? null : round2(dso - best),
      percentCurrent: totalMinor > 0 ? round2((currentMinor / totalMinor) * 100) : null,
    };
  });
  return { asOf, period, currencies };
}
