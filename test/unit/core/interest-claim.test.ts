import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeClaim,
  INTEREST_RULES,
  interestBasisFor,
  referenceRateOn,
  type ClaimInput,
  type ClaimPayment,
  type InterestBasis,
  type ReferenceRate,
  type ReferenceSource,
  type RuleId,
} from '../../../src/core/interest/index.js';

const rate = (source: ReferenceSource, effectiveOn: string, rateBp: number, fixedSum?: [bigint, string]): ReferenceRate => ({
  source,
  effectiveOn,
  rateBp,
  fixedSumMinor: fixedSum?.[0] ?? null,
  fixedSumCurrency: fixedSum?.[1] ?? null,
});

// Published rates the examples need (the README lists their sources).
const RATES: ReferenceRate[] = [
  rate('boe-bank-rate', '2009-03-05', 50),
  rate('boe-bank-rate', '2016-08-04', 25),
  rate('boe-bank-rate', '2023-06-22', 500),
  rate('boe-bank-rate', '2023-08-03', 525),
  rate('boe-bank-rate', '2024-08-01', 500),
  rate('boe-bank-rate', '2024-11-07', 475),
  rate('boe-bank-rate', '2025-02-06', 450),
  rate('ecb-mro', '2023-09-20', 450),
  rate('ecb-mro', '2024-06-12', 425),
  rate('ecb-mro', '2024-09-18', 365),
  rate('ecb-mro', '2024-12-18', 315),
  rate('ecb-mro', '2025-02-05', 290),
  rate('nbr-reference', '2023-01-11', 700),
  rate('nbr-reference', '2024-07-08', 675),
  rate('tcmb-ttk-1530', '2024-01-01', 4800, [131_000n, 'TRY']),
  rate('tcmb-ttk-1530', '2025-01-01', 5325, [147_500n, 'TRY']),
];

const statutory = (id: RuleId): InterestBasis => ({ kind: 'statutory', rule: INTEREST_RULES[id] });

function claim(overrides: Partial<ClaimInput> & Pick<ClaimInput, 'invoice' | 'asOf'>) {
  return computeClaim({
    payments: [],
    basis: statutory('uk-late-payment'),
    referenceRates: RATES,
    allocation: 'principal-first',
    exchange: null,
    ...overrides,
  });
}

const invoice = (currency: string, amountMinor: bigint, dueOn: string) => ({ number: 'INV-1', currency, amountMinor, dueOn });

