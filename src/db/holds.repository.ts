import type { Sql } from './sql.js';
import type { Db } from './transaction.js';

/**
 * `legal_holds` and `credit_holds`. A hold is a state: at most one active (unreleased) per
 * customer, placed by a policy step (`system`) or a person, and released by a person or, for a
 * credit hold the system placed, once nothing is overdue. Both the step's batch (over `pg`) and
 * the case actions (in a Prisma transaction) place holds through these functions.
 */

// ───────────────────────────────────────── legal holds ───────────────────────────────────────

export interface LegalHoldToPlace {
  customerId: string;
  at: Date;
  reason: string;
  placedBy: string;
  agency?: string | null;
  notes?: string | null;
}

/** Places a legal hold unless one is active, and moves the case to `legal_hold`. Returns the hold placed, or null when one was active. */
export async function insertLegalHold(sql: Sql, hold: LegalHoldToPlace): Promise<string | null> {
  const [row] = await sql.query<{ id: string }>(
    `insert into legal_holds (customer_id, placed_at, reason, placed_by, agency, notes)
     select $1::uuid, $2::timestamptz, $3, $4, $5, $6
      where not exists (select 1 from legal_holds where customer_id = $1::uuid and released_at is null)
     returning id::text`,
    [hold.customerId, hold.at.toISOString(), hold.reason, hold.placedBy, hold.agency ?? null, hold.notes ?? null],
  );
  await sql.query(`update collection_cases set state = 'legal_hold', updated_at = now() where customer_id = $1::uuid`, [hold.customerId]);
  return row?.id ?? null;
}

export function findActiveLegalHold(db: Db, customerId: string) {
  return db.legalHold.findFirst({ where: { customerId, releasedAt: null } });
}

export async function markLegalHoldReleased(sql: Sql, id: string, by: string, reason: string, at: Date): Promise<void> {
  await sql.query(`update legal_holds set released_at = $2::timestamptz, released_by = $3, release_reason = $4 where id = $1::uuid`, [
    id,
    at.toISOString(),
    by,
    reason,
  ]);
}

// ───────────────────────────────────────── credit holds ──────────────────────────────────────

/** Places a credit hold unless one is active. Returns the hold placed, or null when one was active. */
export async function insertCreditHold(
  sql: Sql,
  hold: { customerId: string; reason: string; placedBy: string; at: Date },
): Promise<string | null> {
  const [row] = await sql.query<{ id: string }>(
    `insert into credit_holds (customer_id, placed_at, reason, placed_by)
     select $1::uuid, $2::timestamptz, $3, $4
      where not exists (select 1 from credit_holds where customer_id = $1::uuid and released_at is null)
     returning id::text`,
    [hold.customerId, hold.at.toISOString(), hold.reason, hold.placedBy],
  );
  return row?.id ?? null;
}

export function findActiveCreditHold(db: Db, customerId: string) {
  return db.creditHold.findFirst({ where: { customerId, releasedAt: null } });
}

export function findCreditHold(db: Db, id: string) {
  return db.creditHold.findUnique({ where: { id } });
}

export async function markCreditHoldReleased(sql: Sql, id: string, by: string, reason: string, at: Date): Promise<void> {
  await sql.query(`update credit_holds set released_at = $2::timestamptz, released_by = $3, release_reason = $4 where id = $1::uuid`, [
    id,
    at.toISOString(),
    by,
    reason,
  ]);
}

/**
 * Customers with an active credit hold placed by the system (a policy step) and nothing overdue
 * any more (open balance due before their local today). Holds people placed are not listed.
 */
export async function findPaidCreditHolds(db: Db, now: Date): Promise<Array<{ id: string; customerId: string }>> {
  return db.$queryRaw`
    select h.id::text, h.customer_id::text as "customerId"
      from credit_holds h join customers cu on cu.id = h.customer_id
     where h.released_at is null and h.placed_by = 'system'
       and not exists (select 1 from invoices i
                        where i.customer_id = h.customer_id and i.status = 'open' and i.open_balance_minor > 0
                          and i.due_date < (${now}::timestamptz at time zone cu.time_zone)::date)`;
}

/** Credit holds placed or released recently whose ERP event has not been delivered (audit marker). */
export async function findUnannouncedCreditHolds(db: Db, since: Date): Promise<Array<{ holdId: string; event: 'placed' | 'released' }>> {
  return db.$queryRaw`
    select h.id::text as "holdId", e.event as event
      from credit_holds h
     cross join lateral (values ('placed', h.placed_at), ('released', h.released_at)) as e(event, at)
     where e.at is not null and e.at >= ${since}
       and not exists (select 1 from audit_events a
                        where a.entity_type = 'credit_hold' and a.entity_id = h.id::text
                          and a.action = 'credit_hold.' || e.event || '.announced')`;
}
