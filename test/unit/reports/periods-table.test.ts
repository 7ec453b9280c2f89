import { describe, expect, it } from 'vitest';
import { parsePeriodLength, periodEnding, trailingMonth } from '../../../src/reports/periods.js';
import { money, renderCsv, renderText } from '../../../src/reports/table.js';

describe('report periods', () => {
  it('trailing months ending on a month end are calendar months', () => {
    expect(trailingMonth('2026-03-31', 1)).toEqual({ from: '2026-03-01', to: '2026-03-31', days: 31 });
    expect(trailingMonth('2026-03-31', 2)).toEqual({ from: '2026-02-01', to: '2026-02-28', days: 28 });
  });

  it('trailing months meet without gaps, clamping at month ends', () => {
    // 2026-03-30 − 1 month = 02-28 (clamped), − 2 months = 01-30
    expect(trailingMonth('2026-03-30', 1)).toEqual({ from: '2026-03-01', to: '2026-03-30', days: 30 });
    expect(trailingMonth('2026-03-30', 2)).toEqual({ from: '2026-01-31', to: '2026-02-28', days: 29 });
    // leap year: 2028-03-31 − 1 month = 02-29
    expect(trailingMonth('2028-03-31', 2)).toEqual({ from: '2028-02-01', to: '2028-02-29', days: 29 });
  });

  it('periods of days and months end on the as-of date', () => {
    expect(periodEnding('2026-03-31', parsePeriodLength('90d'))).toEqual({ from: '2026-01-01', to: '2026-03-31', days: 90 });
    expect(periodEnding('2026-05-15', parsePeriodLength('3m'))).toEqual({ from: '2026-02-16', to: '2026-05-15', days: 89 });
    expect(() => parsePeriodLength('90')).toThrow(/90d or 3m/);
    expect(() => parsePeriodLength('0d')).toThrow(/90d or 3m/);
  });
});

describe('tables', () => {
  const table = {
    columns: ['customer', 'balance', 'dso'],
    rows: [
      ['Smith, "Jo"', money(123456, 'EUR'), 12.5],
      ['Yen Co', money(500, 'JPY'), null],
    ],
  };

  it('CSV quotes what needs quoting and keeps money in minor units', () => {
    expect(renderCsv(table)).toBe('customer,balance,dso\r\n"Smith, ""Jo""",123456,12.5\r\nYen Co,500,\r\n');
  });

  it('the text table shows major units, numbers right-aligned', () => {
    expect(renderText(table).split('\n')).toEqual([
      'customer     balance   dso',
      '-----------  -------  ----',
      'Smith, "Jo"  1234.56  12.5',
      'Yen Co           500',
      '',
    ]);
  });
});
