import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agingFromBalances, agingReport, agingReportJson } from '../../../src/reports/aging.report.js';
import { allowanceFor, parseRates, resolveRates } from '../../../src/reports/allowance.js';
import { agingBuckets } from '../../../src/core/aging.js';
import { DEFAULT_SEED } from '../../support/generators.js';
import { AS_OF, CUSTOMERS, INVOICES, PAYMENTS } from './ledger.fixture.js';

describe('aging report with allowance (hand-computed, see ledger.fixture.ts)', () => {
  const report = agingReport({ asOf: AS_OF, customers: CUSTOMERS, invoices: INVOICES, payments: PAYMENTS });
  const eur = report.currencies.find((c) => c.currency === 'EUR');
  const usd = report.currencies.find((c) => c.currency === 'USD');

  it('totals each bucket per currency from the balances owed on the as-of date', () => {
    // current D 20000 · 1-30 C 30000 + H 10000 · 31-60 B 50000 + G 40000 · 61-90 A 60000 · 90+ E 15001
    expect(eur?.buckets).toEqual({ current: 20000, '1-30': 40000, '31-60': 90000, '61-90': 60000, '90+': 15001 });
    expect(eur?.totalMinor).toBe(225001);
    expect(usd?.buckets).toEqual({ current: 7000, '1-30': 0, '31-60': 0, '61-90': 0, '90+': 0 });
  });

  it('applies the default rates per bucket, rounding half-up, and nets them off', () => {
    // 1% of 20000 = 200 · 3% of 40000 = 1200 · 10% of 90000 = 9000 · 25% of 60000 = 15000
    // 50% of 15001 = 7500.5 → 7501; total 32901; NRV 225001 − 32901 = 192100
    expect(eur?.allowance).toEqual({ current: 200, '1-30': 1200, '31-60': 9000, '61-90': 15000, '90+': 7501 });
    expect(eur?.allowanceMinor).toBe(32901);
    expect(eur?.netRealisableMinor).toBe(192100);
    // USD: 1% of 7000 = 70, NRV 6930
    expect([usd?.allowanceMinor, usd?.netRealisableMinor]).toEqual([70, 6930]);
  });

  it('shows the unapplied credit beside the receivables, not netted', () => {
    expect(eur?.unappliedCreditMinor).toBe(5000);
    expect(usd?.unappliedCreditMinor).toBe(0);
  });

  it('totals per customer and currency', () => {
    expect(report.customers.map((c) => [c.customer.externalId, c.currency, c.totalMinor])).toEqual([
      ['C-1', 'EUR', 160000],
      ['C-2', 'EUR', 65001],
      ['C-2', 'USD', 7000],
    ]);
    expect(report.customers[1]?.buckets).toEqual({ current: 0, '1-30': 10000, '31-60': 40000, '61-90': 0, '90+': 15001 });
  });

  it('ages by days since issue on the invoice basis', () => {
    // A 111 d, E 181 d → 90+ · B 70, G 85 → 61-90 · C 34, H 58 → 31-60 · D 11 → 1-30
    const byIssue = agingReport({
      asOf: AS_OF,
      customers: CUSTOMERS,
      invoices: INVOICES,
      payments: [],
      config: { basis: 'invoice', edges: [30, 60, 90] },
    });
    expect(byIssue.currencies[0]?.buckets).toEqual({ current: 0, '1-30': 20000, '31-60': 40000, '61-90': 90000, '90+': 75001 });
  });

  it('is right for a past date even after later payments and reversals', () => {
    // On 2026-03-15: A owed 60000, 65 d (61-90) · B 50000, 24 d (1-30) · C 30000 and F 25000
    // not yet due (current; F is paid only on 03-25) · D not issued · E 15001 (90+) · G 40000,
    // 39 d (31-60) · H paid on 03-10, its reversal comes only on 03-20 → owes nothing.
    const past = agingReport({ asOf: '2026-03-15', customers: CUSTOMERS, invoices: INVOICES, payments: PAYMENTS });
    const eurPast = past.currencies.find((c) => c.currency === 'EUR');
    expect(eurPast?.buckets).toEqual({ current: 55000, '1-30': 50000, '31-60': 40000, '61-90': 60000, '90+': 15001 });
    expect(eurPast?.unappliedCreditMinor).toBe(0);
  });

  it('uses configurable edges, taking missing rates from the standard bucket the first day falls in', () => {
    const buckets = agingBuckets([15, 45]);
    expect(resolveRates(buckets, { '45+': '40' })).toEqual({ current: '1', '1-15': '3', '16-45': '3', '45+': '40' });
    expect(() => resolveRates(buckets, { '1-30': '3' })).toThrow(/no aging bucket called 1-30/);
  });
});

