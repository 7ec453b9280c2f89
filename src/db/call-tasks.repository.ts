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

/** An open call task locked for a change, with what the permission and snooze checks need. */
export interface LockedCallTask {
  id: string;
  customerId: string;
  customerTimeZone: string;
  assignedToId: string | null;
  status: 'open' | 'done' | 'cancelled';
  snoozedUntil: Date | null;
}

/** The task, locked until the transaction ends (so two people cannot act on it at once); null when there is none. */
export async function lockCallTask(sql: Sql, taskId: string): Promise<LockedCallTask | null> {
  const [row] = await sql.query<LockedCallTask>(
    `select t.id::text, t.customer_id::text as "customerId", c.time_zone as "customerTimeZone",
            t.assigned_to_id::text as "assignedToId", t.status::text as status, t.snoozed_until as "snoozedUntil"
       from call_tasks t join customers c on c.id = t.customer_id
      where t.id = $1::uuid
        for update of t`,
    [taskId],
  );
  return row ? { ...row, snoozedUntil: row.snoozedUntil === null ? null : new Date(row.snoozedUntil) } : null;
}

/** Marks an open task done without a call logged against it (the collector says it needs no call). */
export async function markCallTaskDone(sql: Sql, taskId: string, at: Date): Promise<void> {
  await sql.query(
    `update call_tasks set status = 'done', completed_at = $2::timestamptz, snoozed_until = null, updated_at = now()
      where id = $1::uuid and status = 'open'`,
    [taskId, at.toISOString()],
  );
}

export async function snoozeCallTask(sql: Sql, taskId: string, until: Date): Promise<void> {
  await sql.query(`update call_tasks set snoozed_until = $2::timestamptz, updated_at = now() where id = $1::uuid and status = 'open'`, [
    taskId,
    until.toISOString(),
  ]);
}

export async function reassignCallTask(sql: Sql, taskId: string, assigneeId: string): Promise<void> {
  await sql.query(`update call_tasks set assigned_to_id = $2::uuid, updated_at = now() where id = $1::uuid and status = 'open'`, [
    taskId,
    assigneeId,
  ]);
}

/** An open call task as lists show it. */
export interface CallTaskRow {
  id: string;
  customerId: string;
  customerExternalId: string;
  customerName: string;
  customerTimeZone: string;
  stepId: string | null;
  dueAt: Date;
  snoozedUntil: Date | null;
  assignedToId: string | null;
  assignedToName: string | null;
}

const TASK_COLUMNS = `
  t.id::text, t.customer_id::text as "customerId", c.external_id as "customerExternalId", c.name as "customerName",
  c.time_zone as "customerTimeZone", t.step_id as "stepId", t.due_at as "dueAt", t.snoozed_until as "snoozedUntil",
  t.assigned_to_id::text as "assignedToId", u.name as "assignedToName"`;

/** A customer's open call tasks, oldest due first. */
export function findOpenCallTasksOfCustomer(db: Db, customerId: string): Promise<CallTaskRow[]> {
  return db.$queryRawUnsafe<CallTaskRow[]>(
    `select ${TASK_COLUMNS}
       from call_tasks t join customers c on c.id = t.customer_id left join users u on u.id = t.assigned_to_id
      where t.customer_id = $1::uuid and t.status = 'open'
      order by t.due_at, t.id
      limit 50`,
    customerId,
  );
}

export type TaskSection = 'overdue' | 'today' | 'snoozed' | 'later';

/**
 * One collector's open call tasks in the sections of the My tasks page, each oldest due first and
 * at most `limit` long, with each section's full count. `startOfToday` / `startOfTomorrow` are the
 * user's day; a task is snoozed while `snoozed_until` is after `now`. Served by the
 * (assigned_to_id, status, due_at) index: the work grows with the collector's open tasks only.
 */
export async function findTasksOfAssignee(
  db: Db,
  query: { assigneeId: string; now: Date; startOfToday: Date; startOfTomorrow: Date; limit: number },
): Promise<Record<TaskSection, { total: number; tasks: CallTaskRow[] }>> {
  const rows = await db.$queryRawUnsafe<Array<CallTaskRow & { section: TaskSection; total: number }>>(
    `with mine as (
       select t.*, case when t.snoozed_until > $2::timestamptz then 'snoozed'
                        when t.due_at < $3::timestamptz then 'overdue'
                        when t.due_at < $4::timestamptz then 'today'
                        else 'later' end as section
         from call_tasks t
        where t.assigned_to_id = $1::uuid and t.status = 'open'
     ), ranked as (
       select mine.*, row_number() over (partition by section order by due_at, id) as n,
              count(*) over (partition by section)::int as total
         from mine
     )
     select ${TASK_COLUMNS}, t.section, t.total
       from ranked t join customers c on c.id = t.customer_id left join users u on u.id = t.assigned_to_id
      where t.n <= $5
      order by t.due_at, t.id`,
    query.assigneeId,
    query.now,
    query.startOfToday,
    query.startOfTomorrow,
    query.limit,
  );
  const sections: Record<TaskSection, { total: number; tasks: CallTaskRow[] }> = {
    overdue: { total: 0, tasks: [] },
    today: { total: 0, tasks: [] },
    snoozed: { total: 0, tasks: [] },
    later: { total: 0, tasks: [] },
  };
  for (const { section, total, ...task } of rows) {
    sections[section].total = total;
    sections[section].tasks.push(task);
  }
  return sections;
}

/** Open call tasks of these customers due by `at`, by customer, then oldest due first. */
export async function findOpenCallTasksDue(
  sql: Sql,
  at: Date,
  customerIds: readonly string[],
): Promise<Array<{ id: string; customerId: string }>> {
  return sql.query<{ id: string; customerId: string }>(
    `select id, customer_id as "customerId" from call_tasks
      where status = 'open' and due_at <= $1::timestamptz and customer_id = any($2::uuid[]) order by customer_id, due_at, id`,
    [at.toISOString(), [...customerIds]],
  );
}
