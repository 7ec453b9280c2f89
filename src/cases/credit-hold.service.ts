import { z } from 'zod';
import { emailMessageId, type EmailTransport } from '../channels/email/email-transport.js';
import { appendAudit, hasAudit } from '../db/audit.repository.js';
import { lockCase } from '../db/cases.repository.js';
import { findCustomerById } from '../db/customers.repository.js';
import {
  findActiveCreditHold,
  findCreditHold,
  findPaidCreditHolds,
  insertCreditHold,
  markCreditHoldReleased,
} from '../db/holds.repository.js';
import { overdueBalance } from '../db/invoices.repository.js';
import { autoCommit } from '../db/transaction.js';
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../logging/logger.js';
import { postSignedJson, type WebhookTarget } from '../alerts/webhook.js';
import {
  customerField,
  reasonField,
  resolveCustomer,
  runCaseAction,
  customerAction,
  type ActionContext,
  type CaseDependencies,
} from './case-action.js';
import { InvalidTransition } from './errors.js';
import { SYSTEM_ACTOR } from './permissions.js';

export const placeCreditHoldInput = z.object({ customer: customerField, reason: reasonField });

/** Places a credit hold by hand (manager); the ERP is told (signed webhook) and the sales contact emailed. */
export const placeCreditHold = customerAction(
  'credit_hold.place',
  placeCreditHoldInput,
  async (ctx, customer): Promise<{ holdId: string }> => {
    if (await findActiveCreditHold(ctx.tx, customer.id)) {
      throw new InvalidTransition('credit_hold.place', `customer ${customer.externalId} is already on credit hold`);
    }
    const holdId = (await insertCreditHold(ctx.sql, {
      customerId: customer.id,
      reason: ctx.input.reason,
      placedBy: ctx.actor.id,
      at: ctx.at,
    }))!;
    await ctx.audit({
      entityType: 'customer',
      entityId: customer.id,
      action: 'credit_hold.placed',
      reason: ctx.input.reason,
      before: { creditHold: false },
      after: { creditHold: true, creditHoldId: holdId },
    });
    ctx.announceCreditHold(holdId, 'placed');
    await ctx.review(customer.id);
    return { holdId };
  },
);

export const releaseCreditHoldInput = z.object({ customer: customerField, reason: reasonField });

/** Releases the active credit hold (manager). */
export function releaseCreditHold(
  deps: CaseDependencies,
  actor: string,
  input: z.input<typeof releaseCreditHoldInput>,
): Promise<{ holdId: string }> {
  return runCaseAction(deps, actor, 'credit_hold.release', releaseCreditHoldInput, input, async (ctx) => {
    const customer = await resolveCustomer(ctx.tx, ctx.input.customer);
    const holdId = await release(ctx, customer.id, customer.externalId, ctx.input.reason);
    return { holdId };
  });
}

async function release(ctx: ActionContext<unknown>, customerId: string, externalId: string, reason: string): Promise<string> {
  await lockCase(ctx.sql, customerId);
  const hold = await findActiveCreditHold(ctx.tx, customerId);
  if (!hold) throw new InvalidTransition('credit_hold.release', `customer ${externalId} is not on credit hold`);
  await markCreditHoldReleased(ctx.sql, hold.id, ctx.actor.id, reason, ctx.at);
  await ctx.audit({
    entityType: 'customer',
    entityId: customerId,
    action: 'credit_hold.released',
    reason,
    before: { creditHold: true, creditHoldId: hold.id },
    after: { creditHold: false },
  });
  ctx.announceCreditHold(hold.id, 'released');
  await ctx.review(customerId);
  return hold.id;
}

export const PAID_RELEASE_REASON = 'overdue balance paid';

/**
 * Releases the customer's credit hold when nothing is overdue any more (actor `system`), if the
 * system placed it (a policy step). A hold a person placed was a decision about the account, not
 * only about what is overdue: only a person releases it. For the cash application to call after
 * applying payments; the sweep also calls it for every held customer. Returns the released hold,
 * or null when none was released.
 */
export async function releaseCreditHoldsIfPaid(deps: CaseDependencies, customerId: string): Promise<string | null> {
  const customer = await findCustomerById(deps.prisma, customerId);
  if (!customer) return null;
  return runCaseAction(deps, SYSTEM_ACTOR.id, 'credit_hold.release', z.object({}), {}, async (ctx) => {
    const hold = await findActiveCreditHold(ctx.tx, customerId);
    if (!hold || hold.placedBy !== SYSTEM_ACTOR.id) return null;
    const overdue = await overdueBalance(ctx.tx, customerId, ctx.at);
    if (overdue.some((row) => row.minor > 0n)) return null;
    return release(ctx, customerId, customer.externalId, PAID_RELEASE_REASON);
  });
}

