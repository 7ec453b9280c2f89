import { knownCurrencies, type ExchangeRate, type RatesInForce } from '../core/money.js';
import type { Sql } from './sql.js';

/** One dated rate to store: units of `currency` per one unit of the base currency. */
export interface ExchangeRateToStore {
  currency: string;
  /** YYYY-MM-DD. */
  rateDate: string;
  /** Positive decimal text (checked by the caller with `rateProblem`). */
  rate: string;
  source: string;
}

export interface RatesWritten {
  created: number;
  updated: number;
  unchanged: number;
}

/**
 * The one write path of `exchange_rates`: upserts rates against `base` on (currency, date). A
 * rate already stored with the same value (and source) counts as unchanged; a new value for the
 * same day replaces the old (the ECB corrects a published rate now and then).
 */
export async function upsertExchangeRates(sql: Sql, base: string, rates: readonly ExchangeRateToStore[], now: Date): Promise<RatesWritten> {
  const written: RatesWritten = { created: 0, updated: 0, unchanged: 0 };
  for (let start = 0; start < rates.length; start += 5_000) {
    const chunk = rates.slice(start, start + 5_000);
    const rows = await sql.query<{ inserted: boolean }>(
      `insert into exchange_rates (base_currency, currency, rate_date, rate, source, updated_at)
       select $1::char(3), r.currency, r.rate_date, r.rate, r.source, $6::timestamptz
         from unnest($2::text[], $3::date[], $4::numeric[], $5::text[]) as r(currency, rate_date, rate, source)
       on conflict (base_currency, currency, rate_date) do update
          set rate = excluded.rate, source = excluded.source, updated_at = excluded.updated_at
        where exchange_rates.rate <> excluded.rate or exchange_rates.source <> excluded.source
       returning (xmax = 0) as inserted`,
      [
        base,
        chunk.map((r) => r.currency),
        chunk.map((r) => r.rateDate),
        chunk.map((r) => r.rate),
        chunk.map((r) => r.source),
        now.toISOString(),
      ],
    );
    const created = rows.filter((r) => r.inserted).length;
    written.created += created;
    written.updated += rows.length - created;
    written.unchanged += chunk.length - rows.length;
  }
  return written;
}

/**
 * The rates in force on `asOf` (YYYY-MM-DD) against `base`: for each currency, its latest rate
 * dated on or before `asOf`. One index probe per known currency (the primary key), so it costs
 * the same on a day's file as on twenty-five years of ECB history.
 */
export async function loadRatesInForce(sql: Sql, base: string, asOf: string): Promise<RatesInForce> {
  const rows = await sql.query<{ currency: string; rate: string; rate_date: string }>(
    `select c.currency, r.rate::text as rate, r.rate_date::text as rate_date
       from unnest($2::text[]) as c(currency)
       cross join lateral (
             select x.rate, x.rate_date from exchange_rates x
              where x.base_currency = $1::char(3) and x.currency = c.currency and x.rate_date <= $3::date
              order by x.rate_date desc limit 1
            ) r`,
    [base, knownCurrencies().filter((c) => c !== base), asOf],
  );
  const rates = new Map<string, ExchangeRate>(
    rows.map((r) => [r.currency, { currency: r.currency, rate: trimRate(r.rate), rateDate: r.rate_date }]),
  );
  return { base, asOf, rates };
}

/** "1.0842000000" → "1.0842" (the column keeps ten decimals). */
function trimRate(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
