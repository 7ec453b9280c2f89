import { describe, expect, it } from 'vitest';
import { currencyExponent, formatMinor, parseMoney } from '../../../src/ingest/money.js';

describe('parseMoney: major-unit decimals to exact minor units', () => {
  it.each([
    ['1234', 'JPY', 1234n],
    ['0', 'JPY', 0n],
    ['1234.56', 'USD', 123456n],
    ['1234.5', 'USD', 123450n],
    ['1234', 'USD', 123400n],
    ['0.1', 'USD', 10n],
    ['0.2', 'USD', 20n],
    ['0.30', 'USD', 30n],
    ['0.07', 'EUR', 7n],
    ['19.99', 'RON', 1999n],
    ['1.234', 'KWD', 1234n],
    ['0.005', 'BHD', 5n],
    ['12', 'TND', 12000n],
    ['90071992547409.93', 'USD', 9007199254740993n], // beyond a double's exact range
    ['-5.00', 'USD', -500n],
    [' 42.10 ', 'TRY', 4210n],
  ])('%s %s → %s', (text, currency, minor) => {
    expect(parseMoney(text, currency)).toEqual({ ok: true, minor });
  });

  it('adds like integers: 0.1 + 0.2 is exactly 0.3', () => {
    const sum = [parseMoney('0.1', 'USD'), parseMoney('0.2', 'USD')].reduce((total, r) => total + (r.ok ? r.minor : 0n), 0n);
    expect(sum).toBe(30n);
    expect(formatMinor(sum, 'USD')).toBe('0.30');
  });

  it.each([
    ['12.5', 'JPY', 'JPY allows no decimals'],
    ['1.234', 'USD', 'USD allows at most 2 decimals'],
    ['1.2345', 'KWD', 'KWD allows at most 3 decimals'],
    ['1,234.56', 'USD', 'not a decimal amount'],
    ['12,50', 'EUR', 'not a decimal amount'],
    ['1e3', 'USD', 'not a decimal amount'],
    ['.5', 'USD', 'not a decimal amount'],
    ['', 'USD', 'not a decimal amount'],
    ['$12', 'USD', 'not a decimal amount'],
  ])('rejects %j %s', (text, currency, reason) => {
    const result = parseMoney(text, currency);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });

  it('uses ISO 4217 exponents, not display conventions', () => {
    expect([currencyExponent('JPY'), currencyExponent('KRW'), currencyExponent('USD'), currencyExponent('CNY')]).toEqual([0, 0, 2, 2]);
    expect(['BHD', 'KWD', 'JOD', 'OMR', 'TND', 'IQD'].map(currencyExponent)).toEqual([3, 3, 3, 3, 3, 3]);
    expect(currencyExponent('HUF')).toBe(2);
  });

  it.each([
    [123456n, 'USD', '1234.56'],
    [5n, 'USD', '0.05'],
    [1234n, 'JPY', '1234'],
    [1234n, 'KWD', '1.234'],
    [-150n, 'EUR', '-1.50'],
  ])('formatMinor(%s, %s) = %s', (minor, currency, text) => {
    expect(formatMinor(minor, currency)).toBe(text);
  });
});
