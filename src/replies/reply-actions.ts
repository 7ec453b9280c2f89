import { z } from 'zod';
import { parseMajor } from '../core/money.js';
import { resolveActor, resolveCustomer, type CaseDependencies } from '../cases/case-action.js';
import { openDispute } from '../cases/dispute.service.js';
import { InvalidInput, InvalidTransition, NotFound } from '../cases/errors.js';
import { recordPromise } from '../cases/promise.service.js';
import { appendAudit } from '../db/audit.repository.js';
import { requestReview } from '../db/cases.repository.js';
import {
  assignReply as assignStoredReply,
  decideSuggestion,
  findReplyCustomer,
  lockReply,
  lockSuggestion,
  markReplyActed,
  markReplyHandled,
  openBalanceIn,
  reopenSuggestion,
  setSuggestionResults,
} from '../db/replies.repository.js';
import { autoCommit, inTransaction } from '../db/transaction.js';
import { act, planReply, recordInboundContact, storedVerdict, suggest, type ReplyDependencies } from './receive.js';

// What a collector does with replies (the console's Replies page calls these). `actor` is the
// user's id or email, as for case actions; an inactive user is refused.

/**
 * Marks a reply handled: its reply pause ends (the next tick decides the case again). Returns
 * false when it was already handled.
 */
export async function markHandled(deps: ReplyDependencies, actorRef: string, replyId: string): Promise<boolean> {
  const actor = await resolveActor(deps.prisma, actorRef, 'reply.handle');
  return handle(deps, actor.id, replyId, null);
}

async function handle(deps: ReplyDependencies, actorId: string, replyId: string, reason: string | null): Promise<boolean> {
  const at = deps.clock();
  return inTransaction(deps.prisma, async ({ sql }) => {
    const reply = await lockReply(sql, replyId);
    if (!reply) throw new NotFound('reply', replyId);
    if (!(await markReplyHandled(sql, replyId, actorId, at))) return false;
    await appendAudit(sql, {
      entityType: 'reply',
      entityId: replyId,
      action: 'reply.handled',
      actor: actorId,
      at,
      reason,
      before: { handledAt: null },
      after: { handledAt: at.toISOString() },
    });
    if (reply.customerId) await requestReview(sql, [reply.customerId], at);
    return true;
  });
}

export const confirmSuggestionInput = z.object({
  suggestionId: z.uuid(),
  /** Promise: minor units; default the amount the reply stated, else the open balance in its currency. */
  amountMinor: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  /** Promise: the same in major units as a collector types it ("1200.50"), in the suggestion's currency. */
  amount: z.string().trim().min(1).max(40).optional(),
  /** Promise: ISO date; default the date the reply named. */
  promisedOn: z.iso.date('must be a date YYYY-MM-DD').optional(),
  /** Promise: an amount above the open balance is recorded all the same (as on the customer page). */
  allowAboveBalance: z.boolean().optional(),
  /** Dispute: invoice numbers; default those the reply named, else the customer's only open invoice. */
  invoices: z.array(z.string().trim().min(1)).min(1, 'name at least one invoice').max(100).optional(),
  /** Dispute: reason code; default `customer_reply`. */
  reasonCode: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{1,40}$/, 'must be a lower-case code such as not_received')
    .optional(),
});

export interface ConfirmedSuggestion {
  kind: 'promise' | 'dispute';
  /** The promise to pay, or the disputes, made. */
  resultIds: string[];
}

/**
 * Confirms a suggested promise or dispute in one click: it becomes a real promise to pay or
 * dispute through the case services (their checks, audit and confirmation email), and the reply
 * is marked handled (its reply pause ends: the promise or dispute holds the ladder). The collector
 * may correct it first (the promise's date and amount, the dispute's invoices); a correction is
 * checked as a promise or dispute made on the customer page is. The suggestion
 * is marked confirmed first, so two clicks never make two promises; when the case service refuses
 * (e.g. a promise date too far out) it is opened again and the error says which field.
 */
