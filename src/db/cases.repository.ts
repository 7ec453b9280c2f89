import type { Sql } from './sql.js';
import type { Db } from './transaction.js';

/** `collection_cases`: one per customer. The step's decisions move it along the ladder (decisions.repository.ts). */

/** Ids of the collection cases whose next-look time has come, oldest first. */
export async function findDueCaseIds(db: Db, now: Date, limit: number): Promise<string[]> {
  const rows = await db.collectionCase.findMany({
    where: { nextLookAt: { lte: now } },
    orderBy: { nextLookAt: 'asc' },
    select: { id: true },
    take: limit,
  });
  return rows.map((row) => row.id);
}

/** The earliest next-look time of any case after `at`, or null when no case is due again. */
export async function findNextLookAfter(db: Db, at: Date): Promise<Date | null> {
  const look = await db.collectionCase.aggregate({ _min: { nextLookAt: true }, where: { nextLookAt: { gt: at } } });
  return look._min.nextLookAt;
}

// Creates the case if the customer has none; a case already due earlier keeps its earlier time.
// The version bump makes a decision taken on the ledger as it was before this change fail to
// commit (see `recordDecisions`), so it is taken again on the new ledger.
const REVIEW = `
  insert into collection_cases (customer_id, next_look_at, updated_at)
  select unnest($1::uuid[]), $2::timestamptz, now()
  on conflict (customer_id) do update
    set next_look_at = least(coalesce(collection_cases.next_look_at, excluded.next_look_at), excluded.next_look_at),
        version = collection_cases.version + 1,
        updated_at = now()`;

/**
 * Asks for a fresh decision on these customers at the next tick, in the caller's transaction:
 * called whenever their ledger changes (invoice imported or changed, payment applied, dispute
 * opened, a case action). `at` is when the change happened (the caller's clock, so a simulated
 * run stays consistent).
 */
export async function requestReview(sql: Sql, customerIds: readonly string[], at: Date): Promise<void> {
  if (customerIds.length === 0) return;
  // In id order, so two writers touching the same cases queue behind each other instead of
  // deadlocking.
  await sql.query(REVIEW, [[...new Set(customerIds)].sort(), at.toISOString()]);
}

/** Every case id, or the one case of a customer (by ERP external id). */
export async function listCaseIds(db: Db, customerExternalId?: string): Promise<string[]> {
  const rows = await db.collectionCase.findMany({
    where: customerExternalId ? { customer: { externalId: customerExternalId } } : {},
    orderBy: { id: 'asc' },
    select: { id: true },
  });
  return rows.map((row) => row.id);
}

export interface CaseRow {
  id: string;
  state: 'active' | 'paused' | 'legal_hold' | 'closed';
  pauseReason: string | null;
  pausedUntil: Date | null;
  currentStep: string | null;
}

/** The customer's case, created when missing, locked for the rest of the transaction. */
export async function lockCase(sql: Sql, customerId: string): Promise<CaseRow> {
  await sql.query(`insert into collection_cases (customer_id, updated_at) values ($1::uuid, now()) on conflict (customer_id) do nothing`, [
    customerId,
  ]);
  const [row] = await sql.query<CaseRow>(
    `select id::text, state::text, pause_reason::text as "pauseReason", paused_until as "pausedUntil",
            current_step as "currentStep"
       from collection_cases where customer_id = $1::uuid for update`,
    [customerId],
  );
  return row!;
}

export async function setCaseState(
  sql: Sql,
  caseId: string,
  state: CaseRow['state'],
  pause: { reason: 'manual' | null; until: Date | null } = { reason: null, until: null },
): Promise<void> {
  await sql.query(
    `update collection_cases
        set state = $2::case_state, pause_reason = $3::pause_reason, paused_until = $4::timestamptz, updated_at = now()
      where id = $1::uuid`,
    [caseId, state, pause.reason, pause.until?.toISOString() ?? null],
  );
}

/** Cases paused by hand whose `paused_until` has passed. */
export async function findExpiredPauses(db: Db, now: Date): Promise<Array<{ customerId: string }>> {
  return db.$queryRaw`
    select customer_id::text as "customerId" from collection_cases
     where state = 'paused' and pause_reason = 'manual' and paused_until is not null and paused_until <= ${now}`;
}
