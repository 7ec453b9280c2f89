import { describe, expect, it } from 'vitest';
import {
  currencyExponent,
  formatMoney,
  isKnownCurrency,
  parseMajor,
  toMajorString,
  UnknownCurrencyError,
} from '../../../src/core/money.js';

// One amount per currency, through all three conversions: the import's decimal string → minor
// units → the ledger's decimal string → what a customer reads in each shipped locale. Expected
// strings are CLDR output written out by hand, with `_` for the no-break space Intl puts between
// number and code. The decimals always follow ISO 4217, never Intl's display default (HUF, 0).
const nb = (text: string) => text.replaceAll('_', '\u00a0');

// One currency a line, kept as a table.
// prettier-ignore
const TABLE = [
  { currency: 'JPY', exponent: 0, text: '123456', minor: 123456n, en: '¥123,456', ro: '123.456_JPY', tr: '¥123.456', 'zh-CN': 'JP¥123,456' },
  { currency: 'HUF', exponent: 2, text: '1234.50', minor: 123450n, en: 'HUF_1,234.50', ro: '1.234,50_HUF', tr: 'HUF_1.234,50', 'zh-CN': 'HUF_1,234.50' },
  { currency: 'KWD', exponent: 3, text: '1234.567', minor: 1234567n, en: 'KWD_1,234.567', ro: '1.234,567_KWD', tr: 'KWD_1.234,567', 'zh-CN': 'KWD_1,234.567' },
  { currency: 'BHD', exponent: 3, text: '1234.005', minor: 1234005n, en: 'BHD_1,234.005', ro: '1.234,005_BHD', tr: 'BHD_1.234,005', 'zh-CN': 'BHD_1,234.005' },
  { currency: 'CNY', exponent: 2, text: '1234.56', minor: 123456n, en: 'CN¥1,234.56', ro: '1.234,56_CNY', tr: 'CN¥1.234,56', 'zh-CN': '¥1,234.56' },
  { currency: 'TRY', exponent: 2, text: '1234.56', minor: 123456n, en: 'TRY_1,234.56', ro: '1.234,56_TRY', tr: '₺1.234,56', 'zh-CN': 'TRY_1,234.56' },
  { currency: 'USD', exponent: 2, text: '1234.56', minor: 123456n, en: '$1,234.56', ro: '1.234,56_USD', tr: '$1.234,56', 'zh-CN': 'US$1,234.56' },
  { currency: 'EUR', exponent: 2, text: '1234.56', minor: 123456n, en: '€1,234.56', ro: '1.234,56_EUR', tr: '€1.234,56', 'zh-CN': '€1,234.56' },
] as const;
const LOCALES = ['en', 'ro', 'tr', 'zh-CN'] as const;

describe.each(TABLE)('$currency ($exponent decimals per ISO 4217)', (row) => {
  it(`parses "${row.text}" to ${row.minor} minor units and back`, () => {
    expect(currencyExponent(row.currency)).toBe(row.exponent);
    expect(parseMajor(row.text, row.currency)).toEqual({ ok: true, minor: row.minor });
    expect(toMajorString(row.minor, row.currency)).toBe(row.text);
    expect(toMajorString(Number(row.minor), row.currency)).toBe(row.text);
  });

  it.each(LOCALES)('formats in %s', (locale) => {
    expect(formatMoney(row.minor, row.currency, locale)).toBe(nb(row[locale]));
  });
});

