import { describe, expect, it } from 'vitest';
import { ceiReport } from '../../../src/reports/cei.report.js';
import { dsoReport } from '../../../src/reports/dso.report.js';
import { receivablesAsOf } from '../../../src/reports/ledger.js';
import { parsePeriodLength } from '../../../src/reports/periods.js';
import { AS_OF, INVOICES } from './ledger.fixture.js';

// Receivables of the fixture ledger at each month end (EUR), worked out from its table:
//   12-31: A 100000 + E 15001 = 115001                               current A = 100000
//   01-31: A 100000 + B 50000 + G 40000 + E 15001 = 205001            current B + G = 90000
//   02-28: A 60000 + B + C 30000 + E + G + H 10000 = 205001           current C + H = 40000
//   03-31: 225001                                                     current D = 20000
// Credit sales: Jan B + G = 90000 · Feb C + H = 40000 · Mar D + F = 45000 · Dec A = 100000.

describe('receivables at month ends', () => {
  it.each([
    { asOf: '2025-12-31', total: 115001, current: 100000 },
    { asOf: '2026-01-31', total: 205001, current: 90000 },
    { asOf: '2026-02-28', total: 205001, current: 40000 },
    { asOf: '2026-03-31', total: 225001, current: 20000 },
  ])('$asOf', ({ asOf, total, current }) => {
    expect(receivablesAsOf(INVOICES, asOf).get('EUR')).toEqual({ totalMinor: total, currentMinor: current });
  });
});

describe('DSO (hand-computed)', () => {
  const report = dsoReport(INVOICES, AS_OF, parsePeriodLength('90d'));
  const eur = report.currencies.find((c) => c.currency === 'EUR');

  it('uses the 90 days ending on the as-of date', () => {
    expect(report.period).toEqual({ from: '2026-01-01', to: '2026-03-31', days: 90 });
    // 3 trailing months ending on a month end are the same three calendar months.
    expect(dsoReport(INVOICES, AS_OF, parsePeriodLength('3m')).period).toEqual(report.period);
  });

  it('standard DSO, best possible DSO, ADD and percent current', () => {
    // sales 90000 + 40000 + 45000 = 175000
    // DSO   = 225001 / 175000 × 90 = 115.7148… → 115.71
    // BPDSO =  20000 / 175000 × 90 =  10.2857… →  10.29
    // ADD   = 115.7148… − 10.2857… = 105.4291… → 105.43
    // %cur  =  20000 / 225001 × 100 = 8.8888… →   8.89
    expect(eur).toMatchObject({
      receivablesMinor: 225001,
      currentMinor: 20000,
      creditSalesMinor: 175000,
      dso: 115.71,
      bestPossibleDso: 10.29,
      averageDaysDelinquent: 105.43,
      percentCurrent: 8.89,
    });
  });

  it('countback DSO walks back month by month', () => {
    // 225001 − Mar 45000 = 180001 (31 d) − Feb 40000 = 140001 (59 d) − Jan 90000 = 50001 (90 d);
    // Dec sales 100000 cover the rest: 90 + 50001 / 100000 × 31 = 105.50031 → 105.5
    expect(eur?.countbackDso).toBe(105.5);
  });

  it('keeps currencies apart', () => {
    // USD: 7000 owed, all current, 7000 sold in March: DSO = BPDSO = 90, ADD 0, 100 % current;
    // countback: March's 7000 cover it at once → 7000 / 7000 × 31 = 31
    expect(report.currencies.find((c) => c.currency === 'USD')).toMatchObject({
      dso: 90,
      bestPossibleDso: 90,
      averageDaysDelinquent: 0,
      percentCurrent: 100,
      countbackDso: 31,
    });
  });

  it('says "undefined" rather than dividing by zero', () => {
    const none = dsoReport(INVOICES, '2025-11-15', parsePeriodLength('30d'));
    // only E (issued 10-01) exists: 15001 owed, no sales in the 30 days; countback: Oct's sales cover it
    expect(none.currencies[0]).toMatchObject({
      creditSalesMinor: 0,
      dso: null,
      bestPossibleDso: null,
      averageDaysDelinquent: null,
      percentCurrent: 0,
    });
    // trailing months to 11-15: (10-15, 11-15] has no sales (31 d), (09-15, 10-15] has E: 31 + 15001/15001 × 30 = 61
    expect(none.currencies[0]?.countbackDso).toBe(61);
  });
});

describe('CEI (hand-computed)', () => {
  const report = ceiReport(INVOICES, AS_OF, 3);
  const eur = report.currencies.find((c) => c.currency === 'EUR');

  it('per month: (beginning + sales − ending) ÷ (beginning + sales − ending current) × 100', () => {
    // Jan: (115001 + 90000 − 205001) / (115001 + 90000 − 90000) = 0 / 115001 = 0
    // Feb: (205001 + 40000 − 205001) / (245001 − 40000) = 40000 / 205001 = 19.512… → 19.51
    // Mar: (205001 + 45000 − 225001) / (250001 − 20000) = 25000 / 230001 = 10.869… → 10.87
    expect(eur?.months.map((m) => [m.window.from, m.window.to, m.cei])).toEqual([
      ['2026-01-01', '2026-01-31', 0],
      ['2026-02-01', '2026-02-28', 19.51],
      ['2026-03-01', '2026-03-31', 10.87],
    ]);
    expect(eur?.months[1]).toMatchObject({
      beginningMinor: 205001,
      creditSalesMinor: 40000,
      endingMinor: 205001,
      endingCurrentMinor: 40000,
    });
  });

  it('over the whole span', () => {
    // (115001 + 175000 − 225001) / (290001 − 20000) = 65000 / 270001 = 24.074… → 24.07
    expect(eur?.span).toMatchObject({
      beginningMinor: 115001,
      creditSalesMinor: 175000,
      endingMinor: 225001,
      endingCurrentMinor: 20000,
      cei: 24.07,
    });
    expect(eur?.span.window).toEqual({ from: '2026-01-01', to: '2026-03-31', days: 90 });
  });

  it('is null where nothing was collectible', () => {
    const usd = report.currencies.find((c) => c.currency === 'USD');
    // Jan, Feb: nothing owed or sold → 0 / 0; Mar: (0 + 7000 − 7000) / (7000 − 7000) → 0 / 0
    expect(usd?.months.map((m) => m.cei)).toEqual([null, null, null]);
  });
});
