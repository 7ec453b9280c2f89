import type { Candidate, Held } from './candidate.js';
import { addDays, type IsoDate } from './dates.js';
import { hasFired, type Consent, type ContactRecord, type Ladder, type OpenInvoice } from './domain.js';
import type { ActionType, Policy, PolicyStep } from './policy.js';
import { currentStepIndex, ladderSteps, lastIndexWhere, stepCandidates, supersededSteps } from './steps.js';

/** An invoice still being chased (open, not disputed, not in a plan, above the minimum), and its age. */
export interface Chased {
  invoice: OpenInvoice;
  daysPastDue: number;
}

/** The customer's climb at this instant. */
export interface Climb {
  /** The ladder state to record: a cycle opened, continued, restarted lower or closed. */
  ladder: Ladder;
  /** The policy's ladder steps (offset > 0). */
  steps: PolicyStep[];
  /** Highest step (index into `steps`) fired in the cycle before now; -1 for none. */
  position: number;
  /** The step the oldest overdue invoice has reached; -1 before the first. */
  target: number;
  /** Every overdue invoice still chased, oldest first: what each message of the cycle names. */
  overdue: OpenInvoice[];
  candidates: Candidate[];
  held: Held[];
  superseded: Held[];
  /** The next step and the local date the oldest invoice reaches it. */
  next: { step: PolicyStep; on: IsoDate } | null;
}

/** For the customer's cycle: the action types each ladder step has fired. */
export function firedInCycle(history: readonly ContactRecord[], steps: readonly PolicyStep[], cycle: number): Map<string, Set<ActionType>> {
  const ids = new Set(steps.map((step) => step.id));
  const fired = new Map<string, Set<ActionType>>();
  for (const record of history) {
    if (record.cycle !== cycle || !hasFired(record)) continue;
    for (const ref of record.invoices) {
      if (!ids.has(ref.stepId)) continue;
      const types = fired.get(ref.stepId) ?? new Set<ActionType>();
      types.add(record.channel);
      fired.set(ref.stepId, types);
    }
  }
  return fired;
}

function byAge(a: Chased, b: Chased): number {
  return b.daysPastDue - a.daysPastDue || a.invoice.dueOn.localeCompare(b.invoice.dueOn) || a.invoice.id.localeCompare(b.invoice.id);
}

/**
 * Where the customer stands on the policy's ladder. The step is set by the oldest overdue
 * invoice still chased and fires once per cycle, naming every overdue chased invoice. Within a
 * cycle the step only rises; when what is owed changes so that the oldest chased invoice is
 * younger than the step reached, a new cycle starts at the lower step (its next message says what
 * was received and what remains). With nothing overdue the cycle closes, and the next overdue
 * invoice opens a new one at the step matching its age: missed steps are superseded, never replayed.
 */
export function climb(
  policy: Policy,
  ladder: Ladder,
  chased: readonly Chased[],
  history: readonly ContactRecord[],
  consent: Consent,
): Climb {
  const steps = ladderSteps(policy);
  const overdueChased = chased.filter((c) => c.daysPastDue >= 1).sort(byAge);
  const overdue = overdueChased.map((c) => c.invoice);
  const first = steps[0];
  if (overdueChased.length === 0) {
    const upcoming = chased.map((c) => c.invoice.dueOn).sort()[0];
    return {
      ladder: { cycle: ladder.cycle, open: false },
      steps,
      position: -1,
      target: -1,
      overdue,
      candidates: [],
      held: [],
      superseded: [],
      next: first && upcoming !== undefined ? { step: first, on: addDays(upcoming, first.offsetDays) } : null,
    };
  }

  const oldest = overdueChased[0] as Chased;
  const target = currentStepIndex(steps, oldest.daysPastDue);
  let cycle = ladder.cycle;
  let fired = ladder.open ? firedInCycle(history, steps, cycle) : new Map<string, Set<ActionType>>();
  let position = lastIndexWhere(steps, (step) => fired.has(step.id));
  if (!ladder.open || target < position) {
    // A new cycle: numbered past every cycle the history knows, so its keys are new.
    cycle = Math.max(ladder.cycle, ...history.map((record) => record.cycle ?? 0)) + 1;
    fired = new Map();
    position = -1;
  }
  const after = steps[Math.max(target, position) + 1];
  const result: Climb = {
    ladder: { cycle, open: true },
    steps,
    position,
    target,
    overdue,
    candidates: [],
    held: [],
    superseded: [],
    next: after ? { step: after, on: addDays(oldest.invoice.dueOn, after.offsetDays) } : null,
  };
  const step = steps[target];
  if (step === undefined) return result;

  const firedTypes = fired.get(step.id) ?? new Set<ActionType>();
  const { candidates, held } = stepCandidates(policy, step, overdue, firedTypes, consent, cycle);
  result.candidates = candidates;
  result.held = held;
  if (firedTypes.size === 0) result.superseded = supersededSteps(policy, steps.slice(position + 1, target), step, overdue, cycle);
  return result;
}
