import { describe, expect, it } from 'vitest';
import { parseRatesCsv } from '../../../src/ingest/exchange-rates.js';
import { HeaderError } from '../../../src/ingest/header.js';

async function* chunks(text: string) {
  yield text;
}

// The ECB history's shape: newest first, a trailing comma, N/A where there is no rate, and
// withdrawn currencies (CYP) that are not ISO 4217 codes in use any more.
const HISTORY = `Date,USD,JPY,TRY,CYP,
2026-12-04,1.0842,162.15,37.5,N/A,
2026-12-03,1.0800,161.00,N/A,N/A,
`;

describe('parseRatesCsv', () => {
  it('reads the ECB history against EUR, skipping N/A cells and withdrawn currencies', async () => {
    const parsed = await parseRatesCsv(chunks(HISTORY), 'EUR', 'ecb');
    expect(parsed.rejected).toEqual([]);
    expect(parsed.lines).toBe(2);
    expect(parsed.skippedColumns).toEqual(['CYP']);
    expect(parsed.rates).toEqual([
      { currency: 'USD', rateDate: '2026-12-04', rate: '1.0842', source: 'ecb' },
      { currency: 'JPY', rateDate: '2026-12-04', rate: '162.15', source: 'ecb' },
      { currency: 'TRY', rateDate: '2026-12-04', rate: '37.5', source: 'ecb' },
      { currency: 'USD', rateDate: '2026-12-03', rate: '1.0800', source: 'ecb' },
      { currency: 'JPY', rateDate: '2026-12-03', rate: '161.00', source: 'ecb' },
    ]);
  });

  it("reads the daily file's spaced header and long dates", async () => {
    const parsed = await parseRatesCsv(chunks('Date, USD, JPY, \n4 December 2026, 1.0842, 162.15, \n'), 'EUR', 'ecb');
    expect(parsed.rates.map((r) => [r.currency, r.rateDate, r.rate])).toEqual([
      ['USD', '2026-12-04', '1.0842'],
      ['JPY', '2026-12-04', '162.15'],
    ]);
  });

  it('derives cross rates when the base is not EUR, EUR included', async () => {
    const parsed = await parseRatesCsv(chunks(HISTORY), 'USD', 'ecb');
    expect(parsed.rates.filter((r) => r.rateDate === '2026-12-04')).toEqual([
      { currency: 'JPY', rateDate: '2026-12-04', rate: '149.5572772551', source: 'ecb' },
      { currency: 'TRY', rateDate: '2026-12-04', rate: '34.5877144438', source: 'ecb' },
      { currency: 'EUR', rateDate: '2026-12-04', rate: '0.9223390518', source: 'ecb' },
    ]);
  });

  it('rejects bad lines with their line numbers and the column at fault, and keeps the good ones', async () => {
    const file = [
      'Date,USD,JPY',
      '2026-12-04,1.0842,162.15',
      '2026-13-01,1.08,160',
      '2026-12-02,abc,-5',
      '2026-12-04,1.09,163',
      '',
      '2026-12-01,1.07,159,12',
    ].join('\n');
    const parsed = await parseRatesCsv(chunks(file), 'EUR', 'ecb');
    expect(parsed.rejected.map((r) => [r.line, r.reason])).toEqual([
      [3, 'Date: "2026-13-01" is not a date such as 2026-12-04 or 4 December 2026'],
      [
        4,
        'USD: "abc" is not a rate; rates are positive decimals such as 1.0842; JPY: "-5" is not a rate; rates are positive decimals such as 1.0842',
      ],
      [5, 'Date: 2026-12-04 already appears on line 2'],
      [7, '4 values for 3 columns'],
    ]);
    expect(parsed.rates.map((r) => `${r.currency} ${r.rateDate}`)).toEqual(['USD 2026-12-04', 'JPY 2026-12-04']);
  });

  it('cannot derive cross rates on a day without the base currency', async () => {
    const parsed = await parseRatesCsv(chunks('Date,USD,TRY\n2026-12-04,N/A,37.5\n'), 'USD', 'ecb');
    expect(parsed.rejected).toEqual([
      {
        line: 2,
        reason: 'USD: no rate on this date, so no rates against the base currency USD can be derived',
        raw: '2026-12-04,N/A,37.5',
      },
    ]);
    expect(parsed.rates).toEqual([]);
  });

  it('refuses a header that is not Date and currency codes, or lacks the base', async () => {
    await expect(parseRatesCsv(chunks('Day,USD\n2026-12-04,1\n'), 'EUR', 'x')).rejects.toThrow(/first column must be "Date"/);
    await expect(parseRatesCsv(chunks('Date,US Dollar\n'), 'EUR', 'x')).rejects.toThrow(/"US Dollar" is not a currency code/);
    await expect(parseRatesCsv(chunks('Date,JPY\n'), 'USD', 'x')).rejects.toBeInstanceOf(HeaderError);
    await expect(parseRatesCsv(chunks(''), 'EUR', 'x')).rejects.toThrow(/empty/);
  });
});
