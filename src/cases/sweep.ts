import {
  detectBalanceThreshold,
  detectChannelsFailing,
  detectCreditLimitCrossed,
  findUndeliveredAlerts,
  reRaiseStaleAlerts,
  resolveEndedAlerts,
} from '../db/alerts.repository.js';
import { findUnannouncedCreditHolds } from '../db/holds.repository.js';
import { raiseSystemAlert } from '../alerts/alert.service.js';
import type { CaseDependencies } from './case-action.js';
import { releasePaidCreditHolds } from './credit-hold.service.js';
import { evaluatePaymentPlans } from './payment-plan.service.js';
import { resumeExpiredPauses } from './pause.service.js';
import { markKeptPromises } from './promise.service.js';

/** Each channel's last this many sends failing is "all channels failing". */
export const FAILING_CONTACTS = 3;

export interface SweepSettings {
  /** `ALERT_RERAISE_HOURS`; 0 = never. */
  reRaiseHours: number;
  /** `ALERT_BALANCE_THRESHOLDS`. */
  balanceThresholds: Readonly<Record<string, number>>;
}

export interface SweepResult {
  pausesResumed: number;
  promisesKept: number;
  plansBroken: number;
  plansCompleted: number;
  creditHoldsReleased: number;
  alertsRaised: number;
  /** Open alerts whose cause ended (hold released, filing closed, nothing overdue, under the credit limit). */
  alertsResolved: number;
  alertsReRaised: number;
  alertDeliveries: number;
  creditHoldEvents: number;
}

/**
 * The case lifecycle's own tick (actor `system`, on the tick's schedule): ends manual pauses
 * whose time is up, marks promises kept and plans paid / broken from payments, releases credit
 * holds a policy step placed once nothing is overdue (a hold a person placed waits for a person),
 * detects alert conditions (credit limit crossed, balance over threshold 60/90 days past due, all
 * channels failing), resolves open alerts whose cause ended, re-raises unacknowledged alerts, and hands out every alert delivery and ERP
 * credit-hold event not yet done — including those recorded by the policy step. Everything it
 * enqueues is derived from Postgres.
 */
export async function runCaseSweep(deps: CaseDependencies, settings: SweepSettings): Promise<SweepResult> {
  const now = deps.clock();
  const pausesResumed = await resumeExpiredPauses(deps);
  const promisesKept = (await markKeptPromises(deps)).length;
  const plans = await evaluatePaymentPlans(deps);
  const creditHoldsReleased = await releasePaidCreditHolds(deps);

  let alertsRaised = 0;
  const detections = [
    ['credit_limit_crossed', await detectCreditLimitCrossed(deps.prisma, now)],
    ['balance_threshold', await detectBalanceThreshold(deps.prisma, now, settings.balanceThresholds)],
    ['channels_failing', await detectChannelsFailing(deps.prisma, now, FAILING_CONTACTS)],
  ] as const;
  for (const [kind, found] of detections) {
    for (const condition of found) {
      const raised = await raiseSystemAlert(deps, {
        kind,
        customerId: condition.customerId,
        message: `${condition.customerName}: ${condition.detail}`,
      });
      if (raised.created) alertsRaised += 1;
    }
  }

  const alertsResolved = (await resolveEndedAlerts(deps.prisma, now)).length;
  const reRaised =
    settings.reRaiseHours > 0
      ? await reRaiseStaleAlerts(deps.prisma, new Date(now.getTime() - settings.reRaiseHours * 3_600_000), now)
      : [];
  const undelivered = await findUndeliveredAlerts(deps.prisma, 1_000);
  if (undelivered.length > 0) await deps.effects.deliverAlerts(undelivered);

  const events = await findUnannouncedCreditHolds(deps.prisma, new Date(now.getTime() - 7 * 86_400_000));
  for (const event of events) await deps.effects.announceCreditHold(event);

  return {
    pausesResumed,
    promisesKept,
    plansBroken: plans.broken.length,
    plansCompleted: plans.completed.length,
    creditHoldsReleased,
    alertsRaised,
    alertsResolved,
    alertsReRaised: reRaised.length,
    alertDeliveries: undelivered.length,
    creditHoldEvents: events.length,
  };
}
