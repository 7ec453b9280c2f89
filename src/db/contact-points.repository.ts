import type { Sql } from './sql.js';

/**
 * `contact_points`: where a customer is reached. One writer, `upsertContactPoints`, for the
 * import's primary email and phone and for POST /api/v1/contact-points.
 */

export interface ContactPointToUpsert {
  customerId: string;
  kind: 'email' | 'phone';
  value: string;
  role: 'primary' | 'billing' | 'sales' | 'other';
  isMobile: boolean;
}

/**
 * Upserts contact points on (customer, kind, value). A point made `primary` demotes the other
 * primary of its kind to `other` (kept, with its bounce and invalid marks), so each customer
 * keeps one primary email and one primary phone. Returns created / updated / unchanged counts of
 * the points given, and the customers whose points changed (a demotion included).
 */
export async function upsertContactPoints(sql: Sql, points: readonly ContactPointToUpsert[], now: Date) {
  if (points.length === 0) return { created: 0, updated: 0, unchanged: 0, changedCustomerIds: [] };
  const primaries = points.filter((p) => p.role === 'primary');
  const demoted =
    primaries.length === 0
      ? []
      : await sql.query<{ customer_id: string }>(
          `update contact_points cc set role = 'other', updated_at = $4::timestamptz
             from unnest($1::uuid[], $2::contact_point_kind[], $3::text[]) as t(customer_id, kind, value)
            where cc.customer_id = t.customer_id and cc.kind = t.kind and cc.role = 'primary' and cc.value <> t.value
           returning cc.customer_id`,
          [primaries.map((p) => p.customerId), primaries.map((p) => p.kind), primaries.map((p) => p.value), now.toISOString()],
        );
  const returned = await sql.query<{ customer_id: string; inserted: boolean }>(
    `insert into contact_points as cc (customer_id, kind, value, role, is_mobile, updated_at)
     select t.customer_id, t.kind, t.value, t.role, t.is_mobile, $6::timestamptz
       from unnest($1::uuid[], $2::contact_point_kind[], $3::text[], $4::contact_point_role[], $5::boolean[])
            as t(customer_id, kind, value, role, is_mobile)
     on conflict (customer_id, kind, value) do update
        set role = excluded.role, is_mobile = excluded.is_mobile, updated_at = excluded.updated_at
      where (cc.role, cc.is_mobile) is distinct from (excluded.role, excluded.is_mobile)
     returning cc.customer_id, (xmax = 0) as inserted`,
    [
      points.map((p) => p.customerId),
      points.map((p) => p.kind),
      points.map((p) => p.value),
      points.map((p) => p.role),
      points.map((p) => p.isMobile),
      now.toISOString(),
    ],
  );
  const created = returned.filter((r) => r.inserted).length;
  return {
    created,
    updated: returned.length - created,
    unchanged: points.length - returned.length,
    changedCustomerIds: [...new Set([...demoted, ...returned].map((r) => r.customer_id))],
  };
}
