import type { DateTime } from 'luxon';
import { daysPastDue } from './aging.js';
import { applyCaps } from './caps.js';
import { holdAll, type Candidate, type Held } from './candidate.js';
import { consolidate, summarizeHeld, type Consolidated } from './consolidate.js';
import { addDays, localDateOf, startOfLocalDay, type IsoDate } from './dates.js';
import type { Decision, LadderPosition, PlannedAction } from './decision.js';
import type { CaseInput, Customer, OpenInvoice, PaymentPlan } from './domain.js';
import { idempotencyKey } from './idempotency.js';
import { climb, type Chased, type Climb } from './ladder.js';
import { nextLookAt } from './next-look.js';
import { isPlanActive, planCandidates, planLookDates } from './payment-plan.js';
import { brokenPromiseAlert, customerStop, invoiceExclusions, promiseState, replyHold } from './pauses.js';
import type { Policy } from './policy.js';
import { defaultDunningRules, type DunningRules } from './rules.js';
import { isWindowOpen, nextOpening, windowFor } from './send-window.js';
import { reminderSpacing } from './spacing.js';
import { courtesyCandidates, courtesySteps, currentStepIndex, ladderSteps, nextStep, stepCandidates } from './steps.js';

interface Due {
  climb: Climb;
  candidates: Candidate[];
  held: Held[];
  /** Missed steps superseded by the step due now. */
  superseded: Held[];
  /** Local dates on which a further step or reminder becomes due. */
  lookDates: IsoDate[];
}

function inPlan(plan: PaymentPlan | null, invoice: OpenInvoice): boolean {
  return plan !== null && plan.invoiceIds.includes(invoice.id);
}

/**
 * What the customer's invoices ask for today, before customer-level rules: the ladder step of
 * the cycle (or, outside a cycle, each upcoming invoice's courtesy step) and plan reminders.
 */
function dueToday(input: CaseInput, policy: Policy, rules: DunningRules, today: IsoDate): Due {
  const { customer, now, history } = input;
  const open = input.invoices.filter((invoice) => invoice.balanceMinor > 0);
  const plan = isPlanActive(input.paymentPlan) ? input.paymentPlan : null;
  const excluded = invoiceExclusions(open, input.disputes, rules);
  const aged = open.map((invoice) => ({ invoice, daysPastDue: daysPastDue(invoice.dueOn, now, customer.timeZone) }));
  const chased: Chased[] = aged.filter(({ invoice }) => !excluded.has(invoice.id) && !inPlan(plan, invoice));

  const ladder = climb(policy, input.ladder, chased, history, customer.consent);
  // Holds are states: a credit hold already in force is not placed again (its step's notice says it remains).
  const placeable = ladder.candidates.filter((c) => !(c.type === 'credit_hold' && input.holds.creditHold));
  const due: Due = { climb: ladder, candidates: placeable, held: [...ladder.held], superseded: [...ladder.superseded], lookDates: [] };
  if (ladder.next) due.lookDates.push(ladder.next.on);

  // Left out of the ladder, with the reason, at the step their own age has reached.
  const steps = ladderSteps(policy);
  for (const { invoice, daysPastDue: days } of aged) {
    const exclusion = excluded.get(invoice.id);
    const step = steps[currentStepIndex(steps, days)];
    if (exclusion === undefined || step === undefined) continue;
    due.held.push(...holdAll(stepCandidates(policy, step, [invoice], new Set(), customer.consent, null).candidates, exclusion));
  }

  // Courtesy reminders only reach customers not in a cycle: inside one, upcoming invoices join its messages.
  if (!ladder.ladder.open) {
    for (const { invoice, daysPastDue: days } of chased) {
      const courtesy = courtesyCandidates(policy, invoice, days, history, customer.consent);
      due.candidates.push(...courtesy.candidates);
      due.held.push(...courtesy.held);
      due.superseded.push(...courtesy.superseded);
      const next = nextStep(courtesySteps(policy), days);
      if (next !== undefined) due.lookDates.push(addDays(invoice.dueOn, next.offsetDays));
    }
  }

  if (plan !== null) {
    const planInvoices = open.filter((i) => inPlan(plan, i) && !excluded.has(i.id));
    const { candidates, held } = planCandidates(plan, planInvoices, today, history, customer.consent, rules);
    due.candidates.push(...candidates);
    due.held.push(...held);
    if (planInvoices.length > 0) due.lookDates.push(...planLookDates(plan, today, rules));
  }
  return due;
}

interface Gated {
  candidates: Candidate[];
  held: Held[];
  /** Moments from which something could next be due. */
  dueFrom: DateTime[];
}

/**
 * Customer-level rules, in order: holds and flags that stop contact, promises, the send window,
 * and the spacing between two reminders.
 */
