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

/** An amount: integer minor units of an ISO 4217 currency (`{ minor: 120050, currency: 'EUR' }` is €1,200.50). */
export interface Money {
  minor: number;
  currency: string;
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
 * `display: 'code'` shows the ISO code instead of a symbol (`USD 1,234.56`), for pages that mix currencies.
 */
export function formatMoney(minor: number | bigint, currency: string, locale: string, display: 'symbol' | 'code' = 'symbol'): string {
  const decimal = toMajorString(minor, currency);
  const formatter = formatters.get(`${locale}|${currency}|${display}`, () => {
    const exponent = currencyExponent(currency);
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      currencyDisplay: display,
      minimumFractionDigits: exponent,
      maximumFractionDigits: exponent,
    });
  });
  // Intl.NumberFormat v3 (Node ≥ 19) formats decimal strings exactly; the ES2022 lib types only
  // admit number, hence the cast.
  return formatter.format(decimal as unknown as number);
}

// ─── base currency ───
// Amounts of different currencies are never added as they are: each is converted to the base
// currency (BASE_CURRENCY) with the rate in force on a date, and the rate's date goes with the
// figure. Rates are data handed in (loaded from `exchange_rates`), quoted like the ECB's: units
// of the currency per one unit of the base, as decimal text ("1.0842" USD per 1 EUR).

/** Every ISO 4217 code the money module knows, sorted. */
export function knownCurrencies(): string[] {
  return [...EXPONENTS.keys()].sort();
}

/** Units of `currency` per one unit of the base currency, in force from `rateDate` (YYYY-MM-DD). */
export interface ExchangeRate {
  currency: string;
  /** Positive decimal text, e.g. "1.0842" or "162.15". */
  rate: string;
  rateDate: string;
}

/** The latest rate on or before `asOf` for each currency that has one, against `base`. */
export interface RatesInForce {
  base: string;
  asOf: string;
  rates: ReadonlyMap<string, ExchangeRate>;
}

export type Conversion =
  | { ok: true; minor: bigint; currency: string; /** Null when the amount already was in the base currency. */ rateDate: string | null }
  | { ok: false; currency: string; reason: string };

const RATE = /^(\d+)(?:\.(\d+))?$/;

/** A rate as an exact fraction (numerator / 10^scale); null when it is not a positive decimal. */
function rateFraction(text: string): { numerator: bigint; scale: number } | null {
  const match = RATE.exec(text.trim());
  if (match === null) return null;
  const [, whole = '', fraction = ''] = match;
  const numerator = BigInt(whole + fraction);
  return numerator > 0n ? { numerator, scale: fraction.length } : null;
}

/** Why `text` is not a usable rate, or null when it is (a positive decimal such as 1.0842). */
export function rateProblem(text: string): string | null {
  if (rateFraction(text) !== null) return null;
  return `"${text}" is not a rate; rates are positive decimals such as 1.0842`;
}

/** n / d rounded half away from zero (half-up for the positive amounts a ledger holds); d > 0. */
function divideHalfUp(n: bigint, d: bigint): bigint {
  const magnitude = n < 0n ? -n : n;
  const q = (2n * magnitude + d) / (2n * d);
  return n < 0n ? -q : q;
}

/**
 * `minor` of `currency` in minor units of the base currency, rounded half-up (halves away from
 * zero, as Postgres' round() does, so SQL rankings agree with this), each currency with its own
 * ISO exponent. A currency without a rate in `rates` is not converted: the result says so
 * ("no rate for TRY"), and the caller shows that instead of a figure.
 */
export function convertToBase(minor: number | bigint, currency: string, rates: RatesInForce): Conversion {
  const amount = exactMinor(minor);
  if (currency === rates.base) return { ok: true, minor: amount, currency: rates.base, rateDate: null };
  const known = EXPONENTS.get(currency);
  if (known === undefined) return { ok: false, currency, reason: new UnknownCurrencyError(currency).message };
  const rate = rates.rates.get(currency);
  const fraction = rate === undefined ? null : rateFraction(rate.rate);
  if (rate === undefined || fraction === null) return { ok: false, currency, reason: `no rate for ${currency} on or before ${rates.asOf}` };
  // base_minor = minor / 10^e_from / (numerator / 10^scale) × 10^e_base
  const baseExponent = currencyExponent(rates.base);
  const n = amount * 10n ** BigInt(baseExponent + fraction.scale);
  const d = fraction.numerator * 10n ** BigInt(known);
  return { ok: true, minor: divideHalfUp(n, d), currency: rates.base, rateDate: rate.rateDate };
}

/** A sum in the base currency, with the dates of the rates used and the currencies left out for want of a rate. */
export interface BaseTotal {
  base: string;
  minor: bigint;
  /** Distinct dates of the rates used, oldest first (empty when everything was in the base currency). */
  rateDates: string[];
  /** Currencies that had no rate: their amounts are NOT in `minor`, and a display must say so. */
  missing: string[];
}

