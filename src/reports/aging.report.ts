import { agingBuckets, bucketFor, defaultAgingConfig, type AgingConfig } from '../core/aging.js';
import { daysBetween, type IsoDate } from '../core/dates.js';
import { allowanceFor, resolveRates } from './allowance.js';
import {
  addMinor,
  addTo,
  localDayOf,
  openItemsAsOf,
  unappliedAsOf,
  type CurrencyAmounts,
  type LedgerInvoice,
  type LedgerPayment,
} from './ledger.js';

/** The customer fields a report shows. */
export interface ReportCustomer {
  id: string;
  externalId: string;
  name: string;
}

/** Balances by bucket label (every bucket present, zero when empty), minor units. */
export type BucketAmounts = Record<string, number>;

/** One currency's aging with its allowance for doubtful accounts. */
export interface CurrencyAging {
  currency: string;
  buckets: BucketAmounts;
  totalMinor: number;
  /** Allowance per bucket: bucket total × rate, rounded half-up per bucket. */
  allowance: BucketAmounts;
  allowanceMinor: number;
  /** Net realisable value: total less allowance. */
  netRealisableMinor: number;
  /** Payments received but not applied to any invoice (shown, not netted). */
  unappliedCreditMinor: number;
}

/** One customer's aging in one currency. */
export interface CustomerAging {
  customer: ReportCustomer;
  currency: string;
  buckets: BucketAmounts;
  totalMinor: number;
}

export interface AgingReport {
  asOf: IsoDate;
  basis: AgingConfig['basis'];
  /** Bucket labels, youngest first. */
  buckets: string[];
  /** Allowance rate per bucket, percent. */
  rates: Record<string, string>;
  currencies: CurrencyAging[];
  /** Sorted by customer external id, then currency. */
  customers: CustomerAging[];
}

export interface AgingInput {
  asOf: IsoDate;
  customers: readonly ReportCustomer[];
  invoices: readonly LedgerInvoice[];
  payments: readonly LedgerPayment[];
  config?: AgingConfig;
  /** Rates by bucket label; missing ones take the defaults (see `resolveRates`). */
  rates?: Readonly<Record<string, string>>;
}

/** One customer's open balances in one currency, per bucket (by index into the buckets, youngest first). */
export interface CustomerBucketAmounts {
  customer: ReportCustomer;
  currency: string;
  /** Minor units per bucket index; every index present. */
  amounts: number[];
}

/** What the aging is assembled from: the open balances bucketed per customer and currency, and the unapplied credit. */
export interface AgingBalances {
  asOf: IsoDate;
  config?: AgingConfig;
  rates?: Readonly<Record<string, string>>;
  /** One entry per customer and currency with at least one invoice owing something (non-zero) on `asOf`. */
  customers: readonly CustomerBucketAmounts[];
  /** Unapplied payments per currency on `asOf`. */
  credit: CurrencyAmounts;
}

const collator = new Intl.Collator();

/** The order of the report's customer rows: by external id, then currency (Intl.Collator). */
function compareRows(a: CustomerAging, b: CustomerAging): number {
  // Intl.Collator's compare is localeCompare's, without building a collator per call.
  return collator.compare(a.customer.externalId, b.customer.externalId) || collator.compare(a.currency, b.currency);
}

/** The report without its customer rows: labels, rates, and per currency the totals, allowance and credit. */
function agingSummary(input: {
  asOf: IsoDate;
  config?: AgingConfig;
  rates?: Readonly<Record<string, string>>;
  /** Per currency, minor units per bucket index. */
  byCurrency: ReadonlyMap<string, readonly number[]>;
  credit: CurrencyAmounts;
}): Omit<AgingReport, 'customers'> {
  const config = input.config ?? defaultAgingConfig;
  const buckets = agingBuckets(config.edges);
  const labels = buckets.map((b) => b.label);
  const rates = resolveRates(buckets, input.rates);
  const credit = input.credit;
  const currencies = [...new Set([...input.byCurrency.keys(), ...[...credit].filter(([, v]) => v !== 0).map(([c]) => c)])].sort();
  return {
    asOf: input.asOf,
    basis: config.basis,
    buckets: labels,
    rates,
    currencies: currencies.map((currency) => {
      const totals = input.byCurrency.get(currency);
      const amounts = Object.fromEntries(labels.map((label, i) => [label, totals?.[i] ?? 0]));
      const allowance = Object.fromEntries(labels.map((l) => [l, allowanceFor(amounts[l] ?? 0, rates[l] ?? '0')]));
      const totalMinor = labels.reduce((sum, l) => addMinor(sum, amounts[l] ?? 0), 0);
      const allowanceMinor = labels.reduce((sum, l) => addMinor(sum, allowance[l] ?? 0), 0);
      return {
        currency,
        buckets: amounts,
        totalMinor,
        allowance,
        allowanceMinor,
        netRealisableMinor: addMinor(totalMinor, -allowanceMinor),
        unappliedCreditMinor: credit.get(currency) ?? 0,
      };
    }),
  };
}

/** Adds one row's amounts (per bucket index) to its currency's totals; returns their sum. */
function addToCurrency(byCurrency: Map<string, number[]>, currency: string, amounts: ArrayLike<number>, buckets: number, from = 0): number {
  const totals = byCurrency.get(currency) ?? new Array<number>(buckets).fill(0);
  let totalMinor = 0;
  for (let i = 0; i < buckets; i += 1) {
    const amount = amounts[from + i] ?? 0;
    totals[i] = addMinor(totals[i] ?? 0, amount);
    totalMinor = addMinor(totalMinor, amount);
  }
  byCurrency.set(currency, totals);
  return totalMinor;
}