describe('allowance arithmetic', () => {
  it.each([
    { amount: 1250, rate: '3', expected: 38 }, // 37.5 → 38
    { amount: 1250, rate: '2.5', expected: 31 }, // 31.25 → 31
    { amount: 5, rate: '10', expected: 1 }, // 0.5 → 1
    { amount: 4, rate: '10', expected: 0 }, // 0.4 → 0
    { amount: -1250, rate: '3', expected: -38 }, // half away from zero
    { amount: 9007199254740991, rate: '100', expected: 9007199254740991 }, // no float on the way
    { amount: 123456789, rate: '0.0001', expected: 123 }, // 123.456789 → 123
  ])('$rate% of $amount is $expected', ({ amount, rate, expected }) => {
    expect(allowanceFor(amount, rate)).toBe(expected);
  });

  it('parses --rates and refuses malformed ones', () => {
    expect(parseRates('current=1, 1-30=3,90+=50.25')).toEqual({ current: '1', '1-30': '3', '90+': '50.25' });
    expect(() => parseRates('current=abc')).toThrow(/percent/);
    expect(() => parseRates('current=101')).toThrow(/100%/);
    expect(() => parseRates('current')).toThrow(/current=1/);
  });
});

describe('aging report as JSON from rows already serialised (the pre-aggregate pass-through)', () => {
  const labels = agingBuckets([30, 60, 90]).map((b) => b.label);
  const row = fc.record({
    externalId: fc.constantFrom('C-1', 'C-10', 'C-2', 'c-2', 'a', 'Ä', 'é', 'e\u0301', 'Z 9', '-x', '10', '9'),
    name: fc.string({ unit: fc.constantFrom('a', '"', '\\', '\n', '\u0001', 'ş', '😀', '\u2028'), maxLength: 6 }),
    currencies: fc.uniqueArray(fc.constantFrom('EUR', 'USD', 'GBP'), { minLength: 1, maxLength: 3 }),
    amounts: fc.array(fc.integer({ min: -1_000_000, max: 1_000_000_000 }), { minLength: 15, maxLength: 15 }),
  });
  const rows = fc.uniqueArray(row, { selector: (r) => r.externalId, maxLength: 8 });

  /** The balances as CustomerBucketAmounts, and as `SerialisedAgingRows` in the same order. */
  function both(customers: Array<typeof row extends fc.Arbitrary<infer T> ? T : never>, currencyOrder: (c: string[]) => string[]) {
    const balances = customers.flatMap((c, i) =>
      currencyOrder(c.currencies).map((currency, j) => ({
        customer: { id: `id-${i}`, externalId: c.externalId, name: c.name, locale: 'en', timeZone: 'UTC' },
        currency,
        amounts: c.amounts.slice(j * 5, j * 5 + 5),
      })),
    );
    const json = balances.map((b) =>
      JSON.stringify({
        customer: b.customer,
        currency: b.currency,
        buckets: Object.fromEntries(labels.map((l, i) => [l, b.amounts[i]])),
        totalMinor: b.amounts.reduce((s, a) => s + a, 0),
      }),
    );
    const serialised = {
      buckets: labels.length,
      externalIds: customers.map((c) => c.externalId),
      currencyCounts: customers.map((c) => c.currencies.length),
      currencies: balances.map((b) => b.currency),
      amounts: balances.flatMap((b) => b.amounts),
      json: Buffer.from(json.join(',')),
    };
    return { balances, serialised };
  }

  it('gives the bytes JSON.stringify gives for the report assembled from the same balances, in order or not', () => {
    const credit = new Map([
      ['EUR', 500],
      ['CHF', 7],
    ]);
    fc.assert(
      fc.property(rows, fc.boolean(), (customers, sorted) => {
        const collator = new Intl.Collator();
        // Sorted as the report sorts (the pass-through), or in any order (parsed and sorted again).
        const ordered = sorted ? [...customers].sort((a, b) => collator.compare(a.externalId, b.externalId)) : customers;
        const { balances, serialised } = both(ordered, (c) => (sorted ? [...c].sort(collator.compare) : c));
        const expected = JSON.stringify(agingFromBalances({ asOf: AS_OF, customers: balances, credit }));
        expect(agingReportJson({ asOf: AS_OF, rows: serialised, credit }).toString('utf8')).toBe(expected);
      }),
      { numRuns: 300, seed: DEFAULT_SEED },
    );
  });

  it('sorts rows that the serialiser left out of order, and refuses amounts past the safe-integer range', () => {
    const { serialised } = both(
      [
        { externalId: 'C-2', name: 'Two', currencies: ['USD', 'EUR'], amounts: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
        { externalId: 'C-1', name: 'One', currencies: ['EUR'], amounts: [5, 0, 0, 0, 0] },
      ],
      (c) => c,
    );
    const report = JSON.parse(agingReportJson({ asOf: AS_OF, rows: serialised, credit: new Map() }).toString('utf8')) as {
      customers: Array<{ customer: { externalId: string }; currency: string }>;
      currencies: Array<{ currency: string; totalMinor: number }>;
    };
    expect(report.customers.map((c) => `${c.customer.externalId} ${c.currency}`)).toEqual(['C-1 EUR', 'C-2 EUR', 'C-2 USD']);
    expect(report.currencies.map((c) => [c.currency, c.totalMinor])).toEqual([
      ['EUR', 45],
      ['USD', 15],
    ]);
    const huge = { ...serialised, amounts: [Number.MAX_SAFE_INTEGER, 1, ...serialised.amounts.slice(2)] };
    expect(() => agingReportJson({ asOf: AS_OF, rows: huge, credit: new Map() })).toThrow(RangeError);
  });
});
