import { addDays, type IsoDate } from '../core/dates.js';
import type { receivablesAsOf } from './ledger.js';
import { invoicesSource, sortedCurrencies, type LedgerInvoice, type ReceivablesSource } from './ledger.js';
import { round2 } from './dso.report.js';
import { trailingMonths, type DateWindow } from './periods.js';

/** The collection effectiveness index of one window in one currency. */
export interface CeiFigures {
  window: DateWindow;
  /** Receivables at the end of the day before the window. */
  beginningMinor: number;
  creditSalesMinor: number;
  /** Receivables at the end of the window's last day. */
  endingMinor: number;
  /** The part of the ending receivables not yet past due. */
  endingCurrentMinor: number;
  /** (beginning + sales − ending) ÷ (beginning + sales − ending current) × 100; null when the divisor is 0. */
  cei: number | null;
}

export interface CeiCurrency {
  currency: string;
  /** One entry per trailing month, oldest first. */
  months: CeiFigures[];
  /** The whole span as one window. */
  span: CeiFigures;
}

export interface CeiReport {
  asOf: IsoDate;
  months: number;
  currencies: CeiCurrency[];
}

type ReceivablesOn = (asOf: IsoDate) => ReturnType<typeof receivablesAsOf>;

function ceiOf(source: ReceivablesSource, window: DateWindow, receivablesOn: ReceivablesOn): Map<string, CeiFigures> {
  const beginning = receivablesOn(addDays(window.from, -1));
  const ending = receivablesOn(window.to);
  const sales = source.creditSales(window.from, window.to);
  const figures = new Map<string, CeiFigures>();
  for (const currency of sortedCurrencies(beginning, ending, sales)) {
    const beginningMinor = beginning.get(currency)?.totalMinor ?? 0;
    const creditSalesMinor = sales.get(currency) ?? 0;
    const endingMinor = ending.get(currency)?.totalMinor ?? 0;
    const endingCurrentMinor = ending.get(currency)?.currentMinor ?? 0;
    const collectible = beginningMinor + creditSalesMinor - endingCurrentMinor;
    const collected = beginningMinor + creditSalesMinor - endingMinor;
    figures.set(currency, {
      window,
      beginningMinor,
      creditSalesMinor,
      endingMinor,
      endingCurrentMinor,
      cei: collectible === 0 ? null : round2((collected / collectible) * 100),
    });
  }
  return figures;
}

/** CEI per trailing month and over the `months`-month span ending on `asOf`, per currency. */
export function ceiReport(invoices: readonly LedgerInvoice[], asOf: IsoDate, months: number): CeiReport {
  return ceiFromSource(invoicesSource(invoices), asOf, months);
}

/** The span and the trailing months of a CEI report. */
function ceiWindows(asOf: IsoDate, months: number): { windows: DateWindow[]; span: DateWindow } {
  const windows = trailingMonths(asOf, months);
  const first = windows[0];
  if (first === undefined) throw new Error('CEI needs at least one month');
  return { windows, span: { from: first.from, to: asOf, days: windows.reduce((sum, w) => sum + w.days, 0) } };
}

/** The dates whose receivables a CEI report reads: the day before each window and each window's last day. */
export function ceiDates(asOf: IsoDate, months: number): IsoDate[] {
  const { windows, span } = ceiWindows(asOf, months);
  return [...new Set([span, ...windows].flatMap((w) => [addDays(w.from, -1), w.to]))].sort();
}

/** The CEI report from a receivables source (the invoices one by one, or figures computed in SQL). */
export function ceiFromSource(source: ReceivablesSource, asOf: IsoDate, months: number): CeiReport {
  const { windows, span } = ceiWindows(asOf, months);
  // One month's end is the next one's beginning: each date's receivables are summed once.
  const known = new Map<IsoDate, ReturnType<typeof receivablesAsOf>>();
  const receivablesOn: ReceivablesOn = (date) => {
    const found = known.get(date) ?? source.receivablesAsOf(date);
    known.set(date, found);
    return found;
  };
  const spanFigures = ceiOf(source, span, receivablesOn);
  const monthly = windows.map((w) => ceiOf(source, w, receivablesOn));
  const empty = (window: DateWindow): CeiFigures => ({
    window,
    beginningMinor: 0,
    creditSalesMinor: 0,
    endingMinor: 0,
    endingCurrentMinor: 0,
    cei: null,
  });
  const currencies = sortedCurrencies(spanFigures, ...monthly);
  return {
    asOf,
    months,
    currencies: currencies.map((currency) => ({
      currency,
      months: windows.map((w, i) => monthly[i]?.get(currency) ?? empty(w)),
      span: spanFigures.get(currency) ?? empty(span),
    })),
  };
}