describe('worked examples', () => {
  it('UK (GOV.UK guidance): £1,000 at 0.5 % base + 8 % = £85 a year, about 23p a day', () => {
    const oneDay = claim({ invoice: invoice('GBP', 100_000n, '2015-03-01'), asOf: '2015-03-02' });
    expect(oneDay.interestMinor).toBe(23n);
    expect(oneDay.periods).toEqual([
      { from: '2015-03-02', to: '2015-03-02', days: 1, principalMinor: 100_000n, rateBp: 850, referenceBp: 50, fixedOn: '2014-12-31' },
    ]);
    // 50 days: 1,000 × 8.5 % × 50 / 365 = 11.6438… → £11.64, rounded once (not 50 × 23p).
    const fifty = claim({ invoice: invoice('GBP', 100_000n, '2015-03-01'), asOf: '2015-04-20' });
    expect(fifty.daysLate).toBe(50);
    expect(fifty.interestMinor).toBe(1_164n);
    expect(fifty.compensation).toEqual({ minor: 7_000n, currency: 'GBP', converted: null });
  });

  it('UK compensation bands: £40 below £1,000, £70 below £10,000, £100 from £10,000', () => {
    const comp = (amount: bigint) => claim({ invoice: invoice('GBP', amount, '2025-03-01'), asOf: '2025-03-10' }).compensation?.minor;
    expect(comp(99_999n)).toBe(4_000n);
    expect(comp(100_000n)).toBe(7_000n);
    expect(comp(999_999n)).toBe(7_000n);
    expect(comp(1_000_000n)).toBe(10_000n);
  });

  it('UK keeps the rate of the 30 June before the claim for its whole life, through Bank Rate changes', () => {
    // Interest starts 2023-12-21 → Bank Rate in force on 30 June 2023 (5.00 %) + 8 = 13 %, to the end,
    // although Bank Rate went to 5.25 % and back to 5.00 % meanwhile.
    const c = claim({ invoice: invoice('GBP', 1_000_000n, '2023-12-20'), asOf: '2024-08-31' });
    expect(c.periods).toHaveLength(1);
    expect(c.periods[0]).toMatchObject({ rateBp: 1300, fixedOn: '2023-06-30', days: 255 });
    // 10,000 × 13 % × 255 / 365 = 908.2191… → £908.22
    expect(c.interestMinor).toBe(90_822n);
  });

  it('UK, an invoice already paid late: interest to the payment day and compensation stay claimable', () => {
    const c = claim({
      invoice: invoice('GBP', 500_000n, '2025-01-31'),
      payments: [{ receivedOn: '2025-03-12', amountMinor: 500_000n }],
      asOf: '2025-06-30',
    });
    expect(c.outstandingMinor).toBe(0n);
    expect(c.daysLate).toBe(40);
    // Rate of 31 Dec 2024: 4.75 % + 8 = 12.75 %; 5,000 × 12.75 % × 40 / 365 = 69.863… → £69.86
    expect(c.interestMinor).toBe(6_986n);
    expect(c.compensation?.minor).toBe(7_000n);
  });

  it('EU (Irish guidance): from 1 July 2024, ECB 4.25 % + 8 = 12.25 %, calculated daily', () => {
    const c = claim({ basis: statutory('eu-late-payment'), invoice: invoice('EUR', 1_000_000n, '2024-07-01'), asOf: '2024-07-31' });
    expect(c.periods[0]).toMatchObject({ rateBp: 1225, referenceBp: 425, fixedOn: '2024-07-01', days: 30 });
    // 10,000 × 12.25 % × 30 / 365 = 100.684… → €100.68
    expect(c.interestMinor).toBe(10_068n);
    expect(c.compensation).toEqual({ minor: 4_000n, currency: 'EUR', converted: null });
  });

  it('EU, a claim spanning a rate change: split at 1 January, each half-year at its own reference rate', () => {
    const c = claim({ basis: statutory('eu-late-payment'), invoice: invoice('EUR', 1_000_000n, '2024-12-01'), asOf: '2025-01-31' });
    expect(c.periods.map((p) => [p.from, p.to, p.days, p.rateBp])).toEqual([
      ['2024-12-02', '2024-12-31', 30, 1225],
      ['2025-01-01', '2025-01-31', 31, 1115],
    ]);
    // 10,000 × (12.25 % × 30 + 11.15 % × 31) / 365 = 100.6849 + 94.6986 = 195.3835 → €195.38
    expect(c.interestMinor).toBe(19_538n);
  });

  it('Romania: NBR reference rate of 1 July 2023 (7.00 %) + 8; €40 in lei at the due date’s rate', () => {
    const c = claim({
      basis: statutory('ro-law-72-2013'),
      invoice: invoice('RON', 1_000_000n, '2023-06-30'),
      asOf: '2023-12-31',
      exchange: { base: 'EUR', rates: [{ currency: 'RON', rate: '4.9634', rateDate: '2023-06-30' }] },
    });
    expect(c.periods[0]).toMatchObject({ rateBp: 1500, fixedOn: '2023-07-01', days: 184 });
    // 10,000 × 15 % × 184 / 365 = 756.164… → 756.16 lei
    expect(c.interestMinor).toBe(75_616n);
    // 40 × 4.9634 = 198.536 → 198.54 lei
    expect(c.compensation).toEqual({
      minor: 19_854n,
      currency: 'RON',
      converted: { fromMinor: 4_000n, fromCurrency: 'EUR', rateDates: ['2023-06-30'] },
    });
  });

  it('Turkey: the TCMB’s yearly rate (48 % in 2024, 53.25 % in 2025), split at the new year; 2024’s minimum compensation', () => {
    const c = claim({ basis: statutory('tr-ttk-1530'), invoice: invoice('TRY', 10_000_000n, '2024-12-15'), asOf: '2025-01-14' });
    expect(c.periods.map((p) => [p.days, p.rateBp])).toEqual([
      [16, 4800],
      [14, 5325],
    ]);
    // 100,000 × (48 % × 16 + 53.25 % × 14) / 365 = 4,146.575… → 4,146.58 TL
    expect(c.interestMinor).toBe(414_658n);
    expect(c.compensation).toEqual({ minor: 131_000n, currency: 'TRY', converted: null });
  });
});

