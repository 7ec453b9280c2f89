import type { Job } from 'bullmq';
import { DateTime } from 'luxon';
import type { Clock } from '../core/clock.js';
import { queueStatements, type StatementDependencies } from '../dunning/send-statements.js';
import { parsePayload } from './catalog.js';
import type { Queues } from './queues.js';

/** statements: record this period's statements as queued contacts, then hand them to delivery. */
export function createStatementsProcessor(deps: StatementDependencies & { queues: Queues; clock: Clock }) {
  return async function statements(job: Job): Promise<{ queued: number }> {
    const { asOf } = parsePayload('statements', job.data);
    const queued = await queueStatements(deps, asOf ? DateTime.fromISO(asOf, { setZone: true }) : deps.clock.now());
    await deps.queues.enqueueDeliveries(queued);
    return { queued: queued.length };
  };
}
