import { daysPastDue } from '../core/aging.js';
import { localDateOf } from '../core/dates.js';
import type { CoveredInvoice } from '../core/decision.js';
import type { OpenInvoice } from '../core/domain.js';
import { invoiceExclusions } from '../core/pauses.js';
import { isPlanActive } from '../core/payment-plan.js';
import type { PolicyStep } from '../core/policy.js';
import type { DunningRules } from '../core/rules.js';
import type { CaseSnapshot } from '../db/case-snapshot.repository.js';
import type { PolicyCatalog } from '../workflows/load-policies.js';
import type { ReminderSubject } from './compose-message.js';

/** Nothing the template could be about: no overdue invoice, nothing falling due, no plan. */
export class NothingToPreviewError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NothingToPreviewError';
  }
}

const PLAN_TEMPLATES = new Set(['payment-plan/instalment-upcoming', 'payment-plan/instalment-missed']);

/** The step of the customer's policy (else of any policy) that sends this template. */
function stepSending(templateId: string, policies: PolicyCatalog, policyId: string): { policyId: string; step: PolicyStep } | null {
  const own = policies.get(policyId);
  const ordered = [...(own ? [own] : []), ...[...policies.values()].filter((policy) => policy !== own)];
  for (const policy of ordered) {
    const step = policy.steps.find((candidate) =>
      candidate.actions.some((action) => (action.type === 'email' || action.type === 'sms') && action.template === templateId),
    );
    if (step) return { policyId: policy.id, step };
  }
  return null;
}

function covering(invoices: readonly OpenInvoice[], stepId: string, instalmentId?: string): CoveredInvoice[] {
  return invoices
    .map((invoice) => ({
      invoiceId: invoice.id,
      number: invoice.number,
      cycle: invoice.dunningCycle,
      stepId,
      ...(instalmentId && { instalmentId }),
    }))
    .sort((a, b) => a.invoiceId.localeCompare(b.invoiceId));
}

/**
 * What a reminder with this template would cover if it went to the customer now, by the rules
 * the decision core applies: a ladder step covers every overdue invoice still chased (not
 * disputed, not in a payment plan, above the minimum balance), a pre-due courtesy step the
 * chased ones not yet due, a plan reminder the plan's invoices and its next (or last missed)
 * instalment. It does not ask whether the step is due: a preview shows any step's wording.
 * Throws `NothingToPreviewError` when there is nothing for the template to name.
 */
export function previewSubject(snapshot: CaseSnapshot, templateId: string, policies: PolicyCatalog, rules: DunningRules): ReminderSubject {
  const { customer, now, disputes, paymentPlan } = snapshot.input;
  const requiresOptOutLine = customer.profile === 'consumer' && rules.consumer.optOutLineRequired;
  const open = snapshot.input.invoices.filter((invoice) => invoice.balanceMinor > 0);
  const plan = isPlanActive(paymentPlan) ? paymentPlan : null;

  if (PLAN_TEMPLATES.has(templateId)) {
    if (!plan) throw new NothingToPreviewError(`customer "${customer.externalId}" has no active payment plan`);
    const today = localDateOf(now, customer.timeZone);
    const unpaid = plan.instalments.filter((instalment) => !instalment.paid);
    const instalment = templateId.endsWith('missed')
      ? unpaid.filter((candidate) => candidate.dueOn < today).at(-1)
      : unpaid.find((candidate) => candidate.dueOn >= today);
    if (!instalment) {
      const which = templateId.endsWith('missed') ? 'missed' : 'upcoming';
      throw new NothingToPreviewError(`customer "${customer.externalId}" has no ${which} instalment in its payment plan`);
    }
    const stepId = templateId.split('/')[1]!;
    const invoices = open.filter((invoice) => plan.invoiceIds.includes(invoice.id));
    return {
      policyId: 'payment-plan',
      stepId,
      template: templateId,
      requiresOptOutLine,
      invoices: covering(invoices, stepId, instalment.id),
    };
  }

  const sending = stepSending(templateId, policies, customer.policyId);
  const policyId = sending?.policyId ?? customer.policyId;
  const stepId = sending?.step.id ?? templateId.split('/').at(-1)!;
  const courtesy = sending ? sending.step.offsetDays < 0 : templateId.endsWith('/courtesy');
  const excluded = invoiceExclusions(open, disputes, rules);
  const chased = open.filter((invoice) => !excluded.has(invoice.id) && !plan?.invoiceIds.includes(invoice.id));
  const covered = chased.filter((invoice) => {
    const days = daysPastDue(invoice.dueOn, now, customer.timeZone);
    return courtesy ? days <= 0 : days >= 1;
  });
  if (covered.length === 0) {
    const what = courtesy ? 'no open invoice falling due' : 'no overdue invoice still being chased';
    throw new NothingToPreviewError(`customer "${customer.externalId}" has ${what}; "${templateId}" would not be sent`);
  }
  return { policyId, stepId, template: templateId, requiresOptOutLine, invoices: covering(covered, stepId) };
}