describe('the claim', () => {
  it('is not late on the due date, and is from the day after', () => {
    expect(claim({ invoice: invoice('GBP', 100_000n, '2025-03-01'), asOf: '2025-03-01' })).toMatchObject({
      daysLate: 0,
      interestMinor: 0n,
      compensation: null,
    });
    expect(claim({ invoice: invoice('GBP', 100_000n, '2025-03-01'), asOf: '2025-03-02' }).daysLate).toBe(1);
  });

  it('part payments reduce the principal from the day after they arrive', () => {
    const c = claim({
      basis: { kind: 'contract', rateBp: 1000 },
      invoice: invoice('EUR', 365_000n, '2025-01-01'),
      payments: [{ receivedOn: '2025-01-11', amountMinor: 182_500n }],
      asOf: '2025-01-21',
    });
    expect(c.periods.map((p) => [p.from, p.to, p.principalMinor])).toEqual([
      ['2025-01-02', '2025-01-11', 365_000n],
      ['2025-01-12', '2025-01-21', 182_500n],
    ]);
    // 3,650 × 10 % × 10 / 365 + 1,825 × 10 % × 10 / 365 = 10.00 + 5.00
    expect(c.interestMinor).toBe(1_500n);
    expect(c.compensation).toBeNull(); // a contractual rate replaces the statute's remedy
  });

  it('interest-first allocation puts a payment against accrued interest before principal', () => {
    const base = {
      basis: { kind: 'contract', rateBp: 1000 } as InterestBasis,
      invoice: invoice('EUR', 365_000n, '2025-01-01'),
      payments: [{ receivedOn: '2025-01-11', amountMinor: 365_000n }],
      asOf: '2025-01-21',
    };
    const principalFirst = claim({ ...base, allocation: 'principal-first' });
    const interestFirst = claim({ ...base, allocation: 'interest-first' });
    expect(principalFirst).toMatchObject({ outstandingMinor: 0n, interestMinor: 1_000n, interestPaidMinor: 0n, daysLate: 10 });
    // €10.00 of the payment covers the interest; €10.00 of principal keeps accruing.
    expect(interestFirst).toMatchObject({ outstandingMinor: 1_000n, interestPaidMinor: 1_000n, daysLate: 20 });
    expect(interestFirst.interestMinor).toBe(1_000n + 3n); // + 10.00 × 10 % × 10 / 365 = 0.027 → 0.03
  });

  it('says so when no reference rate is known for a period, instead of guessing', () => {
    const c = claim({ basis: statutory('eu-late-payment'), invoice: invoice('EUR', 1_000_000n, '2025-06-01'), asOf: '2025-07-15' });
    expect(c.interestMinor).toBeNull();
    expect(c.gaps).toEqual([expect.stringContaining('ecb-mro rate on 2025-07-01 unknown')]);
    expect(referenceRateOn(RATES, 'ecb-mro', '2025-01-01')).toMatchObject({ ok: true, rate: { rateBp: 315 } });
    expect(referenceRateOn(RATES, 'ecb-mro', '2020-01-01')).toMatchObject({ ok: false });
  });

  it('names a compensation it cannot convert', () => {
    const c = claim({ basis: statutory('eu-late-payment'), invoice: invoice('USD', 100_000n, '2024-07-01'), asOf: '2024-07-31' });
    expect(c.interestMinor).toBe(1_007n);
    expect(c.compensation).toBeNull();
    expect(c.gaps).toEqual([expect.stringContaining('not converted to USD')]);
  });
});

describe('the basis', () => {
  it('a contractual rate overrides; a consumer gets none without one; else the customer’s rule or the default', () => {
    expect(interestBasisFor({ profile: 'business', interestRule: null, contractRateBp: 500 }, 'uk-late-payment')).toEqual({
      kind: 'contract',
      rateBp: 500,
    });
    expect(
      interestBasisFor({ profile: 'consumer', interestRule: 'uk-late-payment', contractRateBp: null }, 'uk-late-payment'),
    ).toMatchObject({ kind: 'none' });
    expect(interestBasisFor({ profile: 'consumer', interestRule: null, contractRateBp: 300 }, null)).toEqual({
      kind: 'contract',
      rateBp: 300,
    });
    expect(
      interestBasisFor({ profile: 'business', interestRule: 'ro-law-72-2013', contractRateBp: null }, 'uk-late-payment'),
    ).toMatchObject({
      kind: 'statutory',
      rule: { id: 'ro-law-72-2013' },
    });
    expect(interestBasisFor({ profile: 'business', interestRule: null, contractRateBp: null }, null)).toMatchObject({ kind: 'none' });
    expect(interestBasisFor({ profile: 'business', interestRule: 'none', contractRateBp: null }, 'eu-late-payment')).toMatchObject({
      kind: 'none',
    });
  });
});

