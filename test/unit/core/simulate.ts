import type { DateTime, Duration } from 'luxon';
import { decide } from '../../../src/core/decide.js';
import type { PlannedAction } from '../../../src/core/decision.js';
import type { CaseInput } from '../../../src/core/domain.js';
import type { Policy } from '../../../src/core/policy.js';
import type { DunningRules } from '../../../src/core/rules.js';
import { recordOf } from '../../support/builders.js';

/** One action the simulated worker took, and when. */
export interface Sent {
  at: DateTime;
  action: PlannedAction;
}

/**
 * Runs the worker loop over a period: decide, record the planned actions in the contact history,
 * move the clock on. `every` polls at a fixed interval; without it the clock jumps to each
 * decision's `nextLookAt`, as the real scheduler does.
 */
export function simulate(input: CaseInput, policy: Policy, rules: DunningRules, until: DateTime, every?: Duration): Sent[] {
  const sent: Sent[] = [];
  let history = [...input.history];
  let ladder = input.ladder;
  let now = input.now;
  while (now.toMillis() < until.toMillis()) {
    const decision = decide({ ...input, history, ladder, now }, policy, rules);
    ladder = { cycle: decision.ladder.cycle, open: decision.ladder.open };
    for (const action of decision.actions) sent.push({ at: now, action });
    history = [...history, ...decision.actions.map((action) => recordOf(action, now))];
    const next = every === undefined ? decision.nextLookAt : now.plus(every);
    if (next.toMillis() <= now.toMillis()) {
      throw new Error(`nextLookAt ${next.toISO() ?? ''} does not move past ${now.toISO() ?? ''}`);
    }
    now = next;
  }
  return sent;
}

/** `type stepId @ local time` lines, for readable comparisons. */
export function describeSent(sent: readonly Sent[], zone: string): string[] {
  return sent.map(({ at, action }) => `${action.type} ${action.stepId} @ ${at.setZone(zone).toFormat("yyyy-MM-dd'T'HH:mmZZ")}`);
}
