import type { Candidate, Held } from './candidate.js';
import { resolveChannel } from './channels.js';
import type { CoveredInvoice } from './decision.js';
import { hasFired, type Consent, type ContactRecord, type OpenInvoice } from './domain.js';
import { templateOf, type ActionType, type Policy, type PolicyAction, type PolicyStep } from './policy.js';

/** For one invoice in its current dunning cycle: the action types each step has fired. */
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

function lastIndexWhere<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i] as T)) return i;
  return -1;
}

/** Index of the latest step whose offset is at most `daysPastDue`, or -1 before the first. */
export function currentStepIndex(policy: Policy, daysPastDue: number): number {
  return lastIndexWhere(policy.steps, (step) => step.offsetDays <= daysPastDue);
}

/** The first step still ahead of `daysPastDue`, or `undefined` after the last. */
export function nextStep(policy: Policy, daysPastDue: number): PolicyStep | undefined {
  return policy.steps.find((step) => step.offsetDays > daysPastDue);
}

function toCandidate(action: PolicyAction, base: Omit<Candidate, 'type' | 'template' | 'alertKind'>): Candidate {
  return {
    ...base,
    type: action.type,
    template: templateOf(action),
    alertKind: action.type === 'manager_alert' ? action.kind : null,
  };
}

function stepBase(policy: Policy, step: PolicyStep, invoice: OpenInvoice) {
  const covered: CoveredInvoice = {
    invoiceId: invoice.id,
    number: invoice.number,
    cycle: invoice.dunningCycle,
    stepId: step.id,
  };
  return { policyId: policy.id, stepId: step.id, stage: step.stage, offsetDays: step.offsetDays, invoice: covered, promiseId: null };
}

function sameAction(a: Candidate, b: Candidate): boolean {
  return a.type === b.type && a.alertKind === b.alertKind;
}

/**
 * What an invoice's policy asks for today. Only the step matching today fires: steps missed
 * while the customer was paused or the worker was down are superseded, never replayed. Each
 * action of a step fires once per invoice and dunning cycle; an SMS that fell back to email
 * counts as that step's email. `superseded` lists the skipped steps, to report once today's
 * step is actually sent.
 */
export function policyCandidates(
  policy: Policy,
  invoice: OpenInvoice,
  daysPastDue: number,
  history: readonly ContactRecord[],
  consent: Consent,
): { candidates: Candidate[]; held: Held[]; superseded: Held[] } {
  const candidates: Candidate[] = [];
  const held: Held[] = [];
  const superseded: Held[] = [];
  const current = currentStepIndex(policy, daysPastDue);
  const step = policy.steps[current];
  if (step === undefined) return { candidates, held, superseded };

  const fired = firedSteps(history, policy.id, invoice);
  const lastFired = lastIndexWhere(policy.steps, (s) => fired.has(s.id));
  // A later step already went out (e.g. the due date moved back): never step backwards.
  if (current < lastFired) return { candidates, held, superseded };

  const firedTypes = fired.get(step.id) ?? new Set<ActionType>();
  const base = stepBase(policy, step, invoice);
  for (const action of step.actions) {
    if (firedTypes.has(action.type)) continue;
    const resolved = resolveChannel(action, consent);
    if (!resolved.ok) {
      held.push({ candidate: toCandidate(action, base), reason: 'consent', detail: resolved.detail });
      continue;
    }
    const candidate = toCandidate(resolved.action, base);
    if (firedTypes.has(candidate.type) || candidates.some((c) => sameAction(c, candidate))) continue;
    candidates.push(candidate);
  }

  if (firedTypes.size === 0) {
    for (const missed of policy.steps.slice(lastFired + 1, current)) {
      const detail = `step "${missed.id}" was missed (paused or not running); only "${step.id}" is sent`;
      for (const action of missed.actions) {
        superseded.push({ candidate: toCandidate(action, stepBase(policy, missed, invoice)), reason: 'superseded', detail });
      }
    }
  }
  return { candidates, held, superseded };
}
