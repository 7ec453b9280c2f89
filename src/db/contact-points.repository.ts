import type { Sql } from './sql.js';

export interface ContactPointToUpsert {
  customerId: string;
  kind: 'email' | 'phone';
  value: string;
  role: 'primary' | 'billing' | 'sales' | 'other';
  isMobile: boolean;
}

/**
 * Upserts contact points on (customer, kind, value). A point made `primary` demotes the other
 * primary of its kind to `other`, so each customer keeps one primary email and one primary phone
 * (what the import writes). Returns created / updated / unchanged counts and the customers touched.
 */
export async function upsertContactPoints(sql: Sql, points: readonly ContactPointToUpsert[], now: Date) {
  const primaries = points.filter((p) => p.role === 'primary');
  if (primaries.length > 0) {
    await sql.query(
      `update contact_points cc set role = 'other', updated_at = $4::timestamptz
         from unnest($1::uuid[], $2::contact_point_kind[], $3::text[]) as t(customer_id, kind, value)
        where cc.customer_id = t.customer_id and cc.kind = t.kind and cc.role = 'primary' and cc.value <> t.value`,
      [primaries.map((p) => p.customerId), primaries.map((p) => p.kind), primaries.map((p) => p.value), now.toISOString()],
    );
  }
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
    changedCustomerIds: [...new Set(returned.map((r) => r.customer_id))],
  };
}

/** Customers by external id with their locale (phone numbers take its region). */
export async function findCustomersForContacts(sql: Sql, externalIds: readonly string[]) {
  const rows = await sql.query<{ id: string; external_id: string; locale: string }>(
    'select id, external_id, locale from customers where external_id = any($1::text[])',
    [[...new Set(externalIds)]],
  );
  return new Map(rows.map((row) => [row.external_id, row]));
}
