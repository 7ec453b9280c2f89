import { Queue } from 'bullmq';
import type { QueuedContact } from '../db/decisions.repository.js';
import type { RedisConnection } from './connection.js';
import { jobCatalog, jobId, type JobName, type JobPayload } from './catalog.js';

/** Whatever closes a process's resources at shutdown (the composition root's lifecycle). */
export interface ResourceOwner {
  /** `force` drops the resource's connections at once, when `close` did not finish within the shutdown grace. */
  adopt<T>(name: string, resource: T, close: (resource: T) => Promise<unknown>, force?: (resource: T) => unknown): T;
}

/** The queues a process enqueues into, typed by the job catalog. */
export class Queues {
  private readonly queues = new Map<JobName, Queue>();

  /**
   * With `owner`, the queues are closed when it closes; otherwise call {@link close}. `onError`
   * hears the queues' connection errors (a command that fails also rejects where it was sent).
   */
  constructor(
    private readonly redis: RedisConnection,
    owner?: ResourceOwner,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {
    owner?.adopt(
      'queues',
      this,
      (queues) => queues.close(),
      (queues) => queues.disconnect(),
    );
  }

  queue(name: JobName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(jobCatalog[name].queue, { connection: this.redis.bullmq, prefix: this.redis.prefix });
      // Without a listener BullMQ prints the error with console.error, and a refused AUTH's
      // error carries the command, password included.
      queue.on('error', this.onError);
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Closes every queue opened so far; the first failure is thrown after all were tried. */
  async close(): Promise<void> {
    const results = await Promise.allSettled([...this.queues.values()].map((queue) => queue.close()));
    this.queues.clear();
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Drops every queue's connection at once (shutdown, when {@link close} did not finish in time). */
  async disconnect(): Promise<void> {
    await Promise.allSettled([...this.queues.values()].map((queue) => queue.disconnect()));
    this.queues.clear();
  }

  /** Adds jobs in bulk (one Redis round trip per 1000) with catalog options and the given ids. */
  async addBulk<N extends JobName>(name: N, jobs: Array<{ id: string; data: JobPayload<N> }>): Promise<void> {
    const queue = this.queue(name);
    for (let i = 0; i < jobs.length; i += 1_000) {
      await queue.addBulk(
        jobs.slice(i, i + 1_000).map(({ id, data }) => ({
          name,
          data,
          opts: { ...jobCatalog[name].options, jobId: id },
        })),
      );
    }
  }

  /**
   * One delivery job per queued contact; the job id is the contact's idempotency key, so the
   * same contact enqueued twice (a repeated tick, a rebuilt queue) is one job.
   */
  async enqueueDeliveries(contacts: ReadonlyArray<Pick<QueuedContact, 'id' | 'channel' | 'idempotencyKey'>>): Promise<void> {
    for (const channel of ['email', 'sms'] as const) {
      const jobs = contacts
        .filter((contact) => contact.channel === channel)
        .map((contact) => ({ id: jobId(contact.idempotencyKey), data: { contactId: contact.id } }));
      if (jobs.length > 0) await this.addBulk(`deliver-${channel}`, jobs);
    }
  }
}
