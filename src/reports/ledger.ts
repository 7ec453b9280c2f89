import { BoundedCache } from '../core/bounded-cache.js';
import { daysBetween, localDateOf, startOfLocalDay, type IsoDate } from '../core/dates.js';

// The ledger as the reports read it: plain rows, no I/O. Every date is a calendar date; an
// instant (a reversal) has already been turned into the customer's local date by the source,
// the same way the decision core counts days past due in the customer's zone.

/**
 * Money applied to an invoice, or its balance written off: counted from `on` until the day it
 * was reversed, if ever.
 */
export interface Settlement {
  /** The day the cash arrived (the payment's `received_on`), not the day it was keyed in; for a write-off, its local date. */
  on: IsoDate;
  amountMinor: number;
  /** Local date of the reversal; the settlement no longer counts from that day on. */
  reversedOn: IsoDate | null;
}

/** A receivable: an invoice that is not void, with its settlements (a write-off is one). */
export interface LedgerInvoice {
  id: string;
  customerId: string;
  number: string;
  currency: string;
  amountMinor: number;
  issuedOn: IsoDate;
  dueOn: IsoDate;
  /** The customer's IANA zone; ages are counted in it. */
  timeZone: string;
  settlements: readonly Settlement[];
}

/** A payment and the allocations made from it (each dated by the payment's receipt). */
export interface LedgerPayment {
  id: string;
  customerId: string;
  currency: string;
  amountMinor: number;
  receivedOn: IsoDate;
  allocations: ReadonlyArray<{ amountMinor: number; reversedOn: IsoDate | null }>;
}

/** Outstanding money per ISO 4217 currency, integer minor units. Currencies are never summed. */
export type CurrencyAmounts = Map<string, number>;

/** `a + b`, refusing to leave the safe-integer range rather than silently losing cents. */
export function addMinor(a: number, b: number): number {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new RangeError(`money sum ${a} + ${b} leaves the safe-integer range`);
  return sum;
}

/** Adds `amountMinor` to `currency`'s running total. */
export function addTo(totals: CurrencyAmounts, currency: string, amountMinor: number): void {
  totals.set(currency, addMinor(totals.get(currency) ?? 0, amountMinor));
}

/** Whether a settlement counts on `asOf` (received on or before it, not reversed by then). */
export function countsOn(settlement: { on: IsoDate; reversedOn: IsoDate | null }, asOf: IsoDate): boolean {
  return settlement.on <= asOf && (settlement.reversedOn === null || settlement.reversedOn > asOf);
}

/**
 * What was still owed on an invoice at the end of `asOf`: its amount less the settlements that
 * counted that day. An invoice issued later owes nothing yet.
 */
export function balanceAsOf(invoice: LedgerInvoice, asOf: IsoDate): number {
  if (invoice.issuedOn > asOf) return 0;
  let balance = invoice.amountMinor;
  for (const settlement of invoice.settlements) {
    if (countsOn(settlement, asOf)) balance = addMinor(balance, -settlement.amountMinor);
  }
  return balance;
}

/** A payment's unapplied remainder (the customer's credit) at the end of `asOf`. */
export function unappliedAsOf(payment: LedgerPayment, asOf: IsoDate): number {
  if (payment.receivedOn > asOf) return 0;
  let unapplied = payment.amountMinor;
  for (const allocation of payment.allocations) {
    if (countsOn({ on: payment.receivedOn, reversedOn: allocation.reversedOn }, asOf)) {
      unapplied = addMinor(unapplied, -allocation.amountMinor);
    }
  }
  return unapplied;
}

/** An invoice with what was owed on it at the end of the as-of date. */
export interface OpenItem {
  invoice: LedgerInvoice;
  balanceMinor: number;
}

/** The invoices with something owed at the end of `asOf`. */
export function openItemsAsOf(invoices: readonly LedgerInvoice[], asOf: IsoDate): OpenItem[] {
  const items: OpenItem[] = [];
  for (const invoice of invoices) {
    const balanceMinor = balanceAsOf(invoice, asOf);
    if (balanceMinor !== 0) items.push({ invoice, balanceMinor });
  }
  return items;
}

/** Days past due of an invoice at the end of `asOf`, on the customer's local calendar. */
export function daysPastDueOn(invoice: Pick<LedgerInvoice, 'dueOn' | 'timeZone'>, asOf: IsoDate): number {
  return daysBetween(invoice.dueOn, localDayOf(asOf, invoice.timeZone));
}

const localDays = new BoundedCache<IsoDate>(1_000);

/**
 * The local date of the start of `asOf` in `zone` (`daysPastDue`'s "today"), remembered: a
 * report asks it once per invoice, with a handful of dates and zones.
 */
export function localDayOf(asOf: IsoDate, zone: string): IsoDate {
  return localDays.get(`${asOf} ${zone}`, () => localDateOf(startOfLocalDay(asOf, zone), zone));
}

