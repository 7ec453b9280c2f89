import type { PrismaClient, PrismaTransaction } from './client.js';
import type { Sql } from './sql.js';

type Db = PrismaClient | PrismaTransaction;

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
 * Asks for a fresh decision on these customers at the next tick: called whenever their ledger
 * changes (invoice imported or changed, payment applied, dispute opened). `at` is when the change
 * happened (the caller's clock, so a simulated run stays consistent).
 */
export async function requestReview(db: Db, customerIds: readonly string[], at: Date): Promise<void> {
  if (customerIds.length === 0) return;
  await db.$executeRawUnsafe(REVIEW, [...customerIds], at);
}

/** `requestReview` on a plain SQL connection, inside the caller's transaction (bulk import). */
export async function requestReviewIn(sql: Sql, customerIds: readonly string[], at: Date): Promise<void> {
  if (customerIds.length === 0) return;
  // In id order, so two import batches touching the same cases queue behind each other instead
  // of deadlocking.
  await sql.query(REVIEW, [[...customerIds].sort(), at]);
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