/**
 * The aging report from bucketed balances: per-currency totals, allowance and net realisable
 * value, and the per-customer rows. `agingReport` (invoice by invoice) and the set-based source
 * (src/db/reports.repository.ts, bucketed in SQL) both end here.
 */
export function agingFromBalances(input: AgingBalances): AgingReport {
  const config = input.config ?? defaultAgingConfig;
  const labels = agingBuckets(config.edges).map((b) => b.label);
  const byCurrency = new Map<string, number[]>();
  const customers: CustomerAging[] = [];
  for (const row of input.customers) {
    const totalMinor = addToCurrency(byCurrency, row.currency, row.amounts, labels.length);
    const own = Object.fromEntries(labels.map((label, i) => [label, row.amounts[i] ?? 0]));
    customers.push({ customer: row.customer, currency: row.currency, buckets: own, totalMinor });
  }
  return {
    ...agingSummary({ ...input, byCurrency }),
    customers: customers.sort(compareRows),
  };
}

/** The customer rows of an aging report already serialised (see `copyAgingRowsPreaggregated`). */
export interface SerialisedAgingRows {
  /** Buckets per currency row (the labels' count). */
  buckets: number;
  /** Each customer's external id, in the order the rows come. */
  externalIds: readonly string[];
  /** Each customer's number of rows (currencies). */
  currencyCounts: readonly number[];
  /** Each row's currency: the customers in order, each one's currencies in the order its rows come. */
  currencies: readonly string[];
  /** Each row's minor units per bucket index, `buckets` numbers a row. */
  amounts: ArrayLike<number>;
  /** The rows' JSON objects (`CustomerAging`), UTF-8, joined by commas. */
  json: Buffer;
}

/**
 * The aging report as UTF-8 JSON, byte for byte what `JSON.stringify(agingFromBalances(…))` gives
 * for the same balances, from customer rows already serialised: the per-currency totals are
 * summed from the rows' amounts, the rows' bytes are passed through. When the rows are not
 * strictly in the report's order (Intl.Collator by external id, then currency: the serialiser's
 * collation may differ from this ICU's, or two ids may compare equal), they are parsed and sorted
 * as `agingFromBalances` sorts them.
 */
export function agingReportJson(input: Omit<AgingBalances, 'customers'> & { rows: SerialisedAgingRows }): Buffer {
  const config = input.config ?? defaultAgingConfig;
  const buckets = agingBuckets(config.edges).length;
  const { externalIds, currencyCounts, currencies, amounts, json } = input.rows;
  if (input.rows.buckets !== buckets) throw new RangeError(`rows with ${input.rows.buckets} buckets for an aging with ${buckets}`);
  const byCurrency = new Map<string, number[]>();
  let ordered = true;
  let row = 0;
  for (let i = 0; i < externalIds.length; i += 1) {
    if (i > 0 && collator.compare(externalIds[i - 1]!, externalIds[i]!) >= 0) ordered = false;
    for (let j = 0; j < (currencyCounts[i] ?? 0); j += 1, row += 1) {
      addToCurrency(byCurrency, currencies[row]!, amounts, buckets, row * buckets);
      if (j > 0 && collator.compare(currencies[row - 1]!, currencies[row]!) >= 0) ordered = false;
    }
  }
  const summary = JSON.stringify({ ...agingSummary({ ...input, byCurrency }), customers: [] });
  // `…,"customers":[]}` with the rows inside the brackets
  const customers = ordered
    ? json
    : Buffer.from(
        (JSON.parse(`[${json.toString('utf8')}]`) as CustomerAging[])
          .sort(compareRows)
          .map((r) => JSON.stringify(r))
          .join(','),
      );
  return Buffer.concat([Buffer.from(summary.slice(0, -2)), customers, Buffer.from(']}')]);
}

/**
 * Aging at the end of `asOf`: each invoice's balance on that day, in the bucket of its age on
 * the chosen basis (counted in the customer's zone), totalled per currency and per customer.
 */
export function agingReport(input: AgingInput): AgingReport {
  const config = input.config ?? defaultAgingConfig;
  const buckets = agingBuckets(config.edges);
  const index = new Map(buckets.map((b, i) => [b.label, i]));
  const customers = new Map(input.customers.map((c) => [c.id, c]));

  const byCustomer = new Map<string, CustomerBucketAmounts>();
  for (const { invoice, balanceMinor } of openItemsAsOf(input.invoices, input.asOf)) {
    // ageInvoice's arithmetic, with the local "today" remembered per zone.
    const age = daysBetween(config.basis === 'due' ? invoice.dueOn : invoice.issuedOn, localDayOf(input.asOf, invoice.timeZone));
    const at = index.get(bucketFor(age, config.edges).label) ?? 0;
    const key = `${invoice.customerId}|${invoice.currency}`;
    const customer = customers.get(invoice.customerId);
    if (customer === undefined) throw new Error(`invoice ${invoice.number} names an unknown customer ${invoice.customerId}`);
    const row = byCustomer.get(key) ?? { customer, currency: invoice.currency, amounts: buckets.map(() => 0) };
    row.amounts[at] = addMinor(row.amounts[at] ?? 0, balanceMinor);
    byCustomer.set(key, row);
  }

  const credit: CurrencyAmounts = new Map();
  for (const payment of input.payments) addTo(credit, payment.currency, unappliedAsOf(payment, input.asOf));

  return agingFromBalances({
    asOf: input.asOf,
    ...(input.config ? { config: input.config } : {}),
    ...(input.rates ? { rates: input.rates } : {}),
    customers: [...byCustomer.values()],
    credit,
  });
}
