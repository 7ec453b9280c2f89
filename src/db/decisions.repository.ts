import type { DateTime } from 'luxon';
import { isMessage, type Decision, type PlannedAction } from '../core/decision.js';
import { raiseAlertRow } from './alerts.repository.js';
import { appendAudit } from './audit.repository.js';
import { insertCallTask } from './call-tasks.repository.js';
import type { CaseSnapshot } from './case-snapshot.repository.js';
import { recordContacts, type ContactInterestClaim } from './contact-log.repository.js';
import { insertCreditHold, insertLegalHold } from './holds.repository.js';
import { closePromises } from './promises.repository.js';
import type { Sql, SqlDatabase } from './sql.js';

/** A contact row written as `queued`, for the caller to hand to a delivery job. */
export interface QueuedContact {
  id: string;
  channel: 'email' | 'sms';
  idempotencyKey: string;
}

/** A message rendered for the outbox (what src/dunning's `composeMessage` returns). */
export interface RenderedMessage {
  recipient: string;
  templateId: string;
  /** The template locale actually used, after fallback. */
  locale: string;
  subject: string | null;
  text: string;
  html: string | null;
  /** The late-payment claim the message states (a step with `interest: true`). */
  interestClaims?: readonly ContactInterestClaim[];
}

export interface DecisionToRecord {
  snapshot: CaseSnapshot;
  decision: Decision;
  /** Rendered messages by action idempotency key (email and SMS actions only). */
  drafts: ReadonlyMap<string, RenderedMessage>;
  now: DateTime;
}

/**
 * Writes a batch of decisions and their effects in one transaction, before anything is sent: a
 * dunning action per planned action (unique idempotency key: a repeated decision is a no-op),
 * the queued contact rows with their rendered content, call tasks, holds, alerts, audit events,
 * and each case's next-look time. The hot part (cases, actions, contacts and their links) is a
 * handful of set-based statements for the whole batch, so a reminder costs a share of a
 * transaction rather than one of its own.
 *
 * Returns, per record in order, its queued contacts, or null when the case changed since it was
 * read (its version moved: a payment, dispute or another worker got there first); nothing is
 * written for that case then and the next tick decides again.
 */
export async function recordDecisions(db: SqlDatabase, records: readonly DecisionToRecord[]): Promise<Array<QueuedContact[] | null>> {
  if (records.length === 0) return [];
  return db.transaction(async (sql) => {
    const current = await advanceCases(sql, records);
    const results = records.map((record) => (current.has(record.snapshot.caseId) ? ([] as QueuedContact[]) : null));
    const planned = records.flatMap((record, index) =>
      results[index] ? record.decision.actions.map((action) => ({ record, index, action })) : [],
    );
    const actionIds = await insertActions(sql, planned);
    const recorded = planned.filter(({ action }) => actionIds.has(action.idempotencyKey));
    await linkActionInvoices(sql, recorded, actionIds);

    const messages = recorded.filter(
      (item): item is typeof item & { action: PlannedAction & { type: 'email' | 'sms' } } =>
        isMessage(item.action) && item.record.drafts.has(item.action.idempotencyKey),
    );
    const contactIds = await insertQueuedContacts(sql, messages);
    for (const { index, action } of messages) {
      const id = contactIds.get(action.idempotencyKey);
      if (id) results[index]!.push({ id, channel: action.type, idempotencyKey: action.idempotencyKey });
    }
    // Holds, tasks and alerts are rare next to reminders: one at a time, in the same transaction.
    for (const { record, action } of recorded) {
      if (!isMessage(action)) await recordOtherAction(sql, record.snapshot, action, record.now);
    }
    return results;
  });
}

type PlannedItem = { record: DecisionToRecord; index: number; action: PlannedAction };

/**
 * Moves each unchanged case to its next-look time and ladder position and returns the ids of
 * those that were unchanged. The rows are locked in id order first, so two batches sharing a case cannot deadlock.
 */
async function advanceCases(sql: Sql, records: readonly DecisionToRecord[]): Promise<Set<string>> {
  const ids = records.map((r) => r.snapshot.caseId);
  await sql.query(`select id from collection_cases where id = any($1::uuid[]) order by id for update`, [ids]);
  const rows = await sql.query<{ id: string }>(
    `update collection_cases c
        set version = c.version + 1,
            next_look_at = v.next_look_at,
            last_evaluated_at = v.evaluated_at,
            current_step = v.stage,
            ladder_cycle = v.ladder_cycle,
            ladder_open = v.ladder_open,
            updated_at = now()
       from unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::int[], $7::boolean[])
            as v(id, version, next_look_at, evaluated_at, stage, ladder_cycle, ladder_open)
      where c.id = v.id and c.version = v.version
      returning c.id::text`,
    [
      ids,
      records.map((r) => r.snapshot.version),
      records.map((r) => r.decision.nextLookAt.toUTC().toISO()),
      records.map((r) => r.now.toUTC().toISO()),
      records.map((r) => r.decision.ladder.stepId),
      records.map((r) => r.decision.ladder.cycle),
      records.map((r) => r.decision.ladder.open),
    ],
  );
  return new Set(rows.map((row) => row.id));
}

