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

function emptyBuckets(labels: readonly string[]): BucketAmounts {
  return Object.fromEntries(labels.map((label) => [label, 0]));
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

/**
 * The aging report from bucketed balances: per-currency totals, allowance and net realisable
 * value, and the per-customer rows. `agingReport` (invoice by invoice) and the set-based source
 * (src/db/reports.repository.ts, bucketed in SQL) both end here.
 */
export function agingFromBalances(input: AgingBalances): AgingReport {
  const config = input.config ?? defaultAgingConfig;
  const buckets = agingBuckets(config.edges);
  const labels = buckets.map((b) => b.label);
  const rates = resolveRates(buckets, input.rates);
  const byCurrency = new Map<string, BucketAmounts>();
  const customers: CustomerAging[] = [];
  for (const row of input.customers) {
    const currencyBuckets = byCurrency.get(row.currency) ?? emptyBuckets(labels);
    const own = emptyBuckets(labels);
    let totalMinor = 0;
    labels.forEach((label, i) => {
      const amount = row.amounts[i] ?? 0;
      currencyBuckets[label] = addMinor(currencyBuckets[label] ?? 0, amount);
      own[label] = amount;
      totalMinor = addMinor(totalMinor, amount);
    });
    byCurrency.set(row.currency, currencyBuckets);
    customers.push({ customer: row.customer, currency: row.currency, buckets: own, totalMinor });
  }
  const credit = input.credit;
  const currencies = [...new Set([...byCurrency.keys(), ...[...credit].filter(([, v]) => v !== 0).map(([c]) => c)])].sort();
  return {
    asOf: input.asOf,
    basis: config.basis,
    buckets: labels,
    rates,
    currencies: currencies.map((currency) => {
      const amounts = byCurrency.get(currency) ?? emptyBuckets(labels);
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
    // Intl.Collator's compare is localeCompare's, without building a collator per call.
    customers: customers.sort(
      (a, b) => collator.compare(a.customer.externalId, b.customer.externalId) || collator.compare(a.currency, b.currency),
    ),
  };
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