describe('parseMajor: major-unit decimals to exact minor units', () => {
  it.each([
    ['0', 'JPY', 0n],
    ['1234.5', 'USD', 123450n],
    ['1234', 'USD', 123400n],
    ['0.1', 'USD', 10n],
    ['0.30', 'USD', 30n],
    ['0.07', 'EUR', 7n],
    ['19.99', 'RON', 1999n],
    ['1.234', 'KWD', 1234n],
    ['0.005', 'BHD', 5n],
    ['12', 'TND', 12000n],
    ['1.5', 'CLF', 15000n],
    ['12', 'HUF', 1200n],
    ['90071992547409.93', 'USD', 9007199254740993n], // beyond a double's exact range
    [' 42.10 ', 'TRY', 4210n],
  ])('%j %s → %s', (text, currency, minor) => {
    expect(parseMajor(text, currency)).toEqual({ ok: true, minor });
  });

  it('adds like integers: 0.1 + 0.2 is exactly 0.3', () => {
    const sum = [parseMajor('0.1', 'USD'), parseMajor('0.2', 'USD')].reduce((total, r) => total + (r.ok ? r.minor : 0n), 0n);
    expect(toMajorString(sum, 'USD')).toBe('0.30');
  });

  it.each([
    ['12.5', 'JPY', '"12.5" has 1 decimals; JPY allows no decimals'],
    ['1.234', 'USD', '"1.234" has 3 decimals; USD allows at most 2 decimals'],
    ['1234.505', 'HUF', 'HUF allows at most 2 decimals'],
    ['1.2345', 'KWD', 'KWD allows at most 3 decimals'],
    ['1,234.56', 'USD', 'not a decimal amount'],
    ['1.234,56', 'EUR', 'not a decimal amount'],
    ['1 234.56', 'EUR', 'not a decimal amount'],
    ['12,50', 'EUR', 'not a decimal amount'],
    ['1e3', 'USD', 'not a decimal amount'],
    ['.5', 'USD', 'not a decimal amount'],
    ['', 'USD', 'not a decimal amount'],
    ['$12', 'USD', 'not a decimal amount'],
    ['-5.00', 'USD', '"-5.00" is negative'],
    ['-0', 'JPY', 'is negative'],
    ['12.00', 'XYZ', '"XYZ" is not an ISO 4217 currency code'],
    ['12.00', 'usd', '"usd" is not an ISO 4217 currency code'],
  ])('rejects %j %s', (text, currency, reason) => {
    const result = parseMajor(text, currency);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });
});

describe('ISO 4217 exponents, not Intl display defaults', () => {
  it.each(
    Object.entries({ HUF: 2, IDR: 2, IQD: 3, CNY: 2, TRY: 2, RON: 2, KRW: 0, CLP: 0, JOD: 3, OMR: 3, TND: 3, LYD: 3, CLF: 4, UYW: 4 }),
  )('%s has %i', (currency, exponent) => {
    expect(currencyExponent(currency)).toBe(exponent);
  });

  it('knows every code Intl knows, except those without a minor unit', () => {
    const withoutMinorUnit = new Set(['XAG', 'XAU', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XPD', 'XPT', 'XSU', 'XTS', 'XUA', 'XXX']);
    expect(Intl.supportedValuesOf('currency').filter((code) => !withoutMinorUnit.has(code) && !isKnownCurrency(code))).toEqual([]);
  });

  it('refuses an unknown code by name instead of assuming 2', () => {
    expect(isKnownCurrency('XDR')).toBe(false);
    expect(() => currencyExponent('XYZ')).toThrow(UnknownCurrencyError);
    expect(() => toMajorString(100, 'XDR')).toThrow('"XDR" is not an ISO 4217 currency code');
    expect(() => formatMoney(100, 'ABC', 'en')).toThrow('"ABC" is not an ISO 4217 currency code');
  });
});

describe('toMajorString and formatMoney edge cases', () => {
  it.each([
    [5n, 'USD', '0.05'],
    [-150n, 'EUR', '-1.50'],
    [-7n, 'BHD', '-0.007'],
    [0n, 'KWD', '0.000'],
    [0n, 'JPY', '0'],
  ])('toMajorString(%s, %s) = %s', (minor, currency, text) => {
    expect(toMajorString(minor, currency)).toBe(text);
  });

  it.each([
    [5, 'USD', 'en', '$0.05'],
    [-1999, 'EUR', 'en', '-€19.99'],
    [0, 'JPY', 'tr', '¥0'],
    [123456, 'RON', 'ro', '1.234,56_RON'],
    [123456, 'EUR', 'de', '1.234,56_€'],
    [123456, 'JPY', 'ja', '￥123,456'],
    [150, 'HUF', 'hu', '1,50_Ft'],
  ])('%i minor %s in %s → %s', (minor, currency, locale, expected) => {
    expect(formatMoney(minor, currency, locale)).toBe(nb(expected));
  });

  it('stays exact beyond float precision', () => {
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'USD', 'en')).toBe('$90,071,992,547,409.91');
    expect(formatMoney(12345678901234567890n, 'USD', 'en')).toBe('$123,456,789,012,345,678.90');
  });

  it('refuses amounts that are not safe integers', () => {
    expect(() => formatMoney(12.5, 'USD', 'en')).toThrow(/safe integer/);
    expect(() => toMajorString(2 ** 60, 'USD')).toThrow(/safe integer/);
  });
});