/** Σ amounts converted to the base currency; an amount without a rate is named in `missing`, never added raw. */
export function sumInBase(amounts: Iterable<{ minor: number | bigint; currency: string }>, rates: RatesInForce): BaseTotal {
  let total = 0n;
  const dates = new Set<string>();
  const missing = new Set<string>();
  for (const amount of amounts) {
    const converted = convertToBase(amount.minor, amount.currency, rates);
    if (!converted.ok) {
      missing.add(amount.currency);
      continue;
    }
    total += converted.minor;
    if (converted.rateDate !== null) dates.add(converted.rateDate);
  }
  return { base: rates.base, minor: total, rateDates: [...dates].sort(), missing: [...missing].sort() };
}

/** Decimal places kept in a cross rate. */
export const CROSS_RATE_SCALE = 10;

/**
 * Units of `currency` per one unit of a new base, from two rates quoted against the same third
 * currency (ECB: per 1 EUR): `USD 1.08, TRY 37.5` per EUR → TRY per USD = 37.5 / 1.08, rounded
 * half-up to {@link CROSS_RATE_SCALE} decimals.
 */
export function crossRate(currencyPerQuote: string, basePerQuote: string): string {
  const c = rateFraction(currencyPerQuote);
  const b = rateFraction(basePerQuote);
  if (c === null || b === null) throw new RangeError(`cross rate of "${currencyPerQuote}" / "${basePerQuote}": not positive decimals`);
  // (c.n / 10^c.s) / (b.n / 10^b.s) × 10^SCALE
  const n = c.numerator * 10n ** BigInt(b.scale + CROSS_RATE_SCALE);
  const d = b.numerator * 10n ** BigInt(c.scale);
  const scaled = divideHalfUp(n, d)
    .toString()
    .padStart(CROSS_RATE_SCALE + 1, '0');
  return `${scaled.slice(0, -CROSS_RATE_SCALE)}.${scaled.slice(-CROSS_RATE_SCALE)}`.replace(/\.?0+$/, '');
}

/**
 * An exact ratio of minor units (`numerator / denominator`, denominator > 0) rounded half-up to
 * whole minor units, once. Interest is accrued as an exact fraction over every period of a claim
 * and comes through here only at the end, so splitting a claim at a rate change cannot add or lose
 * a cent.
 */
export function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError(`denominator must be positive, got ${denominator}`);
  return divideHalfUp(numerator, denominator);
}

export type CrossConversion =
  | { ok: true; minor: bigint; currency: string; /** Dates of the rates used, oldest first (empty: same currency). */ rateDates: string[] }
  | { ok: false; currency: string; reason: string };

/**
 * `minor` of `from` in minor units of `to`, through the rates against `rates.base` (either side
 * may be the base), rounded half-up once: EUR 40 in RON with the ECB's quotes is
 * 40 × (RON per EUR). A side without a rate is not guessed: the result says which.
 */
export function convertBetween(minor: number | bigint, from: string, to: string, rates: RatesInForce): CrossConversion {
  const amount = exactMinor(minor);
  if (from === to) return { ok: true, minor: amount, currency: to, rateDates: [] };
  const fromExponent = EXPONENTS.get(from);
  const toExponent = EXPONENTS.get(to);
  if (fromExponent === undefined) return { ok: false, currency: to, reason: new UnknownCurrencyError(from).message };
  if (toExponent === undefined) return { ok: false, currency: to, reason: new UnknownCurrencyError(to).message };
  const side = (currency: string) => {
    if (currency === rates.base) return { fraction: { numerator: 1n, scale: 0 }, rateDate: null };
    const rate = rates.rates.get(currency);
    const fraction = rate === undefined ? null : rateFraction(rate.rate);
    return fraction === null || rate === undefined ? null : { fraction, rateDate: rate.rateDate };
  };
  const f = side(from);
  const t = side(to);
  if (f === null) return { ok: false, currency: to, reason: `no rate for ${from} on or before ${rates.asOf}` };
  if (t === null) return { ok: false, currency: to, reason: `no rate for ${to} on or before ${rates.asOf}` };
  // to_minor = minor / 10^ef × (t.n / 10^t.s) / (f.n / 10^f.s) × 10^et
  const n = amount * t.fraction.numerator * 10n ** BigInt(f.fraction.scale + toExponent);
  const d = f.fraction.numerator * 10n ** BigInt(t.fraction.scale + fromExponent);
  const rateDates = [...new Set([f.rateDate, t.rateDate].filter((date): date is string => date !== null))].sort();
  return { ok: true, minor: divideHalfUp(n, d), currency: to, rateDates };
}
