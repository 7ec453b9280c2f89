import type { Job, Processor } from 'bullmq';
import { deliverAlert } from '../alerts/deliver-alert.js';
import { sendDigests } from '../alerts/digest.js';
import type { CaseEffects } from '../cases/case-action.js';
import type { CaseServices } from '../cases/case-services.js';
import type { WorkerTuning } from '../config/config.js';
import { deliverCreditHoldEvent } from '../cases/credit-hold.service.js';
import { runCaseSweep } from '../cases/sweep.js';
import { jobCatalog, jobId, parsePayload, type JobName } from './catalog.js';
import type { Queues } from './queues.js';

const SWEEP_SCHEDULER_ID = 'case-sweep-scheduler';
const DIGEST_SCHEDULER_ID = 'alert-digest-scheduler';

/** Case effects as jobs; job ids make a repeated hand-out one job. */
export function queueCaseEffects(queues: Queues): CaseEffects {
  return {
    deliverContacts: (contacts) => queues.enqueueDeliveries(contacts),
    deliverAlerts: (alerts) =>
      queues.addBulk(
        'alert-deliver',
        alerts.map((alert) => ({ id: jobId('alert', alert.id, alert.round), data: { alertId: alert.id, round: alert.round } })),
      ),
    announceCreditHold: (event) =>
      queues.addBulk('credit-hold-event', [{ id: jobId('credit-hold', event.holdId, event.event), data: event }]),
  };
}

/** A simulated instant, when the job carries one, replaces the wall clock. */
function clockFor(asOf: string | undefined): (() => Date) | undefined {
  return asOf ? () => new Date(asOf) : undefined;
}

/** Processors of the case lifecycle's queues, with their concurrency (the digest and the sweep: one at a time). */
export function caseProcessors(
  services: CaseServices,
  tuning: Pick<WorkerTuning, 'alertDeliveryConcurrency' | 'creditHoldEventConcurrency'>,
): Array<[JobName, Processor, number]> {
  return [
    [
      'alert-deliver',
      async (job: Job) => {
        const { alertId, round } = parsePayload('alert-deliver', job.data);
        return deliverAlert(services.alertDelivery, alertId, round);
      },
      tuning.alertDeliveryConcurrency,
    ],
    [
      'credit-hold-event',
      async (job: Job) => {
        const { holdId, event } = parsePayload('credit-hold-event', job.data);
        return deliverCreditHoldEvent(services.creditHoldEvents, holdId, event);
      },
      tuning.creditHoldEventConcurrency,
    ],
    [
      'alert-digest',
      async (job: Job) => {
        const clock = clockFor(parsePayload('alert-digest', job.data).asOf);
        return sendDigests(clock ? { ...services.alertDelivery, clock } : services.alertDelivery, services.digestZone);
      },
      1,
    ],
    [
      'case-sweep',
      async (job: Job) => {
        const clock = clockFor(parsePayload('case-sweep', job.data).asOf);
        return runCaseSweep(clock ? { ...services.cases, clock } : services.cases, services.sweep);
      },
      1,
    ],
  ];
}

/**
 * The sweep runs on the tick's schedule; the digest on `ALERT_DIGEST_CRON`; both in `TICK_TZ`.
 * `owned` says which of the two this process's role runs (and so registers).
 */
export async function scheduleCaseJobs(
  queues: Queues,
  tickCron: string,
  services: CaseServices,
  owned: { sweep: boolean; digest: boolean },
): Promise<void> {
  if (owned.sweep) {
    await queues
      .queue('case-sweep')
      .upsertJobScheduler(
        SWEEP_SCHEDULER_ID,
        { pattern: tickCron, tz: services.digestZone },
        { name: 'case-sweep', data: {}, opts: jobCatalog['case-sweep'].options },
      );
  }
  if (owned.digest) {
    await queues
      .queue('alert-digest')
      .upsertJobScheduler(
        DIGEST_SCHEDULER_ID,
        { pattern: services.digestCron, tz: services.digestZone },
        { name: 'alert-digest', data: {}, opts: jobCatalog['alert-digest'].options },
      );
  }
}
