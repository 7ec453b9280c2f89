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

/**
 * Aging at the end of `asOf`: each invoice's balance on that day, in the bucket of its age on
 * the chosen basis (counted in the customer's zone), totalled per currency and per customer.
 */
export function agingReport(input: AgingInput): AgingReport {
  const config = input.config ?? defaultAgingConfig;
  const buckets = agingBuckets(config.edges);
  const labels = buckets.map((b) => b.label);
  const rates = resolveRates(buckets, input.rates);
  const customers = new Map(input.customers.map((c) => [c.id, c]));

  const byCurrency = new Map<string, BucketAmounts>();
  const byCustomer = new Map<string, CustomerAging>();
  for (const { invoice, balanceMinor } of openItemsAsOf(input.invoices, input.asOf)) {
    // ageInvoice's arithmetic, with the local "today" remembered per zone.
    const age = daysBetween(config.basis === 'due' ? invoice.dueOn : invoice.issuedOn, localDayOf(input.asOf, invoice.timeZone));
    const label = bucketFor(age, config.edges).label;
    const currencyBuckets = byCurrency.get(invoice.currency) ?? emptyBuckets(labels);
    currencyBuckets[label] = addMinor(currencyBuckets[label] ?? 0, balanceMinor);
    byCurrency.set(invoice.currency, currencyBuckets);

    const key = `${invoice.customerId}|${invoice.currency}`;
    const customer = customers.get(invoice.customerId);
    if (customer === undefined) throw new Error(`invoice ${invoice.number} names an unknown customer ${invoice.customerId}`);
    const row = byCustomer.get(key) ?? { customer, currency: invoice.currency, buckets: emptyBuckets(labels), totalMinor: 0 };
    row.buckets[label] = addMinor(row.buckets[label] ?? 0, balanceMinor);
    row.totalMinor = addMinor(row.totalMinor, balanceMinor);
    byCustomer.set(key, row);
  }

  const credit: CurrencyAmounts = new Map();
  for (const payment of input.payments) addTo(credit, payment.currency, unappliedAsOf(payment, input.asOf));

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
    customers: [...byCustomer.values()].sort(
      (a, b) => a.customer.externalId.localeCompare(b.customer.externalId) || a.currency.localeCompare(b.currency),
    ),
  };
}
