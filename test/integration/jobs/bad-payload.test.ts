import { Queue, Worker, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { jobCatalog, parsePayload } from '../../../src/jobs/catalog.js';
import { testQueuePrefix } from '../../support/databases.js';

// On the real redis-server: a payload that fails its schema fails the job on the first attempt,
// although the queue's options allow ten (deliveries retry with backoff for provider outages).
describe('a bad job payload', () => {
  const connection = { url: inject('redisUrl'), maxRetriesPerRequest: null };
  const prefix = testQueuePrefix();
  const name = 'deliver-email' as const;
  const { queue: queueName, options } = jobCatalog[name];
  let queue: Queue;
  let worker: Worker;
  const failures: Array<{ job: Job | undefined; error: Error }> = [];

  beforeAll(async () => {
    queue = new Queue(queueName, { connection, prefix });
    worker = new Worker(queueName, async (job: Job) => parsePayload(name, job.data), { connection, prefix });
    worker.on('failed', (job, error) => failures.push({ job, error }));
    await worker.waitUntilReady();
  });

  afterAll(async () => {
    await worker?.close();
    await queue?.obliterate({ force: true });
    await queue?.close();
  });

  it('fails at once, unretried, with the field named', async () => {
    expect(options.attempts).toBeGreaterThan(1);
    const added = await queue.add(name, { contactId: 'not-a-uuid' }, options);

    await expect.poll(() => failures.length, { timeout: 10_000 }).toBe(1);
    const job = await queue.getJob(added.id!);
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
    expect(job!.failedReason).toMatch(/^invalid deliver-email payload: contactId: /);
    expect(failures[0]!.error.name).toBe('UnrecoverableError');

    // No retry is waiting: nothing delayed, and still one failure a little later.
    expect(await queue.getDelayedCount()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(failures).toHaveLength(1);
  });
});
