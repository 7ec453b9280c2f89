import type { DateTime } from 'luxon';
import { daysPastDue } from './aging.js';
import { applyCaps } from './caps.js';
import { holdAll, type Candidate, type Held } from './candidate.js';
import { consolidate, summarizeHeld, type Consolidated } from './consolidate.js';
import { addDays, localDateOf, startOfLocalDay, type IsoDate } from './dates.js';
import type { Decision, PlannedAction } from './decision.js';
import type { CaseInput, Customer, OpenInvoice, PaymentPlan } from './domain.js';
import { idempotencyKey } from './idempotency.js';
import { nextLookAt } from './next-look.js';
import { isPlanActive, planCandidates, planLookDates } from './payment-plan.js';
import { brokenPromiseAlert, customerStop, invoiceExclusions, promiseState } from './pauses.js';
import type { Policy } from './policy.js';
import { defaultDunningRules, type DunningRules } from './rules.js';
import { isWindowOpen, nextOpening, windowFor } from './send-window.js';
import { nextStep, policyCandidates } from './steps.js';

interface Due {
  candidates: Candidate[];
  held: Held[];
  /** Missed steps of invoices whose current step is due. */
  superseded: Held[];
  /** Local dates on which a further step or reminder becomes due. */
  lookDates: IsoDate[];
}

function inPlan(plan: PaymentPlan | null, invoice: OpenInvoice): boolean {
  return plan !== null && plan.invoiceIds.includes(invoice.id);
}

/** What every open invoice asks for today, before customer-level rules. */
function dueToday(input: CaseInput, policy: Policy, rules: DunningRules, today: IsoDate): Due {
  const { customer, now, history } = input;
  const open = input.invoices.filter((invoice) => invoice.balanceMinor > 0);
  const plan = isPlanActive(input.paymentPlan) ? input.paymentPlan : null;
  const excluded = invoiceExclusions(open, input.disputes, rules);
  const due: Due = { candidates: [], held: [], superseded: [], lookDates: [] };

  for (const invoice of open.filter((i) => !inPlan(plan, i))) {
    const days = daysPastDue(invoice.dueOn, now, customer.timeZone);
    const { candidates, held, superseded } = policyCandidates(policy, invoice, days, history, customer.consent);
    const exclusion = excluded.get(invoice.id);
    if (exclusion !== undefined) {
      due.held.push(...holdAll(candidates, exclusion));
      continue;
    }
    due.candidates.push(...candidates);
    due.held.push(...held);
    due.superseded.push(...superseded);
    const next = nextStep(policy, days);
    if (next !== undefined) due.lookDates.push(addDays(invoice.dueOn, next.offsetDays));
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

/** Customer-level rules, in order: holds and flags that stop contact, promises, the send window. */
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
  }
  // Internal: a broken promise is escalated to a manager even while contact is stopped.
  gated.candidates.push(...promises.broken.map((promise) => brokenPromiseAlert(promise, policy.id)));

  const window = windowFor(customer, rules);
  if (gated.candidates.length > 0 && !isWindowOpen(now, window)) {
    const opening = nextOpening(now, window);
    gated.held.push(...holdAll(gated.candidates, { reason: 'window', detail: `outside the send window; opens ${opening.toISO() ?? ''}` }));
    gated.candidates = [];
    gated.dueFrom.push(opening);
  }
  return gated;
}

/**
 * Decides one customer's case at `now`: the actions to take, what was due but held back (and
 * why), and when to look again. Pure: the same input always gives the same decision.
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
