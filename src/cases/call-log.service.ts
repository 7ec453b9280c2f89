import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { completeCallTask, findOpenCallTask } from '../db/call-tasks.repository.js';
import { recordContacts } from '../db/contact-log.repository.js';
import type { Sql } from '../db/sql.js';
import { customerAction, customerField } from './case-action.js';
import { NotFound } from './errors.js';

export const CALL_OUTCOMES = ['no_answer', 'voicemail', 'promised', 'disputed', 'paid', 'wrong_number', 'other'] as const;

export const logCallInput = z.object({
  customer: customerField,
  outcome: z.enum(CALL_OUTCOMES),
  notes: z.string().trim().min(1, 'is required').max(10_000),
  /** Who was spoken to, or the number called. */
  with: z.string().trim().max(200).optional(),
  direction: z.enum(['outbound', 'inbound']).default('outbound'),
  /** The call task this call completes; default: the customer's oldest open task. */
  taskId: z.uuid().optional(),
});

/** Logs a call (collector) as a `logged` contact and completes the open call task. */
export const logCall = customerAction(
  'call.log',
  logCallInput,
  async (ctx, customer, kase): Promise<{ contactId: string; completedTaskId: string | null }> => {
    const task = await findOpenCallTask(ctx.tx, customer.id, ctx.input.taskId ?? null);
    if (ctx.input.taskId && !task) throw new NotFound('open call task', ctx.input.taskId);
    const contactId = await logContact(ctx.sql, {
      customerId: customer.id,
      caseId: kase.id,
      channel: 'call',
      direction: ctx.input.direction,
      recipient: ctx.input.with ?? null,
      outcome: ctx.input.outcome,
      notes: ctx.input.notes,
      actor: ctx.actor.id,
      idempotencyKey: `call:${randomUUID()}`,
      at: ctx.at,
    });
    if (task) await completeCallTask(ctx.sql, task.id, contactId, ctx.at);
    await ctx.audit({
      entityType: 'contact',
      entityId: contactId,
      action: 'call.logged',
      reason: ctx.input.outcome,
      after: { outcome: ctx.input.outcome, completedTaskId: task?.id ?? null },
    });
    await ctx.review(customer.id);
    return { contactId, completedTaskId: task?.id ?? null };
  },
);

export const addNoteInput = z.object({ customer: customerField, text: z.string().trim().min(1, 'is required').max(10_000) });

/** Adds a note to the customer's contact log (collector). */
export const addNote = customerAction('note.log', addNoteInput, async (ctx, customer, kase): Promise<{ contactId: string }> => {
  const contactId = await logContact(ctx.sql, {
    customerId: customer.id,
    caseId: kase.id,
    channel: 'note',
    direction: 'outbound',
    recipient: null,
    outcome: null,
    notes: ctx.input.text,
    actor: ctx.actor.id,
    idempotencyKey: `note:${randomUUID()}`,
    at: ctx.at,
  });
  await ctx.audit({ entityType: 'contact', entityId: contactId, action: 'note.logged', after: { channel: 'note' } });
  return { contactId };
});

/** A call or note a person logged: a contact with status `logged` and its `logged` event. */
async function logContact(
  sql: Sql,
  contact: {
    customerId: string;
    caseId: string;
    channel: 'call' | 'note';
    direction: 'outbound' | 'inbound';
    recipient: string | null;
    outcome: (typeof CALL_OUTCOMES)[number] | null;
    notes: string;
    actor: string;
    idempotencyKey: string;
    at: Date;
  },
): Promise<string> {
  const ids = await recordContacts(sql, [{ ...contact, status: 'logged', text: contact.notes }]);
  return ids.get(contact.idempotencyKey)!;
}
