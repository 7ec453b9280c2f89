import type { Sql } from './sql.js';
import type { Db } from './transaction.js';

/** `disputes`: an open dispute takes its invoice out of dunning until resolved. */

export function findOpenDispute(db: Db, invoiceId: string) {
  return db.dispute.findFirst({ where: { invoiceId, resolvedAt: null } });
}

/** Opens a dispute; returns its id. */
export async function insertDispute(
  sql: Sql,
  dispute: { invoiceId: string; customerId: string; reasonCode: string; notes: string | null; by: string; at: Date },
): Promise<string> {
  const [row] = await sql.query<{ id: string }>(
    `insert into disputes (invoice_id, customer_id, reason_code, notes, opened_by, opened_at)
     values ($1::uuid, $2::uuid, $3, $4, $5, $6::timestamptz)
     returning id::text`,
    [dispute.invoiceId, dispute.customerId, dispute.reasonCode, dispute.notes, dispute.by, dispute.at.toISOString()],
  );
  return row!.id;
}

export async function markDisputeResolved(sql: Sql, id: string, resolution: string, by: string, at: Date): Promise<void> {
  await sql.query(`update disputes set resolved_at = $2::timestamptz, resolved_by = $3, resolution = $4 where id = $1::uuid`, [
    id,
    at.toISOString(),
    by,
    resolution,
  ]);
}
