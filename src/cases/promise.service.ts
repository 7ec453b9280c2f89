import { DateTime } from 'luxon';
import { z } from 'zod';
import { toMajorString } from '../core/money.js';
import { appendAudit } from '../db/audit.repository.js';
import { recordContacts } from '../db/contact-log.repository.js';
import { findCustomerEmail, type CustomerRow } from '../db/customers.repository.js';
import { findOpenInvoices, openBalanceByCurrency } from '../db/invoices.repository.js';
import { closePromises, findKeptPromises, findOpenPromises, findPromise, insertPromise } from '../db/promises.repository.js';
import { inTransaction, type Db } from '../db/transaction.js';
import { requestReview } from '../db/cases.repository.js';
import { renderMessage } from '../templates/index.js';
import { customerAction, customerField, isoDateField, reasonField, runCustomerAction, type CaseDependencies } from './case-action.js';
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
  /** Record it although the amount is more than the open balance in its currency. */
  allowAboveBalance: z.boolean().default(false),
  /** The customer's open promise this one replaces (it is cancelled, audited, in the same transaction). */
  replaces: z.uuid().optional(),
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
  return runCustomerAction(deps, actor, 'promise.record', recordPromiseInput, input, async (ctx, customer, kase) => {
    const currency = ctx.input.currency ?? customer.currency;
    const replaced = await checkPromise(deps, customer, { ...ctx.input, currency }, ctx);
    if (replaced) {
      await closePromises(ctx.sql, { ids: [replaced.id] }, 'cancelled', ctx.at);
      await ctx.audit({
        entityType: 'promise_to_pay',
        entityId: replaced.id,
        action: 'promise.cancelled',
        reason: `replaced by a promise of ${toMajorString(ctx.input.amountMinor, currency)} ${currency} by ${ctx.input.promisedOn}`,
        before: { status: 'open' },
        after: { status: 'cancelled', replaced: true },
      });
    }
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
      after: {
        amountMinor: ctx.input.amountMinor,
        currency,
        promisedOn: ctx.input.promisedOn,
        channel: ctx.input.channel,
        ...(replaced ? { replaces: replaced.id } : {}),
      },
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

/**
 * The sense checks of a new promise, each a field error a collector can act on: the promised day
 * from today to today + `promiseMaxDays` (customer's zone); the amount at most the open balance in
 * its currency unless `allowAboveBalance`; one open promise at a time unless the new one names
 * the open one in `replaces`. Returns the open promise to cancel, if replaced.
 */
async function checkPromise(
  deps: CaseDependencies,
  customer: CustomerRow,
  input: { amountMinor: number; currency: string; promisedOn: string; allowAboveBalance: boolean; replaces?: string | undefined },
  ctx: { tx: Db; at: Date },
): Promise<{ id: string } | null> {
  const problems: Array<{ field: string; message: string }> = [];
  const today = DateTime.fromJSDate(ctx.at, { zone: customer.timeZone }).toISODate()!;
  const latest = DateTime.fromISO(today, { zone: customer.timeZone }).plus({ days: deps.promiseMaxDays }).toISODate()!;
  if (input.promisedOn < today) problems.push({ field: 'promisedOn', message: `must not be before today (${today})` });
  else if (input.promisedOn > latest)
    problems.push({
      field: 'promisedOn',
      message: `must be within ${deps.promiseMaxDays} days (by ${latest}); longer needs a payment plan`,
    });
  const balance = (await openBalanceByCurrency(ctx.tx, customer.id)).get(input.currency) ?? 0n;
  if (!input.allowAboveBalance && BigInt(input.amountMinor) > balance) {
    problems.push({
      field: 'amount',
      message:
        balance === 0n
          ? `nothing is open in ${input.currency}; confirm to record it anyway`
          : `is more than the open balance (${toMajorString(balance, input.currency)} ${input.currency}); confirm to record it anyway`,
    });
  }
  const open = await findOpenPromises(ctx.tx, customer.id);
  let replaced: { id: string } | null = null;
  if (input.replaces !== undefined) {
    replaced = open.find((promise) => promise.id === input.replaces) ?? null;
    if (replaced === null) problems.push({ field: 'replaces', message: 'is not an open promise of this customer' });
  } else if (open.length > 0) {
    const current = open[0]!;
    problems.push({
      field: 'replaces',
      message: `the customer already has an open promise (${toMajorString(current.amountMinor, current.currency)} ${current.currency} by ${current.promisedOn}); replace it or cancel it first`,
    });
  }
  if (problems.length > 0) throw new InvalidInput('promise.record', problems);
  return replaced;
}

export const cancelPromiseInput = z.object({ customer: customerField, promiseId: z.uuid(), reason: reasonField });

/** Cancels an open promise (collector); dunning resumes at the next tick. */
export const cancelPromise = customerAction('promise.cancel', cancelPromiseInput, async (ctx, customer): Promise<{ promiseId: string }> => {
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
        reason: `payments of ${toMajorString(BigInt(promise.paidMinor), promise.currency)} ${promise.currency} cover the promise`,
        before: { status: 'open' },
        after: { status: 'kept' },
        at,
      });
      await requestReview(sql, [promise.customerId], at);
    });
  }
  return kept.map((promise) => promise.id);
}
