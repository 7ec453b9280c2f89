import type { DateTime } from 'luxon';
import type { Decision, LadderPosition, PlannedAction, SkippedAction } from '../core/decision.js';
import type { CaseInput, ContactRecord } from '../core/domain.js';

/** One decision point of a forecast: what the core would do for a case at `at`. */
export interface ForecastEntry {
  at: DateTime;
  actions: PlannedAction[];
  skipped: SkippedAction[];
  ladder: LadderPosition;
}

/**
 * Replays the decision core over a window, assuming every planned action happens and no money
 * arrives: each decision's actions join the history (and holds take effect) before the core is
 * asked again at its own `nextLookAt`. Pure: `decide` is passed in.
 */
export function forecastCase(
  input: CaseInput,
  until: DateTime,
  decide: (input: CaseInput) => Decision,
  maxDecisions = 1_000,
): ForecastEntry[] {
  const entries: ForecastEntry[] = [];
  let state = input;
  for (let i = 0; i < maxDecisions && state.now <= until; i += 1) {
    const decision = decide(state);
    if (decision.actions.length > 0 || decision.skipped.length > 0) {
      entries.push({ at: state.now, actions: decision.actions, skipped: decision.skipped, ladder: decision.ladder });
    }
    if (decision.nextLookAt <= state.now) break; // the core promises progress; never loop on a bug
    state = afterActions(state, decision, decision.nextLookAt);
  }
  return entries;
}

function afterActions(input: CaseInput, decision: Decision, next: DateTime): CaseInput {
  const { actions } = decision;
  const recorded: ContactRecord[] = actions.map((action) => ({
    channel: action.type,
    at: input.now,
    cycle: action.cycle,
    policyId: action.policyId,
    stepId: action.stepId,
    invoices: action.invoices.map(({ invoiceId, cycle, stepId, instalmentId }) => ({ invoiceId, cycle, stepId, instalmentId })),
    status: 'sent',
  }));
  const has = (type: string) => actions.some((action) => action.type === type);
  return {
    ...input,
    history: [...input.history, ...recorded],
    ladder: { cycle: decision.ladder.cycle, open: decision.ladder.open },
    holds: {
      ...input.holds,
      legalHold: input.holds.legalHold || has('legal_hold'),
      creditHold: input.holds.creditHold || has('credit_hold'),
    },
    promises: input.promises.map((promise) =>
      actions.some((action) => action.promiseId === promise.id) ? { ...promise, status: 'broken' } : promise,
    ),
    now: next,
  };
}
