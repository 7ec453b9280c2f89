import { BoundedCache } from '../core/bounded-cache.js';

const formatters = new BoundedCache<Intl.NumberFormat>(1_000);

function currencyFormatter(locale: string, currency: string): Intl.NumberFormat {
  return formatters.get(`${locale}|${currency}`, () => new Intl.NumberFormat(locale, { style: 'currency', currency }));
}

const exponents = new BoundedCache<number>(1_000);

/** Decimal places of a currency as Intl knows them (JPY 0, USD 2, BHD 3). */
export function currencyExponent(currency: string): number {
  return exponents.get(currency, () => currencyFormatter('en', currency).resolvedOptions().maximumFractionDigits ?? 2);
}

/** Integer minor units as an exact decimal string: `(-123456, 2)` → `"-1234.56"`. */
export function minorToDecimal(amountMinor: number | bigint, exponent: number): string {
  if (typeof amountMinor === 'number' && !Number.isSafeInteger(amountMinor)) {
    throw new RangeError(`amount must be a safe integer of minor units, got ${amountMinor}`);
  }
  const minor = BigInt(amountMinor);
  const digits = (minor < 0n ? -minor : minor).toString().padStart(exponent + 1, '0');
  const sign = minor < 0n ? '-' : '';
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/**
 * Formats integer minor units in a currency for a locale, e.g. `(123450, 'EUR', 'ro')` →
 * `1.234,50 €`. No float is ever made: the amount reaches Intl as a decimal string.
 */
export function formatMoney(amountMinor: number | bigint, currency: string, locale: string): string {
  const formatter = currencyFormatter(locale, currency.toUpperCase());
  const decimal = minorToDecimal(amountMinor, currencyExponent(currency.toUpperCase()));
  // Intl.NumberFormat v3 (Node ≥ 19) formats decimal strings exactly; the ES2022 lib types only
  // admit number, hence the cast.
  return formatter.format(decimal as unknown as number);
}
