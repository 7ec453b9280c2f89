import type { Job } from 'bullmq';
import { DateTime } from 'luxon';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../logging/logger.js';
import { jobId, parsePayload } from './catalog.js';
import type { Queues } from './queues.js';

export interface TickDependencies {
  /** Ids of cases due for a decision at `now` (an indexed read: cost grows with what is due). */
  findDueCaseIds(now: Date, limit: number): Promise<string[]>;
  /**
   * Contacts with no delivery done: `queued`, or `sending` since before `now` minus the stale
   * delay (abandoned by a dead worker).
   */
  findUndelivered(now: Date): Promise<Array<{ id: string; channel: 'email' | 'sms'; idempotencyKey: string }>>;
  queues: Queues;
  /** The process's clock: the tick's instant when the job carries none, and the stale-send check. */
  clock: Clock;
  logger: Logger;
  /** Most cases read per tick; the rest wait for the next tick (`TICK_MAX_CASES`). */
  maxCases: number;
  /** Cases per step job (`STEP_BATCH_SIZE`). */
  batchSize: number;
}

export interface TickResult {
  asOf: string;
  dueCases: number;
  stepJobs: number;
  redelivered: number;
}

/**
 * The tick: enqueue a step job for each batch of cases whose next-look time has come, and a
 * delivery job for every contact that should have one. Both are derived from Postgres alone, so
 * after a Redis wipe the next tick rebuilds all pending work.
 */
export function createTickProcessor(deps: TickDependencies) {
  return async function tick(job: Job): Promise<TickResult> {
    const { asOf } = parsePayload('tick', job.data);
    const now = asOf ? DateTime.fromISO(asOf, { setZone: true }) : deps.clock.now();
    const asOfIso = now.toUTC().toISO()!;

    // Staleness is measured on the clock that stamped the `sending` claim (the process's, the
    // wall clock in production), never on the tick's instant: a tick `--as-of` a past day would
    // leave a dead worker's sends stuck, one `--as-of` a later day would take over live sends.
    const undelivered = await deps.findUndelivered(deps.clock.now().toJSDate());
    await deps.queues.enqueueDeliveries(undelivered);

    const due = await deps.findDueCaseIds(now.toJSDate(), deps.maxCases);
    const batches: Array<{ id: string; data: { caseIds: string[]; asOf: string } }> = [];
    for (let i = 0; i < due.length; i += deps.batchSize) {
      const caseIds = due.slice(i, i + deps.batchSize);
      batches.push({ id: jobId('step', now.toMillis(), caseIds[0]!), data: { caseIds, asOf: asOfIso } });
    }
    await deps.queues.addBulk('step', batches);

    const result = { asOf: asOfIso, dueCases: due.length, stepJobs: batches.length, redelivered: undelivered.length };
    // A tick with nothing to do is routine; keep it out of the info log.
    if (result.dueCases + result.redelivered > 0) deps.logger.info(result, 'tick');
    else deps.logger.debug(result, 'tick');
    return result;
  };
}
