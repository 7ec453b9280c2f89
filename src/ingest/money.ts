// Decimal strings in major units → integer minor units, by string arithmetic only: a float never
// touches an amount, so `0.1` + `0.2` style rounding cannot creep into a ledger.

/**
 * ISO 4217 minor-unit exponents that are not 2. ICU's own table (what `Intl.NumberFormat`
 * reports) follows CLDR display conventions and disagrees with ISO for a few codes (HUF, IDR, IQD
 * are shown without decimals), so the ledger uses the ISO figures.
 */
const NON_TWO_EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0,
  UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

let knownCurrencies: ReadonlySet<string> | undefined;

/** True for an ISO 4217 code this runtime knows (upper case, e.g. "RON"). */
export function isKnownCurrency(code: string): boolean {
  knownCurrencies ??= new Set([...Intl.supportedValuesOf('currency'), ...Object.keys(NON_TWO_EXPONENTS)]);
  return knownCurrencies.has(code);
}

/** Number of minor-unit digits of a currency (JPY 0, USD 2, KWD 3). */
export function currencyExponent(code: string): number {
  return NON_TWO_EXPONENTS[code] ?? 2;
}

export type MoneyResult = { ok: true; minor: bigint } | { ok: false; reason: string };

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Converts a decimal string in major units ("1234.56", "-5", "12.5") to minor units of
 * `currency`, exactly. Rejects thousands separators, exponents, a comma as decimal mark and more
 * decimals than the currency has ("12.5" JPY, "1.234" USD) instead of rounding.
 */
export function parseMoney(text: string, currency: string): MoneyResult {
  const match = DECIMAL.exec(text.trim());
  if (match === null) return { ok: false, reason: `"${text}" is not a decimal amount such as 1234.56` };
  const [, sign, whole = '', fraction = ''] = match;
  const exponent = currencyExponent(currency);
  if (fraction.length > exponent) {
    const allowed = exponent === 0 ? 'no decimals' : `at most ${exponent} decimal${exponent === 1 ? '' : 's'}`;
    return { ok: false, reason: `"${text}" has ${fraction.length} decimals; ${currency} allows ${allowed}` };
  }
  const minor = BigInt(whole + fraction.padEnd(exponent, '0'));
  return { ok: true, minor: sign === '-' ? -minor : minor };
}

/** Minor units back to a major-unit decimal string ("123456" USD → "1234.56"), for summaries. */
export function formatMinor(minor: bigint, currency: string): string {
  const exponent = currencyExponent(currency);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent === 0 ? '' : `.${digits.slice(digits.length - exponent)}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}
