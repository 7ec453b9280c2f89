import type { Candidate, Held } from './candidate.js';
import { resolveChannel } from './channels.js';
import { addDays, type IsoDate } from './dates.js';
import { hasFired, type Consent, type ContactRecord, type Instalment, type OpenInvoice, type PaymentPlan } from './domain.js';
import type { DunningRules } from './rules.js';

/** Policy id recorded on payment-plan reminders. */
export const PAYMENT_PLAN_POLICY_ID = 'payment-plan';

type ReminderStep = 'instalment-upcoming' | 'instalment-missed';

/** Whether a payment plan currently replaces the policy steps of its invoices. */
export function isPlanActive(plan: PaymentPlan | null): plan is PaymentPlan {
  return plan !== null && plan.status === 'active';
}

function reminderDue(instalment: Instalment, today: IsoDate, rules: DunningRules): ReminderStep | null {
  if (instalment.paid) return null;
  if (today > instalment.dueOn) return 'instalment-missed';
  if (today >= addDays(instalment.dueOn, -rules.paymentPlan.reminderDaysBefore)) return 'instalment-upcoming';
  return null;
}

function reminded(history: readonly ContactRecord[], instalmentId: string, stepId: ReminderStep): boolean {
  return history.some(
    (record) => hasFired(record) && record.invoices.some((ref) => ref.instalmentId === instalmentId && ref.stepId === stepId),
  );
}

/**
 * Reminders that replace the policy steps of a plan's invoices: one a few days before each
 * instalment, and one once an instalment is missed. Each goes once per instalment.
 */
export function planCandidates(
  plan: PaymentPlan,
  invoices: readonly OpenInvoice[],
  today: IsoDate,
  history: readonly ContactRecord[],
  consent: Consent,
  rules: DunningRules,
): { candidates: Candidate[]; held: Held[] } {
  const candidates: Candidate[] = [];
  const held: Held[] = [];
  const covered = invoices.filter((invoice) => plan.invoiceIds.includes(invoice.id));
  for (const instalment of plan.instalments) {
    const stepId = reminderDue(instalment, today, rules);
    if (stepId === null || reminded(history, instalment.id, stepId)) continue;
    const template = stepId === 'instalment-missed' ? rules.paymentPlan.missedTemplate : rules.paymentPlan.upcomingTemplate;
    const resolved = resolveChannel({ type: 'email', template }, consent);
    for (const invoice of covered) {
      const candidate: Candidate = {
        type: 'email',
        policyId: PAYMENT_PLAN_POLICY_ID,
        stepId,
        stage: rules.paymentPlan.stage,
        offsetDays: 0,
        template,
        alertKind: null,
        invoice: { invoiceId: invoice.id, number: invoice.number, cycle: invoice.dunningCycle, stepId, instalmentId: instalment.id },
        promiseId: null,
        cycle: null,
      };
      if (resolved.ok) candidates.push(candidate);
      else held.push({ candidate, reason: 'consent', detail: resolved.detail });
    }
  }
  return { candidates, held };
}

/** Local dates on which a plan reminder becomes due, after `today`. */
export function planLookDates(plan: PaymentPlan, today: IsoDate, rules: DunningRules): IsoDate[] {
  return plan.instalments
    .filter((instalment) => !instalment.paid)
    .flatMap((instalment) => [addDays(instalment.dueOn, -rules.paymentPlan.reminderDaysBefore), addDays(instalment.dueOn, 1)])
    .filter((date) => date > today);
}
