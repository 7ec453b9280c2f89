import type { DateTime } from 'luxon';
import { jobCatalog, jobId, type JobName } from './catalog.js';
import { waitUntilIdle } from './drain.js';
import type { Queues } from './queues.js';

/** Queues whose delayed jobs are retries in backoff (the others' are their schedulers' next run). */
const RETRIED_QUEUES: JobName[] = ['step', 'deliver-email', 'deliver-sms', 'alert-deliver', 'credit-hold-event'];

/**
 * Runs one job that takes a (possibly simulated) instant — a tick, or a statements run — through
 * the real queues, and waits until every job it caused (steps, deliveries, retries) has finished.
 */
export async function runAtAndWait(queues: Queues, name: 'tick' | 'statements', asOf: DateTime): Promise<void> {
  await queues.queue(name).add(name, { asOf: asOf.toISO()! }, { ...jobCatalog[name].options, jobId: jobId(name, asOf.toMillis()) });
  const all = (Object.keys(jobCatalog) as JobName[]).map((queue) => queues.queue(queue));
  const retried = RETRIED_QUEUES.map((queue) => queues.queue(queue));
  await waitUntilIdle(all, retried);
}

/** `runAtAndWait` for the tick. */
export function runTickAndWait(queues: Queues, asOf: DateTime): Promise<void> {
  return runAtAndWait(queues, 'tick', asOf);
}
