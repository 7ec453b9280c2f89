import { describe, expect, it } from 'vitest';
import { currencyExponent, formatMoney, minorToDecimal } from '../../../src/templates/money.js';

// Expected strings are CLDR output written out by hand; \u00a0 is the no-break space Intl puts
// between number and code.
describe('formatMoney', () => {
  it.each([
    [123456, 'USD', 'en', '$1,234.56'],
    [123456, 'USD', 'ro', '1.234,56\u00a0USD'],
    [123456, 'USD', 'zh-CN', 'US$1,234.56'],
    [123456, 'EUR', 'en', '€1,234.56'],
    [123456, 'EUR', 'tr', '€1.234,56'],
    [123456, 'EUR', 'de', '1.234,56\u00a0€'],
    [123456, 'CNY', 'zh-CN', '¥1,234.56'],
    [123456, 'CNY', 'en', 'CN¥1,234.56'],
    [123456, 'RON', 'ro', '1.234,56\u00a0RON'],
    [123456, 'RON', 'en', 'RON\u00a01,234.56'],
    [123456, 'TRY', 'tr', '₺1.234,56'],
    [123456, 'TRY', 'en', 'TRY\u00a01,234.56'],
    [123456, 'JPY', 'en', '¥123,456'],
    [123456, 'JPY', 'ja', '￥123,456'],
    [123456, 'JPY', 'zh-CN', 'JP¥123,456'],
    [5, 'USD', 'en', '$0.05'],
    [-1999, 'EUR', 'en', '-€19.99'],
    [0, 'JPY', 'tr', '¥0'],
  ])('%i minor %s in %s → %s', (minor, currency, locale, expected) => {
    expect(formatMoney(minor, currency, locale)).toBe(expected);
  });

  it('stays exact beyond float precision', () => {
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'USD', 'en')).toBe('$90,071,992,547,409.91');
    expect(formatMoney(12345678901234567890n, 'USD', 'en')).toBe('$123,456,789,012,345,678.90');
  });

  it('refuses amounts that are not safe integers', () => {
    expect(() => formatMoney(12.5, 'USD', 'en')).toThrow(/safe integer/);
    expect(() => formatMoney(2 ** 60, 'USD', 'en')).toThrow(/safe integer/);
  });

  it('takes the exponent from Intl', () => {
    expect([currencyExponent('JPY'), currencyExponent('USD'), currencyExponent('BHD')]).toEqual([0, 2, 3]);
    expect(minorToDecimal(-7, 3)).toBe('-0.007');
  });
});
