import { describe, expect, it } from 'vitest';
import { convertToBase, crossRate, rateProblem, sumInBase, type RatesInForce } from '../../../src/core/money.js';

const rates = (base: string, list: Array<[string, string, string]>): RatesInForce => ({
  base,
  asOf: '2026-12-04',
  rates: new Map(list.map(([currency, rate, rateDate]) => [currency, { currency, rate, rateDate }])),
});

const EUR = rates('EUR', [
  ['USD', '1.0842', '2026-12-04'],
  ['TRY', '37.5', '2026-12-03'],
  ['JPY', '162.15', '2026-12-04'],
  ['KWD', '0.3321', '2026-12-04'],
]);

describe('convertToBase', () => {
  it('converts minor units with each currency its own exponent, rounding half-up', () => {
    // 14,412.00 USD / 1.0842 = 13,292.75... EUR
    expect(convertToBase(1_441_200, 'USD', EUR)).toEqual({ ok: true, minor: 1_329_275n, currency: 'EUR', rateDate: '2026-12-04' });
    // 30,625.00 TRY / 37.5 = 816.666… EUR → 816.67
    expect(convertToBase(3_062_500n, 'TRY', EUR)).toMatchObject({ ok: true, minor: 81_667n, rateDate: '2026-12-03' });
    // JPY has no decimals: 16,215 JPY / 162.15 = 100.00 EUR
    expect(convertToBase(16_215, 'JPY', EUR)).toMatchObject({ ok: true, minor: 10_000n });
    // KWD has three: 3.321 KWD / 0.3321 = 10.00 EUR
    expect(convertToBase(3_321, 'KWD', EUR)).toMatchObject({ ok: true, minor: 1_000n });
  });

  it('rounds an exact half up, and a hair below it down', () => {
    const two = rates('EUR', [['USD', '2', '2026-12-01']]);
    expect(convertToBase(1, 'USD', two)).toMatchObject({ minor: 1n }); // 0.5 → 1
    expect(convertToBase(3, 'USD', two)).toMatchObject({ minor: 2n }); // 1.5 → 2
    const almost = rates('EUR', [['USD', '2.0001', '2026-12-01']]);
    expect(convertToBase(1, 'USD', almost)).toMatchObject({ minor: 0n }); // 0.49998 → 0
  });

  it('leaves the base currency as it is, with no rate date', () => {
    expect(convertToBase(123, 'EUR', EUR)).toEqual({ ok: true, minor: 123n, currency: 'EUR', rateDate: null });
  });

  it('says which currency has no rate instead of guessing', () => {
    expect(convertToBase(100, 'GBP', EUR)).toEqual({ ok: false, currency: 'GBP', reason: 'no rate for GBP on or before 2026-12-04' });
    expect(convertToBase(100, 'XXX', EUR)).toMatchObject({ ok: false, currency: 'XXX' });
  });
});

describe('sumInBase', () => {
  it('adds converted amounts, keeps the rate dates, and leaves out (and names) currencies without a rate', () => {
    const total = sumInBase(
      [
        { minor: 1_441_200, currency: 'USD' },
        { minor: 3_062_500, currency: 'TRY' },
        { minor: 5_000, currency: 'EUR' },
        { minor: 999_999, currency: 'GBP' },
      ],
      EUR,
    );
    expect(total).toEqual({ base: 'EUR', minor: 1_329_275n + 81_667n + 5_000n, rateDates: ['2026-12-03', '2026-12-04'], missing: ['GBP'] });
  });
});

describe('crossRate and rateProblem', () => {
  it('derives rates against another base from two quotes against the same currency', () => {
    expect(crossRate('37.5', '1.0842')).toBe('34.5877144438'); // TRY per USD
    expect(crossRate('1', '1.0842')).toBe('0.9223390518'); // EUR per USD
    expect(crossRate('1.0842', '1.0842')).toBe('1');
  });

  it('accepts positive decimals only', () => {
    expect(rateProblem('1.0842')).toBeNull();
    for (const bad of ['0', '0.0', '-1.2', '1,08', 'N/A', '', '1e3']) expect(rateProblem(bad), bad).toMatch(/is not a rate/);
  });
});
