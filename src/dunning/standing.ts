import type { DateTime } from 'luxon';
import type { Decision } from '../core/decision.js';
import { loadCaseSnapshots, type CaseSnapshot } from '../db/case-snapshot.repository.js';
import type { Sql } from '../db/sql.js';
import { decideCase, type EvaluationDependencies } from './evaluate-cases.js';
import { forecastCase } from './forecast.js';

/** With `arrears plan --explain` and on the customer page: where a customer stands on the ladder at the instant, and what waits. */
export interface StandingLine {
  customer: string;
  ladder: {
    cycle: number;
    open: boolean;
    /** The highest step fired in the open cycle. */
    step: string | null;
    next: { step: string; on: string } | null;
    /** Steps due now that wait, and why. */
    waiting: Array<{ step: string; type: string; reason: string; detail: string }>;
  };
}

/** A customer's standing from one decision of the core. */
export function standingOf(snapshot: CaseSnapshot, decision: Decision): StandingLine {
  const { ladder } = decision;
  return {
    customer: snapshot.input.customer.externalId,
    ladder: {
      cycle: ladder.cycle,
      open: ladder.open,
      step: ladder.stepId,
      next: ladder.next && { step: ladder.next.stepId, on: ladder.next.on },
      waiting: decision.skipped
        .filter((skip) => skip.reason !== 'superseded')
        .map((skip) => ({ step: skip.stepId, type: skip.type, reason: skip.reason, detail: skip.detail })),
    },
  };
}

/** The first action the worker would take (no payments assumed): when, which step, what. */
export interface NextAction {
  at: DateTime;
  step: string;
  type: string;
  template: string | null;
}

/** Standing and next planned action of one case, as `arrears plan --explain --days N` would print them. */
export interface CaseOutlook {
  standing: StandingLine;
  next: NextAction | null;
}

/**
 * The planner behind `arrears plan --explain`, for one case: reads its snapshot, asks the core at
 * `asOf`, and forecasts up to `days` ahead for the first planned action. Writes nothing.
 */
export async function caseOutlook(
  deps: Pick<EvaluationDependencies, 'policies' | 'rules'>,
  sql: Sql,
  caseId: string,
  asOf: DateTime,
  days: number,
): Promise<CaseOutlook | null> {
  const [snapshot] = await loadCaseSnapshots(sql, [caseId], asOf);
  if (!snapshot) return null;
  const decide = (input: CaseSnapshot['input']) => decideCase(deps, { ...snapshot, input });
  const standing = standingOf(snapshot, decide(snapshot.input));
  const first = forecastCase(snapshot.input, asOf.plus({ days }), decide).find((entry) => entry.actions.length > 0);
  const action = first?.actions[0];
  return {
    standing,
    next: first && action ? { at: first.at, step: action.stepId, type: action.type, template: action.template } : null,
  };
}
