import type { Sql } from './sql.js';
import type { Db } from './transaction.js';

/** `call_tasks`: a call a collector should make, created by a policy step, completed by the call logged. */

/** Creates the step's call task (unique idempotency key: a repeated step adds nothing). */
export async function insertCallTask(
  sql: Sql,
  task: { customerId: string; caseId: string; assigneeId: string | null; dueAt: Date; stepId: string; idempotencyKey: string },
): Promise<void> {
  await sql.query(
    `insert into call_tasks (customer_id, case_id, assigned_to_id, due_at, step_id, idempotency_key, updated_at)
     values ($1::uuid, $2::uuid, $3::uuid, $4::timestamptz, $5, $6, now())
     on conflict (idempotency_key) do nothing`,
    [task.customerId, task.caseId, task.assigneeId, task.dueAt.toISOString(), task.stepId, task.idempotencyKey],
  );
}

export function findOpenCallTask(db: Db, customerId: string, taskId: string | null) {
  return db.callTask.findFirst({
    where: { customerId, status: 'open', ...(taskId ? { id: taskId } : {}) },
    orderBy: { dueAt: 'asc' },
  });
}

export async function completeCallTask(sql: Sql, taskId: string, contactId: string, at: Date): Promise<void> {
  await sql.query(
    `update call_tasks set status = 'done', completed_contact_id = $2::uuid, completed_at = $3::timestamptz, updated_at = now()
      where id = $1::uuid`,
    [taskId, contactId, at.toISOString()],
  );
}
