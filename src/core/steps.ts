import type { Candidate, Held } from './candidate.js';
import { resolveChannel } from './channels.js';
import type { CoveredInvoice } from './decision.js';
import { hasFired, type Consent, type ContactRecord, type OpenInvoice } from './domain.js';
import { templateOf, type ActionType, type Policy, type PolicyAction, type PolicyStep } from './policy.js';

/** For one invoice since it was last (re-)opened: the action types each courtesy step has fired. */
export function firedSteps(
  history: readonly ContactRecord[],
  policyId: string,
  invoice: Pick<OpenInvoice, 'id' | 'dunningCycle'>,
): Map<string, Set<ActionType>> {
  const fired = new Map<string, Set<ActionType>>();
  for (const record of history) {
    if (record.policyId !== policyId || !hasFired(record)) continue;
    for (const ref of record.invoices) {
      if (ref.invoiceId !== invoice.id || ref.cycle !== invoice.dunningCycle) continue;
      const types = fired.get(ref.stepId) ?? new Set<ActionType>();
      types.add(record.channel);
      fired.set(ref.stepId, types);
    }
  }
  return fired;
}

export function lastIndexWhere<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i] as T)) return i;
  return -1;
}

/** Index of the latest step whose offset is at most `daysPastDue`, or -1 before the first. */
export function currentStepIndex(steps: readonly PolicyStep[], daysPastDue: number): number {
  return lastIndexWhere(steps, (step) => step.offsetDays <= daysPastDue);
}

/** The first step still ahead of `daysPastDue`, or `undefined` after the last. */
export function nextStep(steps: readonly PolicyStep[], daysPastDue: number): PolicyStep | undefined {
  return steps.find((step) => step.offsetDays > daysPastDue);
}

/** Steps at or before the due date: per-invoice courtesy reminders, for customers not in a cycle. */
export function courtesySteps(policy: Policy): PolicyStep[] {
  return policy.steps.filter((step) => step.offsetDays <= 0);
}

/** Steps after the due date: the ladder the customer climbs, once per cycle. */
export function ladderSteps(policy: Policy): PolicyStep[] {
  return policy.steps.filter((step) => step.offsetDays > 0);
}

export function toCandidate(action: PolicyAction, base: Omit<Candidate, 'type' | 'template' | 'alertKind'>): Candidate {
  return {
    ...base,
    type: action.type,
    template: templateOf(action),
    alertKind: action.type === 'manager_alert' ? action.kind : null,
  };
}

/** What every candidate of `step` for `invoice` shares; `cycle` is the customer's, for a ladder step. */
export function stepBase(policy: Policy, step: PolicyStep, invoice: OpenInvoice, cycle: number | null = null) {
  const covered: CoveredInvoice = {
    invoiceId: invoice.id,
    number: invoice.number,
    cycle: invoice.dunningCycle,
    stepId: step.id,
  };
  return { policyId: policy.id, stepId: step.id, stage: step.stage, offsetDays: step.offsetDays, invoice: covered, promiseId: null, cycle };
}

function sameAction(a: Candidate, b: Candidate): boolean {
  return a.type === b.type && a.alertKind === b.alertKind;
}

/**
 * The actions of `step` not yet fired, for each invoice it covers, through the channels the
 * customer can be reached on: an SMS that falls back to email counts as the step's email, and an
 * unreachable channel is held with the reason.
 */
export function stepCandidates(
  policy: Policy,
  step: PolicyStep,
  invoices: readonly OpenInvoice[],
  firedTypes: ReadonlySet<ActionType>,
  consent: Consent,
  cycle: number | null,
): { candidates: Candidate[]; held: Held[] } {
  const candidates: Candidate[] = [];
  const held: Held[] = [];
  for (const action of step.actions) {
    if (firedTypes.has(action.type)) continue;
    const resolved = resolveChannel(action, consent);
    for (const invoice of invoices) {
      const base = stepBase(policy, step, invoice, cycle);
      if (!resolved.ok) {
        held.push({ candidate: toCandidate(action, base), reason: 'consent', detail: resolved.detail });
        continue;
      }
      const candidate = toCandidate(resolved.action, base);
      if (firedTypes.has(candidate.type) || candidates.some((c) => sameAction(c, candidate) && c.invoice?.invoiceId === invoice.id))
        continue;
      candidates.push(candidate);
    }
  }
  return { candidates, held };
}

/** Every action of `missed` for `invoices`, reported as superseded by `current` once it is sent. */
export function supersededSteps(
  policy: Policy,
  missed: readonly PolicyStep[],
  current: PolicyStep,
  invoices: readonly OpenInvoice[],
  cycle: number | null,
): Held[] {
  return missed.flatMap((step) => {
    const detail = `step "${step.id}" was missed (paused, not running or not yet overdue); only "${current.id}" is sent`;
    return step.actions.flatMap((action) =>
      invoices.map((invoice) => ({
        candidate: toCandidate(action, stepBase(policy, step, invoice, cycle)),
        reason: 'superseded' as const,
        detail,
      })),
    );
  });
}

/**
 * What an invoice's courtesy steps (at or before its due date) ask for today. Only the step
 * matching today fires; each fires once per invoice and re-opening. `superseded` lists the
 * skipped steps, to report once today's step is actually sent.
 */
export function courtesyCandidates(
  policy: Policy,
  invoice: OpenInvoice,
  daysPastDue: number,
  history: readonly ContactRecord[],
  consent: Consent,
): { candidates: Candidate[]; held: Held[]; superseded: Held[] } {
  const steps = courtesySteps(policy);
  const current = currentStepIndex(steps, daysPastDue);
  const step = steps[current];
  if (step === undefined) return { candidates: [], held: [], superseded: [] };

  const fired = firedSteps(history, policy.id, invoice);
  const lastFired = lastIndexWhere(steps, (s) => fired.has(s.id));
  // A later step already went out (e.g. the due date moved back): never step backwards.
  if (current < lastFired) return { candidates: [], held: [], superseded: [] };
  const firedTypes = fired.get(step.id) ?? new Set<ActionType>();
  const { candidates, held } = stepCandidates(policy, step, [invoice], firedTypes, consent, null);
  const superseded = firedTypes.size === 0 ? supersededSteps(policy, steps.slice(lastFired + 1, current), step, [invoice], null) : [];
  return { candidates, held, superseded };
}
