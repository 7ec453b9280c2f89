import { DateTime } from 'luxon';
import { z } from 'zod';
import { emailAvailable, smsAvailable } from '../core/channels.js';
import type { CoveredInvoice } from '../core/decision.js';
import { stepClaimsInterest } from '../core/policy.js';
import { isWindowOpen, nextOpening, windowFor } from '../core/send-window.js';
import { loadCaseSnapshots, type CaseSnapshot } from '../db/case-snapshot.repository.js';
import { findContactIdByKey, recordContacts } from '../db/contact-log.repository.js';
import type { Sql } from '../db/sql.js';
import { composeMessage, type MessageDraft } from '../dunning/compose-message.js';
import { claimsOfMessage, stepInterest } from '../dunning/late-interest.js';
import { loadClaims } from '../reports/sources/interest.source.js';
import { availableLocales, pickLocale } from '../templates/index.js';
import { customerField, runCustomerAction, type CaseDependencies } from './case-action.js';
import { InvalidInput, InvalidTransition } from './errors.js';

// "Send a message now": a collector sends one of the customer's policy step templates at once,
// outside the ladder. It goes through the outbox like a reminder (the contact-log row under a
// unique idempotency key first, then the delivery job), so it is in the log, retried, and never
// sent twice; it does not count as the step firing.
//
// The customer's send window holds for it too. Outside it, a business customer's message goes
// only when the collector confirms it (the customer asked for it on the phone, say): the preview
// says what time it is for the customer and when their window opens, and the send form asks. A
// consumer is never contacted outside their hours by hand either: refused, with when to try.

