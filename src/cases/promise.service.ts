import { DateTime } from 'luxon';
import { z } from 'zod';
import { toMajorString } from '../core/money.js';
import { appendAudit } from '../db/audit.repository.js';
import { lockCase } from '../db/cases.repository.js';
import { recordContacts } from '../db/contact-log.repository.js';
import { findCustomerEmail } from '../db/customers.repository.js';
import { findOpenInvoices } from '../db/invoices.repository.js';
import { closePromises, findKeptPromises, findPromise, insertPromise } from '../db/promises.repository.js';
import { inTransaction } from '../db/transaction.js';
import { requestReview } from '../db/cases.repository.js';
import { renderMessage } from '../templates/index.js';
import { customerField, isoDateField, reasonField, resolveCustomer, runCaseAction, type CaseDependencies } from './case-action.js';
import { customerMessageContext } from './customer-context.js';
import { InvalidInput, InvalidTransition, NotFound } from './errors.js';

export const CHANNELS = ['email', 'sms', 'call', 'note', 'letter'] as const;

export const recordPromiseInput = z.object({
  customer: customerField,
  /** Integer minor units. */
  amountMinor: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  /** ISO 4217; default the customer's currency. */
  currency: z
    .string()
    .trim()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
    .optional(),
  /** The day the customer promised to pay by (ISO date). */
  promisedOn: isoDateField,
  /** The channel the promise came through. */
  channel: z.enum(CHANNELS).default('call'),
  /** The contact (e.g. the logged call) the promise was made in. */
  contactId: z.uuid().optional(),
  /** Send the `promise-confirmation` email (default true). */
  confirm: z.boolean().default(true),
});

export interface RecordedPromise {
  promiseId: string;
  /** The queued confirmation email, or null when none was sent (no address, opted out, `confirm: false`). */
  confirmationContactId: string | null;
}

/**
 * Records a promise to pay (collector). The core pauses the customer until the promised date +
 * grace; a confirmation email goes through the outbox like a reminder, so it is in the contact log.
 */
export function recordPromise(deps: CaseDependencies, actor: string, input: z.input<typeof recordPromiseInput>): Promise<RecordedPromise> {
  return runCaseAction(deps, actor, 'promise.record', recordPromiseInput, input, async (ctx) => {
    const customer = await resolveCustomer(ctx.tx, ctx.input.customer);
    const today = DateTime.fromJSDate(ctx.at, { zone: customer.timeZone }).toISODate()!;
    if (ctx.input.promisedOn < today) {
      throw new InvalidInput('promise.record', [{ field: 'promisedOn', message: `must not be before today (${today})` }]);
    }
    const currency = ctx.input.currency ?? customer.currency;
    const kase = await lockCase(ctx.sql, customer.id);
    const promiseId = await insertPromise(ctx.sql, {
      customerId: customer.id,
      caseId: kase.id,
      amountMinor: BigInt(ctx.input.amountMinor),
      currency,
      promisedOn: ctx.input.promisedOn,
      channel: ctx.input.channel,
      contactId: ctx.input.contactId ?? null,
      by: ctx.actor.id,
      at: ctx.at,
    });
    await ctx.audit({
      entityType: 'promise_to_pay',
      entityId: promiseId,
      action: 'promise.recorded',
      reason: `promised ${toMajorString(ctx.input.amountMinor, currency)} ${currency} by ${ctx.input.promisedOn} (${ctx.input.channel})`,
      after: { amountMinor: ctx.input.amountMinor, currency, promisedOn: ctx.input.promisedOn, channel: ctx.input.channel },
    });

    let confirmationContactId: string | null = null;
    const recipient = await findCustomerEmail(ctx.tx, customer.id);
    if (ctx.input.confirm && recipient && !customer.emailOptedOutAt && !customer.doNotContact) {
      const invoices = await findOpenInvoices(ctx.tx, customer.id);
      const base = customerMessageContext(
        customer,
        invoices,
        deps.compose.company,
        ctx.at,
        'promise-confirmation',
        deps.compose.unsubscribeUrl(customer.id),
      );
      const email = renderMessage(deps.compose.catalog, {
        templateId: 'promise-confirmation',
        channel: 'email',
        locale: customer.locale,
        context: { ...base, promise: { amountMinor: ctx.input.amountMinor, currency, promisedFor: ctx.input.promisedOn } },
      });
      const idempotencyKey = `promise-confirmation:${promiseId}`;
      const queued = await recordContacts(ctx.sql, [
        {
          customerId: customer.id,
          caseId: kase.id,
          channel: 'email',
          status: 'queued',
          templateId: 'promise-confirmation',
          locale: email.locale,
          recipient,
          subject: email.subject,
          text: email.text,
          html: email.html,
          idempotencyKey,
          actor: ctx.actor.id,
          invoiceIds: invoices.map((invoice) => invoice.id),
          at: ctx.at,
        },
      ]);
      confirmationContactId = queued.get(idempotencyKey) ?? null;
      if (confirmationContactId) ctx.queueContact({ id: confirmationContactId, channel: 'email', idempotencyKey });
    }
    await ctx.review(customer.id);
    return { promiseId, confirmationContactId };
  });
}

export const cancelPromiseInput = z.object({ customer: customerField, promiseId: z.uuid(), reason: reasonField });

/** Cancels an open promise (collector); dunning resumes at the next tick. */
export function cancelPromise(
  deps: CaseDependencies,
  actor: string,
  input: z.input<typeof cancelPromiseInput>,
): Promise<{ promiseId: string }> {
  return runCaseAction(deps, actor, 'promise.cancel', cancelPromiseInput, input, async (ctx) => {
    const customer = await resolveCustomer(ctx.tx, ctx.input.customer);
    await lockCase(ctx.sql, customer.id);
    const promise = await findPromise(ctx.tx, ctx.input.promiseId);
    if (!promise || promise.customerId !== customer.id) throw new NotFound('promise', ctx.input.promiseId);
    if (promise.status !== 'open') throw new InvalidTransition('promise.cancel', `the promise is ${promise.status}, not open`);
    await closePromises(ctx.sql, { ids: [promise.id] }, 'cancelled', ctx.at);
    await ctx.audit({
      entityType: 'promise_to_pay',
      entityId: promise.id,
      action: 'promise.cancelled',
      reason: ctx.input.reason,
      before: { status: 'open' },
      after: { status: 'cancelled' },
    });
    await ctx.review(customer.id);
    return { promiseId: promise.id };
  });
}

/**
 * Marks `kept` every open promise (of one customer, or all) that payments cover: allocations made
 * after the promise was recorded, from payments received by the promised date + grace, summing to
 * the amount. For the tick's sweep and the cash application. Returns the promises marked.
 */
export async function markKeptPromises(deps: CaseDependencies, customerId: string | null = null): Promise<string[]> {
  const kept = await findKeptPromises(deps.prisma, deps.promiseGraceDays, customerId);
  const at = deps.clock();
  for (const promise of kept) {
    await inTransaction(deps.prisma, async ({ sql }) => {
      await closePromises(sql, { ids: [promise.id] }, 'kept', at);
      await appendAudit(sql, {
        entityType: 'promise_to_pay',
        entityId: promise.id,
        action: 'promise.kept',
        actor: 'system',
        reason: `payments of ${promise.paidMinor} (minor units) cover the promise`,
        before: { status: 'open' },
        after: { status: 'kept' },
        at,
      });
      await requestReview(sql, [promise.customerId], at);
    });
  }
  return kept.map((promise) => promise.id);
}