/** Inserts the actions; returns the ids of those not recorded before, by idempotency key. */
async function insertActions(sql: Sql, planned: readonly PlannedItem[]): Promise<Map<string, string>> {
  if (planned.length === 0) return new Map();
  const rows = await sql.query<{ id: string; key: string }>(
    `insert into dunning_actions (customer_id, type, policy_id, step_id, template_id, alert_kind, decided_at, idempotency_key,
                                  ladder_cycle)
     select * from unnest($1::uuid[], $2::dunning_action_type[], $3::text[], $4::text[], $5::text[],
                          $6::alert_kind[], $7::timestamptz[], $8::text[], $9::int[])
     on conflict (idempotency_key) do nothing
     returning id::text, idempotency_key as key`,
    [
      planned.map((p) => p.record.snapshot.input.customer.id),
      planned.map((p) => p.action.type),
      planned.map((p) => p.action.policyId),
      planned.map((p) => p.action.stepId),
      planned.map((p) => p.action.template),
      planned.map((p) => p.action.alertKind),
      planned.map((p) => p.record.now.toUTC().toISO()),
      planned.map((p) => p.action.idempotencyKey),
      planned.map((p) => p.action.cycle),
    ],
  );
  return new Map(rows.map((row) => [row.key, row.id]));
}

async function linkActionInvoices(sql: Sql, recorded: readonly PlannedItem[], actionIds: ReadonlyMap<string, string>) {
  const links = recorded.flatMap(({ action }) =>
    action.invoices.map((invoice) => ({ actionId: actionIds.get(action.idempotencyKey)!, ...invoice })),
  );
  if (links.length === 0) return;
  await sql.query(
    `insert into dunning_action_invoices (action_id, invoice_id, cycle, step_id, instalment_id)
     select * from unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::uuid[])`,
    [
      links.map((l) => l.actionId),
      links.map((l) => l.invoiceId),
      links.map((l) => l.cycle),
      links.map((l) => l.stepId),
      links.map((l) => l.instalmentId ?? null),
    ],
  );
}

/**
 * The outbox rows: each message as a `queued` contact with its rendered content, linked to its
 * invoices (with the balances it quoted) and to its action.
 */
async function insertQueuedContacts(
  sql: Sql,
  messages: ReadonlyArray<PlannedItem & { action: PlannedAction & { type: 'email' | 'sms' } }>,
): Promise<Map<string, string>> {
  if (messages.length === 0) return new Map();
  const ids = await recordContacts(
    sql,
    messages.map(({ record, action }) => {
      const draft = record.drafts.get(action.idempotencyKey)!;
      return {
        customerId: record.snapshot.input.customer.id,
        caseId: record.snapshot.caseId,
        channel: action.type,
        status: 'queued' as const,
        policyId: action.policyId,
        stepId: action.stepId,
        templateId: draft.templateId,
        locale: draft.locale,
        recipient: draft.recipient,
        subject: draft.subject,
        text: draft.text,
        html: draft.html,
        actor: 'system',
        idempotencyKey: action.idempotencyKey,
        at: record.now.toJSDate(),
        invoiceIds: action.invoices.map((invoice) => invoice.invoiceId),
        ...(draft.interestClaims && { interestClaims: draft.interestClaims }),
      };
    }),
  );
  if (ids.size > 0) {
    await sql.query(
      `update dunning_actions a set contact_id = v.contact_id
         from unnest($1::text[], $2::uuid[]) as v(key, contact_id)
        where a.idempotency_key = v.key`,
      [[...ids.keys()], [...ids.values()]],
    );
  }
  return ids;
}

async function recordOtherAction(sql: Sql, snapshot: CaseSnapshot, action: PlannedAction, now: DateTime): Promise<void> {
  const customerId = snapshot.input.customer.id;
  const at = now.toJSDate();
  const reason = `policy ${action.policyId}, step ${action.stepId}`;
  switch (action.type) {
    case 'email':
    case 'sms':
      return;
    case 'call_task':
      await insertCallTask(sql, {
        customerId,
        caseId: snapshot.caseId,
        assigneeId: action.assigneeId,
        dueAt: at,
        stepId: action.stepId,
        idempotencyKey: action.idempotencyKey,
      });
      return;
    case 'credit_hold': {
      // A hold is a state: one already in force is neither placed nor announced again.
      const placed = await insertCreditHold(sql, { customerId, reason, placedBy: 'system', at });
      if (placed) await audit(sql, customerId, 'credit_hold.placed', reason, at);
      return;
    }
    case 'legal_hold':
      await insertLegalHold(sql, { customerId, at, reason, placedBy: 'system' });
      await audit(sql, customerId, 'legal_hold.placed', reason, at);
      return;
    case 'manager_alert': {
      const kind = action.alertKind ?? 'other';
      const message =
        kind === 'broken_promise'
          ? `${snapshot.customerName}: a promise to pay was broken`
          : `${snapshot.customerName}: ${kind.replace(/_/g, ' ')} (${reason})`;
      await raiseAlertRow(sql, { kind, customerId, message, at });
      if (action.promiseId) await closePromises(sql, { ids: [action.promiseId] }, 'broken', at);
      return;
    }
  }
}

function audit(sql: Sql, customerId: string, action: string, reason: string, at: Date): Promise<void> {
  return appendAudit(sql, { entityType: 'customer', entityId: customerId, action, actor: 'system', reason, at });
}
