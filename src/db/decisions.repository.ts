import type { DateTime } from 'luxon';
import type { Decision, PlannedAction } from '../core/decision.js';
import type { MessageDraft } from '../dunning/compose-message.js';
import { raiseAlertRow } from './alerts.repository.js';
import type { CaseSnapshot } from './case-snapshot.repository.js';
import { insertLegalHold } from './case-actions.repository.js';
import type { PrismaClient, PrismaTransaction } from './client.js';

/** A contact row written as `queued`, for the caller to hand to a delivery job. */
export interface QueuedContact {
  id: string;
  channel: 'email' | 'sms';
  idempotencyKey: string;
}

export interface DecisionToRecord {
  snapshot: CaseSnapshot;
  decision: Decision;
  /** Rendered messages by action idempotency key (email and SMS actions only). */
  drafts: ReadonlyMap<string, MessageDraft>;
  /** Current stage label for the case (the highest step acted on), or null to keep it. */
  stage: string | null;
  now: DateTime;
}

/**
 * Writes a decision and its effects in one transaction, before anything is sent: a dunning
 * action per planned action (unique idempotency key: a repeated decision is a no-op), the
 * queued contact rows with their rendered content, call tasks, holds, alerts, audit events, and
 * the case's next-look time.
 *
 * Returns null when the case changed since it was read (its version moved: a payment, dispute or
 * another worker got there first); nothing is written then and the next tick decides again.
 */
export async function recordDecision(
  prisma: PrismaClient,
  record: DecisionToRecord,
): Promise<QueuedContact[] | null> {
  return prisma.$transaction(async (tx) => {
    const { snapshot, decision, now } = record;
    const updated = await tx.$executeRaw`
      update collection_cases
         set version = version + 1,
             next_look_at = ${decision.nextLookAt.toJSDate()},
             last_evaluated_at = ${now.toJSDate()},
             current_stage = coalesce(${record.stage}, current_stage),
             updated_at = now()
       where id = ${snapshot.caseId}::uuid and version = ${snapshot.version}`;
    if (updated === 0) return null;

    const queued: QueuedContact[] = [];
    for (const action of decision.actions) {
      const contact = await recordAction(tx, snapshot, action, record.drafts.get(action.idempotencyKey), now);
      if (contact) queued.push(contact);
    }
    return queued;
  });
}

async function recordAction(
  tx: PrismaTransaction,
  snapshot: CaseSnapshot,
  action: PlannedAction,
  draft: MessageDraft | undefined,
  now: DateTime,
): Promise<QueuedContact | null> {
  const customerId = snapshot.input.customer.id;
  const at = now.toJSDate();
  const inserted = await tx.$queryRaw<Array<{ id: string }>>`
    insert into dunning_actions (customer_id, type, policy_id, step_id, template_id, alert_kind, decided_at, idempotency_key)
    values (${customerId}::uuid, ${action.type}::dunning_action_type, ${action.policyId}, ${action.stepId},
            ${action.template}, ${action.alertKind}::alert_kind, ${at}, ${action.idempotencyKey})
    on conflict (idempotency_key) do nothing
    returning id`;
  const actionId = inserted[0]?.id;
  if (!actionId) return null; // decided and recorded before: never act twice
  for (const invoice of action.invoices) {
    await tx.$executeRaw`
      insert into dunning_action_invoices (action_id, invoice_id, cycle, step_id, instalment_id)
      values (${actionId}::uuid, ${invoice.invoiceId}::uuid, ${invoice.cycle}, ${invoice.stepId},
              ${invoice.instalmentId ?? null}::uuid)`;
  }
  const reason = `policy ${action.policyId}, step ${action.stepId}`;

  switch (action.type) {
    case 'email':
    case 'sms': {
      if (!draft) return null;
      const [contact] = await tx.$queryRaw<Array<{ id: string }>>`
        insert into contacts (customer_id, case_id, channel, policy_id, step_id, template_id, template_locale,
                              recipient, subject, body_text, body_html, status, idempotency_key, created_at, updated_at)
        values (${customerId}::uuid, ${snapshot.caseId}::uuid, ${action.type}::contact_channel, ${action.policyId},
                ${action.stepId}, ${draft.templateId}, ${draft.locale}, ${draft.recipient}, ${draft.subject},
                ${draft.text}, ${draft.html}, 'queued', ${action.idempotencyKey}, ${at}, now())
        returning id`;
      const contactId = contact!.id;
      await tx.$executeRaw`update dunning_actions set contact_id = ${contactId}::uuid where id = ${actionId}::uuid`;
      await tx.$executeRaw`
        insert into contact_invoices (contact_id, invoice_id, open_balance_minor)
        select ${contactId}::uuid, i.id, i.open_balance_minor from invoices i
         where i.id = any(${action.invoices.map((i) => i.invoiceId)}::uuid[])`;
      await tx.$executeRaw`
        insert into contact_status_events (contact_id, status, at, actor) values (${contactId}::uuid, 'queued', ${at}, 'system')`;
      return { id: contactId, channel: action.type, idempotencyKey: action.idempotencyKey };
    }
    case 'call_task':
      await tx.$executeRaw`
        insert into call_tasks (customer_id, case_id, assigned_to_id, due_at, step_id, idempotency_key, updated_at)
        values (${customerId}::uuid, ${snapshot.caseId}::uuid, ${action.assigneeId}::uuid, ${at}, ${action.stepId},
                ${action.idempotencyKey}, now())
        on conflict (idempotency_key) do nothing`;
      return null;
    case 'credit_hold':
      await tx.$executeRaw`
        insert into credit_holds (customer_id, placed_at, reason, placed_by)
        select ${customerId}::uuid, ${at}, ${reason}, 'system'
         where not exists (select 1 from credit_holds where customer_id = ${customerId}::uuid and released_at is null)`;
      await audit(tx, customerId, 'credit_hold.placed', reason, at);
      return null;
    case 'legal_hold':
      await insertLegalHold(tx, { customerId, at, reason, placedBy: 'system' });
      await audit(tx, customerId, 'legal_hold.placed', reason, at);
      return null;
    case 'manager_alert': {
      const kind = action.alertKind ?? 'other';
      const message =
        kind === 'broken_promise'
          ? `${snapshot.customerName}: a promise to pay was broken`
          : `${snapshot.customerName}: ${kind.replace(/_/g, ' ')} (${reason})`;
      await raiseAlertRow(tx, { kind, customerId, message, at });
      if (action.promiseId) {
        await tx.$executeRaw`
          update promises_to_pay set status = 'broken', evaluated_at = ${at}, updated_at = now()
           where id = ${action.promiseId}::uuid and status = 'open'`;
      }
      return null;
    }
  }
}

async function audit(tx: PrismaTransaction, customerId: string, action: string, reason: string, at: Date) {
  await tx.$executeRaw`
    insert into audit_events (entity_type, entity_id, action, actor, reason, at)
    values ('customer', ${customerId}, ${action}, 'system', ${reason}, ${at})`;
}
