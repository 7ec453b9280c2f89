import type { Job } from 'bullmq';
import { DateTime } from 'luxon';
import type { Logger } from '../logging/logger.js';
import { parsePayload } from './catalog.js';

export interface TickDependencies {
  /** Ids of cases due for a decision at `now` (an indexed read: cost grows with what is due). */
  findDueCaseIds(now: Date, limit: number): Promise<string[]>;
  /** The wall clock, used when the job carries no simulated instant. */
  now(): DateTime;
  logger: Logger;
  batchSize: number;
}

export interface TickResult {
  asOf: string;
  dueCases: number;
}

/** The tick: find the collection cases whose next-look time has come. */
export function createTickProcessor(deps: TickDependencies) {
  return async function tick(job: Job): Promise<TickResult> {
    const { asOf } = parsePayload('tick', job.data);
    const now = asOf ? DateTime.fromISO(asOf, { setZone: true }) : deps.now();
    const due = await deps.findDueCaseIds(now.toJSDate(), deps.batchSize);
    deps.logger.info({ asOf: now.toISO(), dueCases: due.length }, 'tick');
    return { asOf: now.toISO() ?? '', dueCases: due.length };
  };
}
