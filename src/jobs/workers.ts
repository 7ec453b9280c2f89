import { Queue, Worker } from 'bullmq';
import { DateTime } from 'luxon';
import type { Runtime } from '../app/runtime.js';
import { findDueCaseIds } from '../db/cases.repository.js';
import { jobCatalog } from './catalog.js';
import { createTickProcessor } from './tick.job.js';

const TICK_SCHEDULER_ID = 'tick-scheduler';

/**
 * Starts the long-lived workers and the tick's job scheduler, registering each with the
 * runtime's lifecycle (a worker's close waits for its in-flight job).
 */
export async function startWorkers(runtime: Runtime): Promise<void> {
  const { redis, prisma, logger, lifecycle, config } = runtime;
  const connection = { connection: redis.options, prefix: redis.prefix };
  const tick = jobCatalog.tick;

  const tickQueue = lifecycle.adopt('tick queue', new Queue(tick.queue, connection), (q) => q.close());
  await tickQueue.upsertJobScheduler(
    TICK_SCHEDULER_ID,
    { pattern: config.queue.tickCron, tz: config.queue.tickTimeZone },
    { name: 'tick', data: {}, opts: tick.options },
  );

  const processor = createTickProcessor({
    findDueCaseIds: (now, limit) => findDueCaseIds(prisma, now, limit),
    now: () => DateTime.utc(),
    logger: logger.child({ queue: tick.queue }),
    batchSize: 1_000,
  });
  const worker = lifecycle.adopt('tick worker', new Worker(tick.queue, processor, connection), (w) =>
    w.close(),
  );
  worker.on('failed', (job, error) => logger.error({ err: error, jobId: job?.id }, 'tick failed'));
  logger.info(
    { cron: config.queue.tickCron, tz: config.queue.tickTimeZone },
    'worker started; ticking on schedule',
  );
}