export async function confirmSuggestion(
  deps: ReplyDependencies,
  cases: CaseDependencies,
  actorRef: string,
  input: z.input<typeof confirmSuggestionInput>,
): Promise<ConfirmedSuggestion> {
  const parsed = confirmSuggestionInput.safeParse(input);
  if (!parsed.success) throw InvalidInput.fromZod('suggestion.confirm', parsed.error);
  const { suggestionId } = parsed.data;
  const actor = await resolveActor(deps.prisma, actorRef, 'suggestion.confirm');
  const suggestion = await inTransaction(deps.prisma, async ({ sql }) => {
    const found = await lockSuggestion(sql, suggestionId);
    if (!found) throw new NotFound('suggestion', suggestionId);
    if (found.status !== 'open') throw new InvalidTransition('suggestion.confirm', `the suggestion is already ${found.status}`);
    await decideSuggestion(sql, suggestionId, { status: 'confirmed', by: actor.id, at: deps.clock(), resultIds: [] });
    return found;
  });
  try {
    const resultIds = suggestion.kind === 'promise' ? await confirmPromise() : await confirmDispute();
    await setSuggestionResults(autoCommit(deps.prisma), suggestionId, resultIds);
    // What the reply asked of a person is done: its reply pause ends (the promise or dispute now holds the ladder).
    await handle(deps, actor.id, suggestion.replyId, `${suggestion.kind} confirmed from suggestion ${suggestionId}`);
    return { kind: suggestion.kind, resultIds };
  } catch (error) {
    await reopenSuggestion(autoCommit(deps.prisma), suggestionId);
    throw error;
  }

  async function confirmPromise(): Promise<string[]> {
    const currency = suggestion.currency ?? undefined;
    const amount =
      typedAmount(parsed.data!.amount, currency) ??
      parsed.data!.amountMinor ??
      (suggestion.amountMinor !== null
        ? Number(suggestion.amountMinor)
        : Number(await openBalanceIn(autoCommit(deps.prisma), suggestion.customerId, currency ?? '')));
    const promisedOn = parsed.data!.promisedOn ?? suggestion.promisedOn;
    if (!promisedOn) throw new InvalidInput('suggestion.confirm', [{ field: 'promisedOn', message: 'the reply named no date: give one' }]);
    const promise = await recordPromise(cases, actor.id, {
      customer: suggestion.customerId,
      amountMinor: amount,
      ...(currency && { currency }),
      promisedOn,
      channel: suggestion.channel,
      ...(parsed.data!.allowAboveBalance && { allowAboveBalance: true }),
      ...(suggestion.contactId && { contactId: suggestion.contactId }),
    });
    return [promise.promiseId];
  }

  async function confirmDispute(): Promise<string[]> {
    let numbers = parsed.data!.invoices;
    const customer = await findReplyCustomer(autoCommit(deps.prisma), suggestion.customerId);
    if (numbers) {
      // Checked before any is opened, so a typo opens none rather than some.
      const open = new Set(customer?.openInvoices.map((i) => i.number));
      const unknown = numbers.filter((n) => !open.has(n));
      if (unknown.length > 0)
        throw new InvalidInput('suggestion.confirm', [
          { field: 'invoices', message: `${unknown.join(', ').slice(0, 200)}: not an open invoice of this customer` },
        ]);
    } else {
      const named = customer?.openInvoices.filter((i) => suggestion.invoiceIds.includes(i.id)) ?? [];
      const candidates = named.length > 0 ? named : (customer?.openInvoices ?? []);
      if (candidates.length !== 1 && named.length === 0) {
        throw new InvalidInput('suggestion.confirm', [
          { field: 'invoices', message: 'the reply named no invoice: give the invoice numbers' },
        ]);
      }
      numbers = candidates.map((i) => i.number);
    }
    const ids: string[] = [];
    for (const invoice of numbers) {
      const { disputeId } = await openDispute(cases, actor.id, {
        customer: suggestion.customerId,
        invoice,
        reasonCode: parsed.data!.reasonCode ?? 'customer_reply',
        notes: `From the customer's reply (suggestion ${suggestionId}).`,
      });
      ids.push(disputeId);
    }
    return ids;
  }
}