describe('properties', () => {
  const day = (offset: number) => new Date(Date.UTC(2023, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10);
  const arbitraryPayments = fc.array(
    fc.record({ offset: fc.integer({ min: 0, max: 700 }), amount: fc.bigInt({ min: 1n, max: 500_000n }) }),
    { maxLength: 5 },
  );
  const arbitraryClaim = fc.record({
    rule: fc.constantFrom<RuleId>('uk-late-payment', 'eu-late-payment', 'ro-law-72-2013', 'tr-ttk-1530'),
    amount: fc.bigInt({ min: 1n, max: 10_000_000_000n }),
    due: fc.integer({ min: 0, max: 500 }),
    payments: arbitraryPayments,
    allocation: fc.constantFrom<'principal-first' | 'interest-first'>('principal-first', 'interest-first'),
  });
  // Constant reference rates over the whole range, every source, restated often enough to be known.
  const flat = (bp: number) =>
    (['boe-bank-rate', 'ecb-mro', 'nbr-reference', 'tcmb-ttk-1530'] as const).flatMap((source) =>
      ['2022-06-30', '2022-12-31', '2023-01-01', '2024-01-01', '2025-01-01', '2026-01-01', '2027-01-01'].map((d) =>
        rate(source, d, bp, [4_000n, 'TRY']),
      ),
    );

  const input = (
    c: {
      rule: RuleId;
      amount: bigint;
      due: number;
      payments: Array<{ offset: number; amount: bigint }>;
      allocation: 'principal-first' | 'interest-first';
    },
    asOf: string,
    rates: ReferenceRate[],
  ): ClaimInput => ({
    invoice: invoice(c.rule === 'tr-ttk-1530' ? 'TRY' : c.rule === 'uk-late-payment' ? 'GBP' : 'EUR', c.amount, day(c.due)),
    payments: c.payments.map((p): ClaimPayment => ({ receivedOn: day(p.offset), amountMinor: p.amount })),
    asOf,
    basis: statutory(c.rule),
    referenceRates: rates,
    allocation: c.allocation,
    exchange: null,
  });

  it('interest never decreases as time passes and is never negative', () => {
    fc.assert(
      fc.property(arbitraryClaim, fc.integer({ min: 0, max: 900 }), fc.integer({ min: 0, max: 200 }), (c, at, more) => {
        const rates = [...RATES.filter((r) => r.effectiveOn < '2025-01-01'), ...flat(375)];
        const earlier = computeClaim(input(c, day(at), rates)).interestMinor!;
        const later = computeClaim(input(c, day(at + more), rates)).interestMinor!;
        expect(earlier).toBeGreaterThanOrEqual(0n);
        expect(later).toBeGreaterThanOrEqual(earlier);
      }),
    );
  });

  it('splitting a claim at half-years with an unchanged rate gives exactly the unsplit total', () => {
    fc.assert(
      fc.property(arbitraryClaim, fc.integer({ min: 0, max: 900 }), fc.integer({ min: 0, max: 2_000 }), (c, at, bp) => {
        const rates = flat(bp);
        const split = computeClaim({ ...input(c, day(at), rates), basis: statutory('eu-late-payment') });
        const whole = computeClaim({ ...input(c, day(at), rates), basis: statutory('uk-late-payment') });
        expect(split.interestMinor).toBe(whole.interestMinor);
        // And each period rounded on its own stays within half a cent per period of the total.
        const perPeriod = split.periods.reduce(
          (sum, p) => sum + (p.principalMinor * BigInt(p.rateBp) * BigInt(p.days) * 2n + 3_650_000n) / 7_300_000n,
          0n,
        );
        const difference = perPeriod - split.interestMinor!;
        expect(difference < 0n ? -difference : difference).toBeLessThanOrEqual(BigInt(Math.ceil(split.periods.length / 2)));
      }),
    );
  });
});
