import { BoundedCache } from './bounded-cache.js';

// Money is integer minor units everywhere (database, jobs, templates); ISO 4217 decides how many
// digits a minor unit has. Major-unit decimals exist only at the edges (import, API, console
// forms, display), and pass through here as strings: a float never touches an amount, so `0.1` +
// `0.2` style rounding cannot creep into a ledger.

/**
 * ISO 4217 minor-unit exponents (List One, plus codes withdrawn recently enough to still appear
 * in ledgers: ANG, CUC, HRK, SLL, ZWL). Codes whose minor unit is "N.A." (XAU, XDR, XTS …) are
 * left out: an amount in them cannot be stored as minor units.
 *
 * ICU's own table (what `Intl.NumberFormat` reports by default) follows CLDR display conventions
 * and disagrees with ISO for a few codes (HUF, IDR, IQD, … shown without decimals). The ledger
 * follows ISO, and so must every display, or "HUF 1,234.50" stored as 123450 shows as "HUF 123,450".
 */
const CODES_BY_EXPONENT: Readonly<Record<number, string>> = {
  0: 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF',
  2:
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD ' +
    'CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL ' +
    'GHS GIP GMD GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR ' +
    'LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB ' +
    'PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP ' +
    'SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL',
  3: 'BHD IQD JOD KWD LYD OMR TND',
  4: 'CLF UYW',
};

const EXPONENTS: ReadonlyMap<string, number> = new Map(
  Object.entries(CODES_BY_EXPONENT).flatMap(([exponent, codes]) => codes.split(' ').map((code) => [code, Number(exponent)] as const)),
);

/** A currency code that is not in the ISO 4217 table above: a bug or bad data, never a default of 2. */
export class UnknownCurrencyError extends Error {
  constructor(readonly currency: string) {
    super(`"${currency}" is not an ISO 4217 currency code`);
    this.name = 'UnknownCurrencyError';
  }
}

/** True for an ISO 4217 code with a minor unit (upper case, e.g. "RON"). */
export function isKnownCurrency(code: string): boolean {
  return EXPONENTS.has(code);
}

/** Number of minor-unit digits of a currency per ISO 4217 (JPY 0, HUF 2, KWD 3, CLF 4). */
export function currencyExponent(currency: string): number {
  const exponent = EXPONENTS.get(currency);
  if (exponent === undefined) throw new UnknownCurrencyError(currency);
  return exponent;
}

export type MoneyResult = { ok: true; minor: bigint } | { ok: false; reason: string };

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * A decimal string in major units ("1234.56", "5", "12.5") to minor units of `currency`, exactly.
 * Rejects, with a reason a person can act on, instead of guessing: a minus sign, thousands
 * separators, exponents, a comma as decimal mark, more decimals than the currency has ("12.5"
 * JPY, "1.234" USD) and an unknown currency.
 */
export function parseMajor(text: string, currency: string): MoneyResult {
  const exponent = EXPONENTS.get(currency);
  if (exponent === undefined) return { ok: false, reason: new UnknownCurrencyError(currency).message };
  const trimmed = text.trim();
  if (trimmed.startsWith('-')) return { ok: false, reason: `"${text}" is negative; amounts are zero or more` };
  const match = DECIMAL.exec(trimmed);
  if (match === null) return { ok: false, reason: `"${text}" is not a decimal amount such as 1234.56` };
  const [, whole = '', fraction = ''] = match;
  if (fraction.length > exponent) {
    const allowed = exponent === 0 ? 'no decimals' : `at most ${exponent} decimal${exponent === 1 ? '' : 's'}`;
    return { ok: false, reason: `"${text}" has ${fraction.length} decimals; ${currency} allows ${allowed}` };
  }
  return { ok: true, minor: BigInt(whole + fraction.padEnd(exponent, '0')) };
}

function exactMinor(minor: number | bigint): bigint {
  if (typeof minor === 'number' && !Number.isSafeInteger(minor)) {
    throw new RangeError(`amount must be a safe integer of minor units, got ${minor}`);
  }
  return BigInt(minor);
}

/** Minor units as a major-unit decimal string with the currency's ISO digits: 123456 USD → "1234.56", 5 KWD → "0.005". */
export function toMajorString(minor: number | bigint, currency: string): string {
  const exponent = currencyExponent(currency);
  const amount = exactMinor(minor);
  const digits = (amount < 0n ? -amount : amount).toString().padStart(exponent + 1, '0');
  const sign = amount < 0n ? '-' : '';
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

const formatters = new BoundedCache<Intl.NumberFormat>(1_000);

/**
 * Minor units formatted for a locale (symbol, separators, sign placement from CLDR) but always
 * with the currency's ISO number of decimals: `(123450, 'HUF', 'ro')` → `1.234,50 HUF`, where
 * Intl's default would drop the decimals. No float is made: Intl gets the amount as a decimal string.
 */
export function formatMoney(minor: number | bigint, currency: string, locale: string): string {
  const decimal = toMajorString(minor, currency);
  const formatter = formatters.get(`${locale}|${currency}`, () => {
    const exponent = currencyExponent(currency);
    return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent });
  });
  // Intl.NumberFormat v3 (Node ≥ 19) formats decimal strings exactly; the ES2022 lib types only
  // admit number, hence the cast.
  return formatter.format(decimal as unknown as number);
}