function gate(input: CaseInput, policy: Policy, rules: DunningRules, today: IsoDate, due: Due): Gated {
  const { customer, now } = input;
  const zone = customer.timeZone;
  const gated: Gated = { candidates: due.candidates, held: [...due.held], dueFrom: due.lookDates.map((d) => startOfLocalDay(d, zone)) };

  const promises = promiseState(input.promises, today, rules);
  const stop = customerStop(customer, input.holds);
  if (stop !== null) {
    gated.held.push(...holdAll(gated.candidates, stop));
    gated.candidates = [];
    gated.dueFrom = [];
  } else if (promises.pausing !== null) {
    const { promise, lastPausedDay } = promises.pausing;
    const detail = `promise to pay on ${promise.promisedOn}, paused until ${lastPausedDay}`;
    gated.held.push(...holdAll(gated.candidates, { reason: 'paused', detail }));
    gated.candidates = [];
    gated.dueFrom = [startOfLocalDay(addDays(lastPausedDay, 1), zone)];
  } else {
    const reply = replyHold(input.holds, today);
    if (reply !== null) {
      gated.held.push(...holdAll(gated.candidates, { reason: reply.reason, detail: reply.detail }));
      gated.candidates = [];
      gated.dueFrom = [startOfLocalDay(reply.resumesOn, zone)];
    }
  }

  if (gated.candidates.length > 0) {
    const spacing = reminderSpacing(input.history, now, zone, rules, due.climb);
    if (spacing !== null) {
      gated.held.push(...holdAll(gated.candidates, { reason: 'spacing', detail: spacing.detail }));
      gated.candidates = [];
      gated.dueFrom.push(spacing.release);
    }
  }

  // Internal: a broken promise is escalated to a manager even while contact is stopped.
  gated.candidates.push(...promises.broken.map((promise) => brokenPromiseAlert(promise, policy.id)));

  const window = windowFor(customer, rules);
  if (gated.candidates.length > 0 && !isWindowOpen(now, window)) {
    const opening = nextOpening(now, window);
    gated.held.push(
      ...holdAll(gated.candidates, {
        reason: 'window',
        detail: `outside the send window; opens ${opening.toFormat('yyyy-LL-dd HH:mm')} ${opening.zoneName ?? ''}`,
      }),
    );
    gated.candidates = [];
    gated.dueFrom.push(opening);
  }
  return gated;
}

/** The ladder state to record, with the highest step fired once this decision's actions are taken. */
function position(climbed: Climb, allowed: readonly Consolidated[]): LadderPosition {
  const { ladder, steps, target } = climbed;
  const firedNow = allowed.some((action) => action.cycle === ladder.cycle && action.stepId === steps[target]?.id);
  const index = ladder.open ? Math.max(climbed.position, firedNow ? target : -1) : -1;
  return {
    ...ladder,
    stepId: steps[index]?.id ?? null,
    next: climbed.next ? { stepId: climbed.next.step.id, on: climbed.next.on } : null,
  };
}

/**
 * Decides one customer's case at `now`: the actions to take, what was due but held back (and
 * why), where the case stands on the ladder and when to look again. Pure: the same input always
 * gives the same decision.
 *
 * @param policy the policy the customer is assigned (`customer.policyId`)
 */
export function decide(input: CaseInput, policy: Policy, rules: DunningRules = defaultDunningRules): Decision {
  const { customer, now } = input;
  const today = localDateOf(now, customer.timeZone);
  const due = dueToday(input, policy, rules, today);
  const gated = gate(input, policy, rules, today, due);
  const caps = applyCaps(consolidate(gated.candidates), input.history, now, customer.timeZone, customer.profile, rules);

  // Steps count as superseded only once the step that replaces them has actually gone out.
  const sentFor = new Set(caps.allowed.flatMap((action) => action.invoices.map((ref) => ref.invoiceId)));
  const superseded = due.superseded.filter(({ candidate }) => sentFor.has(candidate.invoice?.invoiceId ?? ''));
  return {
    actions: caps.allowed.map((action) => toPlanned(action, customer, rules, today)),
    skipped: [
      ...summarizeHeld([...gated.held, ...superseded]),
      ...caps.capped.map(({ action: { promiseId: _promiseId, ...subject }, detail }) => ({ ...subject, reason: 'cap' as const, detail })),
    ],
    ladder: position(due.climb, caps.allowed),
    nextLookAt: nextLookAt(now, windowFor(customer, rules), [...gated.dueFrom, ...caps.releases], rules),
  };
}

function toPlanned(action: Consolidated, customer: Customer, rules: DunningRules, today: IsoDate): PlannedAction {
  const reachesCustomer = action.type === 'email' || action.type === 'sms';
  return {
    ...action,
    idempotencyKey: idempotencyKey(customer.id, action, today),
    assigneeId: action.type === 'call_task' ? customer.collectorId : null,
    requiresOptOutLine: reachesCustomer && customer.profile === 'consumer' && rules.consumer.optOutLineRequired,
  };
}
