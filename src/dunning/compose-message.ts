import { daysPastDue } from '../core/aging.js';
import { localIsoOf } from '../core/dates.js';
import type { PlannedAction } from '../core/decision.js';
import type { OpenInvoice } from '../core/domain.js';
import type { CaseSnapshot } from '../db/case-snapshot.repository.js';
import type { ContactInterestClaim } from '../db/contact-log.repository.js';
import type { RenderedMessage } from '../db/decisions.repository.js';
import {
  renderMessage,
  type CompanyProfile,
  type CurrencyTotal,
  type InvoiceLine,
  type PaymentPlanReminderContext,
  type ReminderContext,
  type TemplateCatalog,
} from '../templates/index.js';
import type { StepInterest } from './late-interest.js';

/** A rendered email or SMS, ready to be written to the contact log and then delivered. */
export interface MessageDraft extends RenderedMessage {
  channel: 'email' | 'sms';
  /** The late-payment claim the email states, recorded with the contact. */
  interestClaims?: ContactInterestClaim[];
}

export interface ComposeSettings {
  catalog: TemplateCatalog;
  company: CompanyProfile;
  /** One-click unsubscribe link for this customer, when the deployment offers one. */
  unsubscribeUrl: (customerId: string) => string | null;
}

/** What a reminder is about: the part of a planned action its render context is built from. */
export type ReminderSubject = Pick<PlannedAction, 'policyId' | 'stepId' | 'template' | 'invoices' | 'requiresOptOutLine'>;

/**
 * The render context of a reminder: the invoices it covers as the customer should see them, the
 * customer's other invoices not yet due (not disputed), the payments received since the last
 * reminder, and whether a credit hold was already in place before this decision.
 */
export function reminderContext(
  snapshot: CaseSnapshot,
  action: ReminderSubject,
  settings: ComposeSettings,
): ReminderContext | PaymentPlanReminderContext {
  const { customer, invoices: open, now, paymentPlan, disputes, holds } = snapshot.input;
  const covered = new Set(action.invoices.map((ref) => ref.invoiceId));
  const disputed = new Set(disputes.filter((dispute) => dispute.status === 'open').map((dispute) => dispute.invoiceId));
  const line = (invoice: OpenInvoice): InvoiceLine => ({
    number: invoice.number,
    currency: invoice.currency,
    amountMinor: invoice.amountMinor,
    balanceMinor: invoice.balanceMinor,
    issuedOn: invoice.issuedOn,
    dueOn: invoice.dueOn,
    daysPastDue: daysPastDue(invoice.dueOn, now, customer.timeZone),
  });
  const invoices = open.filter((invoice) => covered.has(invoice.id)).map(line);
  const upcoming = open
    .filter((invoice) => !covered.has(invoice.id) && !disputed.has(invoice.id))
    .map(line)
    .filter((invoice) => invoice.daysPastDue <= 0);
  const base: ReminderContext = {
    customer: { name: snapshot.customerName, locale: customer.locale, timeZone: customer.timeZone },
    invoices,
    totals: totalsByCurrency(invoices),
    upcoming,
    received: snapshot.received.map(({ currency, amountMinor }) => ({ currency, amountMinor })),
    // Read before this decision: the step that places the hold sees false and announces it.
    creditHoldAlreadyPlaced: holds.creditHold,
    company: settings.company,
    unsubscribeUrl: settings.unsubscribeUrl(customer.id),
    optOutRequired: action.requiresOptOutLine,
    stepId: action.template ?? `${action.policyId}/${action.stepId}`,
    now: localIsoOf(now, customer.timeZone),
  };
  const instalmentId = action.invoices.find((ref) => ref.instalmentId)?.instalmentId;
  const instalments = paymentPlan?.instalments ?? [];
  const index = instalments.findIndex((instalment) => instalment.id === instalmentId);
  if (!paymentPlan || index < 0) return base;
  const instalment = instalments[index]!;
  return {
    ...base,
    instalment: {
      dueOn: instalment.dueOn,
      amountMinor: instalment.amountMinor,
      currency: paymentPlan.currency,
      sequence: index + 1,
      count: instalments.length,
    },
  };
}

function totalsByCurrency(invoices: InvoiceLine[]): CurrencyTotal[] {
  const totals = new Map<string, number>();
  for (const invoice of invoices) {
    totals.set(invoice.currency, (totals.get(invoice.currency) ?? 0) + invoice.balanceMinor);
  }
  return [...totals].map(([currency, balanceMinor]) => ({ currency, balanceMinor }));
}

/**
 * Renders an email or SMS action for its recipient. Returns null when the customer has no
 * usable address for the channel (the core already checked consent; this is the address).
 * `interest` is the claim of a step with `interest: true`: the email states it (an SMS has no
 * room for a legal claim and never carries it).
 */
export function composeMessage(
  snapshot: CaseSnapshot,
  action: ReminderSubject & { type: 'email' | 'sms' },
  settings: ComposeSettings,
  interest: StepInterest | null = null,
): MessageDraft | null {
  const recipient = action.type === 'email' ? snapshot.recipients.email : snapshot.recipients.mobile;
  if (!recipient || !action.template) return null;
  const context = reminderContext(snapshot, action, settings);
  const request = { templateId: action.template, locale: snapshot.input.customer.locale, context };
  if (action.type === 'email') {
    const email = renderMessage(settings.catalog, {
      ...request,
      context: { ...context, interest: interest?.context ?? null },
      channel: 'email',
    });
    return {
      channel: 'email',
      recipient,
      templateId: action.template,
      locale: email.locale,
      subject: email.subject,
      text: email.text,
      html: email.html,
      ...(interest && { interestClaims: interest.claimed }),
    };
  }
  const sms = renderMessage(settings.catalog, { ...request, channel: 'sms' });
  return {
    channel: 'sms',
    recipient,
    templateId: action.template,
    locale: sms.locale,
    subject: null,
    text: sms.body,
    html: null,
  };
}