/** Total receivables and the part not yet past due, in one currency. */
export interface Receivables {
  totalMinor: number;
  /** Balance of invoices whose due date has not passed (days past due ≤ 0). */
  currentMinor: number;
}

/** Receivables per currency at the end of `asOf`. */
export function receivablesAsOf(invoices: readonly LedgerInvoice[], asOf: IsoDate): Map<string, Receivables> {
  const byCurrency = new Map<string, Receivables>();
  for (const { invoice, balanceMinor } of openItemsAsOf(invoices, asOf)) {
    const entry = byCurrency.get(invoice.currency) ?? { totalMinor: 0, currentMinor: 0 };
    entry.totalMinor = addMinor(entry.totalMinor, balanceMinor);
    if (daysPastDueOn(invoice, asOf) <= 0) entry.currentMinor = addMinor(entry.currentMinor, balanceMinor);
    byCurrency.set(invoice.currency, entry);
  }
  return byCurrency;
}

/** Credit sales per currency: amounts of invoices issued from `from` to `to`, both inclusive. */
export function creditSales(invoices: readonly LedgerInvoice[], from: IsoDate, to: IsoDate): CurrencyAmounts {
  const sales: CurrencyAmounts = new Map();
  for (const invoice of invoices) {
    if (invoice.issuedOn >= from && invoice.issuedOn <= to) addTo(sales, invoice.currency, invoice.amountMinor);
  }
  return sales;
}

/** Currencies in a stable (alphabetical) order. */
export function sortedCurrencies(...maps: ReadonlyArray<ReadonlyMap<string, unknown>>): string[] {
  return [...new Set(maps.flatMap((map) => [...map.keys()]))].sort();
}

/**
 * Makes an invoice's settlements explain its recorded open balance. An imported invoice can
 * arrive part- or fully paid with no allocation behind it (the ERP applied that cash); the
 * difference becomes one settlement dated `knownOn`, the first day Arrears knew of it, so
 * today's balance always equals the ledger's and a past as-of date never invents a payment
 * before it was known.
 */
export function withRecordedBalance(invoice: LedgerInvoice, openBalanceMinor: number, knownOn: IsoDate): LedgerInvoice {
  const applied = invoice.settlements.reduce((sum, s) => (s.reversedOn === null ? addMinor(sum, s.amountMinor) : sum), 0);
  const unexplained = addMinor(addMinor(invoice.amountMinor, -openBalanceMinor), -applied);
  if (unexplained === 0) return invoice;
  const on = knownOn < invoice.issuedOn ? invoice.issuedOn : knownOn;
  return { ...invoice, settlements: [...invoice.settlements, { on, amountMinor: unexplained, reversedOn: null }] };
}

/** What DSO and CEI read from a ledger: receivables on a date, credit sales over a window, each currency's first issue date. */
export interface ReceivablesSource {
  receivablesAsOf(asOf: IsoDate): Map<string, Receivables>;
  /** Amounts of receivables issued from `from` to `to`, both inclusive, per currency. */
  creditSales(from: IsoDate, to: IsoDate): CurrencyAmounts;
  /** The earliest issue date of any receivable in `currency`, or null when there is none. */
  earliestIssuedOn(currency: string): IsoDate | null;
}

/** The receivables source of a list of invoices (computed invoice by invoice). */
export function invoicesSource(invoices: readonly LedgerInvoice[]): ReceivablesSource {
  return {
    receivablesAsOf: (asOf) => receivablesAsOf(invoices, asOf),
    creditSales: (from, to) => creditSales(invoices, from, to),
    earliestIssuedOn: (currency) =>
      invoices.reduce<IsoDate | null>((min, i) => (i.currency === currency && (min === null || i.issuedOn < min) ? i.issuedOn : min), null),
  };
}

/** Credit sales of one currency on one issue date. */
export interface DailySales {
  currency: string;
  issuedOn: IsoDate;
  amountMinor: number;
}

/**
 * The receivables source of figures computed elsewhere (in SQL): receivables on the dates
 * given (asking for another date is a programming error) and the credit sales per issue date.
 */
export function figuresSource(
  receivables: ReadonlyMap<IsoDate, Map<string, Receivables>>,
  sales: readonly DailySales[],
): ReceivablesSource {
  const earliest = new Map<string, IsoDate>();
  for (const day of sales) {
    const known = earliest.get(day.currency);
    if (known === undefined || day.issuedOn < known) earliest.set(day.currency, day.issuedOn);
  }
  return {
    receivablesAsOf: (asOf) => {
      const found = receivables.get(asOf);
      if (found === undefined) throw new Error(`receivables on ${asOf} were not read`);
      return new Map([...found].map(([currency, r]) => [currency, { ...r }]));
    },
    creditSales: (from, to) => {
      const totals: CurrencyAmounts = new Map();
      for (const day of sales) if (day.issuedOn >= from && day.issuedOn <= to) addTo(totals, day.currency, day.amountMinor);
      return totals;
    },
    earliestIssuedOn: (currency) => earliest.get(currency) ?? null,
  };
}