/** A typed amount in minor units of the suggestion's currency; undefined when none was typed. */
function typedAmount(text: string | undefined, currency: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const parsed = parseMajor(text, currency ?? '');
  if (!parsed.ok) throw new InvalidInput('suggestion.confirm', [{ field: 'amount', message: parsed.reason }]);
  if (parsed.minor === 0n) throw new InvalidInput('suggestion.confirm', [{ field: 'amount', message: 'must be more than zero' }]);
  if (parsed.minor > BigInt(Number.MAX_SAFE_INTEGER))
    throw new InvalidInput('suggestion.confirm', [{ field: 'amount', message: 'is too large' }]);
  return Number(parsed.minor);
}

/** Dismisses a suggestion (nothing is recorded but the decision). False when it was no longer open. */
export async function dismissSuggestion(deps: ReplyDependencies, actorRef: string, suggestionId: string): Promise<boolean> {
  const actor = await resolveActor(deps.prisma, actorRef, 'suggestion.dismiss');
  return inTransaction(deps.prisma, async ({ sql }) => {
    const found = await lockSuggestion(sql, suggestionId);
    if (!found) throw new NotFound('suggestion', suggestionId);
    return decideSuggestion(sql, suggestionId, { status: 'dismissed', by: actor.id, at: deps.clock(), resultIds: [] });
  });
}

/**
 * Assigns an unmatched reply to a customer (external id or id): it joins the customer's contact
 * log, and what it calls for is done as if it had matched on arrival (reply pause, suggestion,
 * opt-out, cash application flag).
 */
export async function assignReply(
  deps: ReplyDependencies,
  actorRef: string,
  input: { replyId: string; customer: string },
): Promise<{ customer: string; actions: string[] }> {
  const actor = await resolveActor(deps.prisma, actorRef, 'reply.assign');
  const at = deps.clock();
  const assigned = await inTransaction(deps.prisma, async ({ db, sql }) => {
    const reply = await lockReply(sql, input.replyId);
    if (!reply) throw new NotFound('reply', input.replyId);
    if (reply.customerId !== null) throw new InvalidTransition('reply.assign', 'the reply is already matched to a customer');
    const { id } = await resolveCustomer(db, input.customer);
    const customer = await findReplyCustomer(sql, id);
    if (!customer) throw new NotFound('customer', input.customer);
    const verdict = storedVerdict(reply);
    const plan = planReply(reply.channel === 'sms' ? 'sms' : 'email', verdict, customer, reply.receivedAt, deps);
    // A bounce was acted on when it arrived; what needed a customer is what remains.
    const pending = plan.actions.filter((a) => !a.startsWith('bounce.'));
    const earlier = reply.actions.filter((a) => a !== 'unmatched');
    const contactId = await recordInboundContact(sql, customer.id, reply);
    await assignStoredReply(sql, reply.id, {
      customerId: customer.id,
      contactId: contactId!,
      pausedThrough: plan.pausedThrough,
      actions: [...earlier, ...pending],
    });
    await suggest(sql, reply.id, plan, verdict, customer);
    await appendAudit(sql, {
      entityType: 'reply',
      entityId: reply.id,
      action: 'reply.assigned',
      actor: actor.id,
      at,
      after: { customerId: customer.id },
    });
    await requestReview(sql, [customer.id], at);
    return { reply: { ...reply, customerId: customer.id, actions: pending }, verdict, earlier, externalId: customer.externalId };
  });
  const match = { customerId: assigned.reply.customerId, answersContactId: null, answersMessageId: null, matchedBy: 'assigned' as const };
  const taken = [...assigned.earlier, ...(await act(deps, assigned.reply, assigned.verdict, match, at))];
  await markReplyActed(autoCommit(deps.prisma), assigned.reply.id, taken, at);
  return { customer: assigned.externalId, actions: taken };
}
