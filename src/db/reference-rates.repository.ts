import type { ReferenceRate, ReferenceSource } from '../core/interest/rules.js';
import type { Sql } from './sql.js';

export interface ReferenceRatesWritten {
  created: number;
  updated: number;
  unchanged: number;
}

/**
 * The one write path of `reference_rates`: upserts on (source, effective_on). A row restating the
 * stored figures is unchanged; a new figure for the same day replaces the old (a correction).
 */
export async function upsertReferenceRates(
  sql: Sql,
  rates: readonly ReferenceRate[],
  origin: string,
  now: Date,
): Promise<ReferenceRatesWritten> {
  if (rates.length === 0) return { created: 0, updated: 0, unchanged: 0 };
  const rows = await sql.query<{ inserted: boolean }>(
    `insert into reference_rates (source, effective_on, rate_bp, fixed_sum_minor, fixed_sum_currency, origin, updated_at)
     select r.source, r.effective_on, r.rate_bp, r.fixed_sum_minor, r.fixed_sum_currency, $6::text, $7::timestamptz
       from unnest($1::text[], $2::date[], $3::int[], $4::bigint[], $5::text[])
            as r(source, effective_on, rate_bp, fixed_sum_minor, fixed_sum_currency)
     on conflict (source, effective_on) do update
        set rate_bp = excluded.rate_bp, fixed_sum_minor = excluded.fixed_sum_minor,
            fixed_sum_currency = excluded.fixed_sum_currency, origin = excluded.origin, updated_at = excluded.updated_at
      where (reference_rates.rate_bp, reference_rates.fixed_sum_minor, reference_rates.fixed_sum_currency)
            is distinct from (excluded.rate_bp, excluded.fixed_sum_minor, excluded.fixed_sum_currency)
     returning (xmax = 0) as inserted`,
    [
      rates.map((r) => r.source),
      rates.map((r) => r.effectiveOn),
      rates.map((r) => r.rateBp),
      rates.map((r) => (r.fixedSumMinor === null ? null : r.fixedSumMinor.toString())),
      rates.map((r) => r.fixedSumCurrency),
      origin,
      now.toISOString(),
    ],
  );
  const created = rows.filter((r) => r.inserted).length;
  return { created, updated: rows.length - created, unchanged: rates.length - rows.length };
}

/** Every stored row of the given sources (the whole history is a few hundred rows). */
export async function loadReferenceRates(sql: Sql, sources: readonly ReferenceSource[]): Promise<ReferenceRate[]> {
  const rows = await sql.query<{
    source: ReferenceSource;
    effective_on: string;
    rate_bp: number;
    fixed_sum_minor: string | null;
    fixed_sum_currency: string | null;
  }>(
    `select source, effective_on::text as effective_on, rate_bp, fixed_sum_minor::text as fixed_sum_minor, fixed_sum_currency
       from reference_rates where source = any($1::text[]) order by source, effective_on`,
    [sources],
  );
  return rows.map((r) => ({
    source: r.source,
    effectiveOn: r.effective_on,
    rateBp: Number(r.rate_bp),
    fixedSumMinor: r.fixed_sum_minor === null ? null : BigInt(r.fixed_sum_minor),
    fixedSumCurrency: r.fixed_sum_currency,
  }));
}
