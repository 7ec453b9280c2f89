import type { Job } from 'bullmq';
import { DateTime } from 'luxon';
import { evaluateCases, type EvaluationDependencies, type EvaluationResult } from '../dunning/evaluate-cases.js';
import { parsePayload } from './catalog.js';
import type { Queues } from './queues.js';

/** The step: decide and record a batch of cases, then hand their messages to delivery. */
export function createStepProcessor(deps: EvaluationDependencies & { queues: Queues }) {
  return async function step(job: Job): Promise<Omit<EvaluationResult, 'queued'> & { queued: number }> {
    const { caseIds, asOf } = parsePayload('step', job.data);
    const result = await evaluateCases(deps, caseIds, DateTime.fromISO(asOf, { setZone: true }));
    // Recorded first, enqueued second: if this process dies in between, the next tick finds the
    // queued rows without a job and enqueues them.
    await deps.queues.enqueueDeliveries(result.queued);
    return { decided: result.decided, stale: result.stale, queued: result.queued.length };
  };
}
