import { UnrecoverableError, type Job } from 'bullmq';
import { RetryLater, deliverContact, type DeliveryDependencies, type DeliveryResult } from '../dunning/deliver-contact.js';
import { parsePayload } from './catalog.js';

/** deliver-email and deliver-sms: one contact each, exactly once. */
export function createDeliverProcessor(deps: DeliveryDependencies, name: 'deliver-email' | 'deliver-sms') {
  return async function deliver(job: Job): Promise<DeliveryResult> {
    const { contactId } = parsePayload(name, job.data);
    try {
      return await deliverContact(deps, contactId, job.attemptsMade > 0);
    } catch (error) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (error instanceof RetryLater && lastAttempt) {
        await deps.outbox.recordOutcome(contactId, {
          status: 'failed',
          at: deps.clock(),
          failureKind: 'transient',
          failureReason: `gave up after ${job.attemptsMade + 1} attempts: ${error.message}`,
        });
        throw new UnrecoverableError(error.message);
      }
      throw error;
    }
  };
}