/** `releaseCreditHoldsIfPaid` for every customer on a credit hold the system placed, with nothing overdue. */
export async function releasePaidCreditHolds(deps: CaseDependencies): Promise<number> {
  let released = 0;
  for (const hold of await findPaidCreditHolds(deps.prisma, deps.clock())) {
    if (await releaseCreditHoldsIfPaid(deps, hold.customerId)) released += 1;
  }
  return released;
}

// ─────────────────────────────────────── the ERP event ───────────────────────────────────────

export interface CreditHoldEventDependencies {
  prisma: PrismaClient;
  email: EmailTransport;
  emailFrom: string;
  /** `CREDIT_HOLD_WEBHOOK_URL` / `_SECRET`; null = no ERP is told. */
  webhook: WebhookTarget | null;
  companyName: string;
  clock: () => Date;
  logger: Logger;
}

/** The JSON an ERP receives. */
export interface CreditHoldEvent {
  event: 'credit_hold.placed' | 'credit_hold.released';
  holdId: string;
  occurredAt: string;
  customer: { id: string; externalId: string; name: string };
  reason: string;
  actor: string;
}

/**
 * Tells the ERP (signed webhook) and the account's sales contact (email) that a hold was placed
 * or released. Each part is marked done in the audit trail, so a retry repeats only what failed.
 */
export async function deliverCreditHoldEvent(
  deps: CreditHoldEventDependencies,
  holdId: string,
  kind: 'placed' | 'released',
): Promise<{ webhook: boolean; salesEmail: boolean }> {
  const hold = await findCreditHold(deps.prisma, holdId);
  const customer = hold && (await findCustomerById(deps.prisma, hold.customerId));
  if (!hold || !customer) return { webhook: false, salesEmail: false };
  const at = kind === 'placed' ? hold.placedAt : (hold.releasedAt ?? deps.clock());
  const event: CreditHoldEvent = {
    event: `credit_hold.${kind}`,
    holdId,
    occurredAt: at.toISOString(),
    customer: { id: customer.id, externalId: customer.externalId, name: customer.name },
    reason: (kind === 'placed' ? hold.reason : hold.releaseReason) ?? '',
    actor: (kind === 'placed' ? hold.placedBy : hold.releasedBy) ?? 'system',
  };
  const result = { webhook: false, salesEmail: false };

  const announced = `credit_hold.${kind}.announced`;
  if (!(await hasAudit(deps.prisma, 'credit_hold', holdId, announced))) {
    const status = deps.webhook ? await postSignedJson(deps.webhook, event.event, `${holdId}:${kind}`, event, deps.clock()) : null;
    await appendAudit(autoCommit(deps.prisma), {
      entityType: 'credit_hold',
      entityId: holdId,
      action: announced,
      actor: 'system',
      reason: deps.webhook ? 'ERP webhook delivered' : 'no CREDIT_HOLD_WEBHOOK_URL configured',
      after: { webhook: deps.webhook !== null, status, event: event.event },
      at: deps.clock(),
    });
    result.webhook = status !== null;
  }

  const notified = `credit_hold.${kind}.sales_notified`;
  if (customer.salesContactEmail && !(await hasAudit(deps.prisma, 'credit_hold', holdId, notified))) {
    const verb = kind === 'placed' ? 'placed on' : 'released from';
    await deps.email.send({
      from: deps.emailFrom,
      to: customer.salesContactEmail,
      subject: `[Arrears] ${customer.name} ${verb} credit hold`,
      text: [
        `${customer.name} (${customer.externalId}) was ${verb} credit hold on ${event.occurredAt}.`,
        `Reason: ${event.reason}`,
        kind === 'placed'
          ? 'New orders for this account should not ship until the hold is released.'
          : 'Orders for this account may ship again.',
        '',
        `-- Arrears for ${deps.companyName}`,
      ].join('\n'),
      html: `<p>${escapeHtml(customer.name)} (${escapeHtml(customer.externalId)}) was ${verb} credit hold on ${event.occurredAt}.</p><p>Reason: ${escapeHtml(event.reason)}</p>`,
      messageId: emailMessageId(`credit-hold:${holdId}:${kind}:sales`, deps.emailFrom),
    });
    await appendAudit(autoCommit(deps.prisma), {
      entityType: 'credit_hold',
      entityId: holdId,
      action: notified,
      actor: 'system',
      reason: 'sales contact emailed',
      after: { to: 'sales_contact_email' },
      at: deps.clock(),
    });
    result.salesEmail = true;
  }
  return result;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
