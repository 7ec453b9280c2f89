import type { CoveredInvoice, SkipReason } from './decision.js';
import type { ActionType, ManagerAlertKind } from './policy.js';

/** One action due now for one invoice (or, for a broken promise, for the customer). */
export interface Candidate {
  type: ActionType;
  policyId: string;
  stepId: string;
  stage: number;
  offsetDays: number;
  template: string | null;
  alertKind: ManagerAlertKind | null;
  invoice: CoveredInvoice | null;
  promiseId: string | null;
  /** The customer's dunning cycle, for a ladder step. */
  cycle: number | null;
}

/** A candidate held back, and why. */
export interface Held {
  candidate: Candidate;
  reason: SkipReason;
  detail: string;
}

/** Holds back every candidate for the same reason. */
export function holdAll(candidates: readonly Candidate[], why: Omit<Held, 'candidate'>): Held[] {
  return candidates.map((candidate) => ({ candidate, ...why }));
}
