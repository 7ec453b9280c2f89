import type { DateTime } from 'luxon';
import { jobCatalog, jobId } from './catalog.js';
import { waitUntilIdle } from './drain.js';
import type { Queues } from './queues.js';

/**
 * Runs one tick at a (possibly simulated) instant through the real queues, and waits until every
 * job it caused — steps, deliveries and their retries — has finished.
 */
export async function runTickAndWait(queues: Queues, asOf: DateTime): Promise<void> {
  await queues
    .queue('tick')
    .add('tick', { asOf: asOf.toISO()! }, { ...jobCatalog.tick.options, jobId: jobId('tick', asOf.toMillis()) });
  await waitUntilIdle([queues.queue('tick'), queues.queue('step'), queues.queue('deliver-email'), queues.queue('deliver-sms')]);
}