export const MESSAGE_CHANNELS = ['email', 'sms'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

export const sendMessageInput = z.object({
  customer: customerField,
  channel: z.enum(MESSAGE_CHANNELS),
  template: z.string().trim().min(1, 'is required').max(200),
  /** Chosen when the form is shown: submitting the same form twice sends once. */
  requestId: z.uuid(),
  /** The collector confirms sending outside the customer's send window (business customers only). */
  outsideWindow: z.boolean().default(false),
});

/** A step template the customer's policy sends on a channel, and the locale it renders in for them. */
export interface MessageTemplate {
  template: string;
  channel: MessageChannel;
  /** The policy step(s) that use it. */
  steps: string[];
  locale: string;
}

/** The templates a collector may send this customer now: its policy's step templates, per channel. */
export function messageTemplates(deps: CaseDependencies, customer: { policyId: string; locale: string }): MessageTemplate[] {
  const policy = deps.policies.get(customer.policyId);
  if (!policy) return [];
  const found = new Map<string, MessageTemplate>();
  for (const step of policy.steps) {
    for (const action of step.actions) {
      if ((action.type !== 'email' && action.type !== 'sms') || !action.template) continue;
      const locales = availableLocales(deps.compose.catalog, action.template, action.type);
      if (locales.length === 0) continue;
      const key = `${action.type}/${action.template}`;
      const entry = found.get(key) ?? {
        template: action.template,
        channel: action.type,
        steps: [],
        locale: pickLocale(customer.locale, locales),
      };
      entry.steps.push(step.id);
      found.set(key, entry);
    }
  }
  return [...found.values()].sort((a, b) => a.channel.localeCompare(b.channel) || a.template.localeCompare(b.template));
}

/** Why a message may not go to this customer now, as a collector should read it; null when it may. */
export function sendRefusal(snapshot: CaseSnapshot, channel: MessageChannel): string | null {
  const { customer, holds } = snapshot.input;
  if (holds.legalHold) return 'The account is on legal hold: all contact goes through legal.';
  if (holds.bankruptcy) return 'The customer is in bankruptcy: contact about the debt is stopped.';
  if (customer.doNotContact) return 'The customer is marked do not contact.';
  if (channel === 'email' && !emailAvailable(customer.consent))
    return customer.consent.hasEmail ? 'The customer opted out of email.' : 'The customer has no email address we can use.';
  if (channel === 'sms' && !smsAvailable(customer.consent))
    return customer.consent.hasMobile
      ? 'The customer has not consented to SMS (or replied STOP).'
      : 'The customer has no mobile number we can use.';
  return null;
}

/**
 * The message as it would be sent: refused (with the reason), or rendered for its recipient;
 * `outsideWindow` says, when the customer's send window is shut, what time it is for them and
 * when it opens (sending then needs the collector's confirmation).
 */
export type ComposedNow =
  { ok: false; refusal: string } | { ok: true; draft: MessageDraft; invoices: CoveredInvoice[]; outsideWindow: string | null };

/** Null when the customer's window is open at `now`; else a sentence a collector reads. */
function windowShut(deps: CaseDependencies, customer: CaseSnapshot['input']['customer'], now: DateTime): string | null {
  const cw = windowFor(customer, deps.rules);
  if (isWindowOpen(now, cw)) return null;
  const local = now.setZone(cw.zone).setLocale('en');
  const opens = nextOpening(now, cw).setLocale('en');
  const hours = `${cw.window.start}–${cw.window.end}`;
  return `It is ${local.toFormat('ccc d LLL HH:mm')} for this customer (${cw.zone}), outside their send window (${hours}); it opens ${opens.toFormat('ccc d LLL HH:mm')} their time.`;
}

async function composeNow(
  deps: CaseDependencies,
  sql: Sql,
  caseId: string,
  input: { channel: MessageChannel; template: string },
  at: Date,
): Promise<ComposedNow> {
  const [snapshot] = await loadCaseSnapshots(sql, [caseId], DateTime.fromJSDate(at, { zone: 'utc' }));
  if (!snapshot) return { ok: false, refusal: 'The customer has no collection case yet.' };
  const customer = snapshot.input.customer;
  const template = messageTemplates(deps, customer).find((t) => t.channel === input.channel && t.template === input.template);
  if (!template) {
    throw new InvalidInput('message.send', [
      { field: 'template', message: `is not one of the customer's policy templates for ${input.channel}` },
    ]);
  }
  const refusal = sendRefusal(snapshot, input.channel);
  if (refusal) return { ok: false, refusal };
  const { invoices: open, disputes, now } = snapshot.input;
  const outsideWindow = windowShut(deps, customer, now);
  if (outsideWindow && customer.profile === 'consumer') {
    return { ok: false, refusal: `${outsideWindow} Consumers are contacted only inside their hours: send it then.` };
  }
  const today = now.setZone(snapshot.input.customer.timeZone).toISODate()!;
  const disputed = new Set(disputes.filter((d) => d.status === 'open').map((d) => d.invoiceId));
  const undisputed = open.filter((invoice) => !disputed.has(invoice.id));
  const overdue = undisputed.filter((invoice) => invoice.dueOn < today);
  const covered = (overdue.length > 0 ? overdue : undisputed)
    .map((invoice) => ({ invoiceId: invoice.id, number: invoice.number, cycle: invoice.dunningCycle, stepId: template.steps[0]! }))
    .sort((a, b) => a.invoiceId.localeCompare(b.invoiceId));
  if (covered.length === 0) return { ok: false, refusal: 'Nothing is owed on an undisputed invoice: there is nothing to write about.' };
  // A step template that claims interest claims it when sent by hand too, counted to today.
  const interest =
    input.channel === 'email' && stepClaimsInterest(deps.policies.get(customer.policyId), template.steps[0]!)
      ? stepInterest(
          claimsOfMessage(
            await loadClaims(sql, { asOf: today, customerIds: [customer.id], ...deps.interest }),
            new Set(covered.map((invoice) => invoice.invoiceId)),
            disputed,
          ),
          today,
        )
      : null;
  const draft = composeMessage(
    snapshot,
    {
      type: input.channel,
      policyId: customer.policyId,
      stepId: template.steps[0]!,
      template: template.template,
      invoices: covered,
      requiresOptOutLine: snapshot.input.customer.profile === 'consumer',
    },
    deps.compose,
    interest,
  );
  if (!draft)
    return { ok: false, refusal: `The customer has no ${input.channel === 'email' ? 'email address' : 'mobile number'} we can use.` };
  return { ok: true, draft, invoices: covered, outsideWindow };
}

/** Renders the message a collector is about to send (nothing is written): the preview before sending. */
export function previewMessage(deps: CaseDependencies, actor: string, input: z.input<typeof sendMessageInput>): Promise<ComposedNow> {
  return runCustomerAction(deps, actor, 'message.send', sendMessageInput, input, (ctx, _customer, kase) =>
    composeNow(deps, ctx.sql, kase.id, ctx.input, ctx.at),
  );
}

/**
 * Sends a step template to the customer now (collector): refused on legal hold, bankruptcy,
 * do-not-contact, email opt-out and missing SMS consent, with the reason; outside the customer's
 * send window refused for a consumer, and for a business customer unless `outsideWindow`
 * confirms it; otherwise written to the outbox and handed to the delivery job after the commit.
 */
export function sendMessageNow(
  deps: CaseDependencies,
  actor: string,
  input: z.input<typeof sendMessageInput>,
): Promise<{ contactId: string; recipient: string; duplicate: boolean }> {
  return runCustomerAction(deps, actor, 'message.send', sendMessageInput, input, async (ctx, customer, kase) => {
    const composed = await composeNow(deps, ctx.sql, kase.id, ctx.input, ctx.at);
    if (!composed.ok) throw new InvalidTransition('message.send', composed.refusal);
    if (composed.outsideWindow && !ctx.input.outsideWindow) {
      throw new InvalidTransition(
        'message.send',
        `${composed.outsideWindow} Nothing was sent: confirm "send outside their window" if the customer asked for it now, or send it then.`,
      );
    }
    const { draft } = composed;
    const idempotencyKey = `manual-${ctx.input.requestId}`;
    const queued = await recordContacts(ctx.sql, [
      {
        customerId: customer.id,
        caseId: kase.id,
        channel: draft.channel,
        status: 'queued',
        templateId: draft.templateId,
        locale: draft.locale,
        recipient: draft.recipient,
        subject: draft.subject,
        text: draft.text,
        html: draft.html,
        idempotencyKey,
        actor: ctx.actor.id,
        invoiceIds: composed.invoices.map((invoice) => invoice.invoiceId),
        ...(draft.interestClaims && { interestClaims: draft.interestClaims }),
        at: ctx.at,
      },
    ]);
    const contactId = queued.get(idempotencyKey);
    if (!contactId) {
      // The same form submitted again: the first submission's message is the one that goes.
      return { contactId: (await findContactIdByKey(ctx.sql, idempotencyKey)) ?? '', recipient: draft.recipient, duplicate: true };
    }
    ctx.queueContact({ id: contactId, channel: draft.channel, idempotencyKey });
    if (composed.outsideWindow) {
      await ctx.audit({
        entityType: 'customer',
        entityId: customer.id,
        action: 'message.sent_outside_window',
        reason: composed.outsideWindow,
        after: { contactId, template: draft.templateId, channel: draft.channel },
      });
    }
    return { contactId, recipient: draft.recipient, duplicate: false };
  });
}
