import { Worker, type Processor } from 'bullmq';
import { DateTime } from 'luxon';
import type { Runtime } from '../app/runtime.js';
import type { DunningServices } from '../app/services.js';
import { findDueCaseIds } from '../db/cases.repository.js';
import { findUndelivered } from '../db/contacts.repository.js';
import { jobCatalog, type JobName } from './catalog.js';
import { buildCaseServices } from '../cases/case-services.js';
import { caseProcessors, queueCaseEffects, scheduleCaseJobs } from './alert.job.js';
import { createDeliverProcessor } from './deliver.job.js';
import { Queues } from './queues.js';
import { createStatementsProcessor } from './statements.job.js';
import { createStepProcessor } from './step.job.js';
import { createTickProcessor } from './tick.job.js';

const TICK_SCHEDULER_ID = 'tick-scheduler';
const STATEMENTS_SCHEDULER_ID = 'statements-scheduler';
const SCHEDULE_REASSERT_MS = 60_000;

export interface WorkerOptions {
  /** Register the tick's job scheduler (the long-lived worker) or not (`arrears tick`, demo). */
  schedule: boolean;
}

/**
 * Starts a worker per queue and, when asked, the tick's job scheduler; each is registered with
 * the runtime's lifecycle, whose close waits for in-flight jobs.
 */
export async function startWorkers(runtime: Runtime, services: DunningServices, options: WorkerOptions): Promise<Queues> {
  const { redis, prisma, logger, lifecycle, config } = runtime;
  const queues = new Queues(redis, lifecycle);

  const start = (name: JobName, processor: Processor, concurrency: number, perSecond?: number) => {
    const worker = new Worker(jobCatalog[name].queue, processor, {
      connection: redis.options,
      prefix: redis.prefix,
      concurrency,
      // BullMQ's limiter is kept in Redis, so it holds across every worker process of the queue.
      ...(perSecond && { limiter: { max: perSecond, duration: 1_000 } }),
    });
    worker.on('failed', (job, error) =>
      logger.warn({ queue: name, jobId: job?.id, attempts: job?.attemptsMade, err: error }, 'job failed'),
    );
    worker.on('error', (error) => logger.error({ queue: name, err: error }, 'worker error'));
    lifecycle.adopt(`${name} worker`, worker, (w) => w.close());
  };

  start(
    'tick',
    createTickProcessor({
      findDueCaseIds: (now, limit) => findDueCaseIds(prisma, now, limit),
      findUndelivered: (now) => findUndelivered(prisma, now, services.delivery.staleSendingMs, 10_000),
      queues,
      now: () => DateTime.utc(),
      logger: logger.child({ queue: 'tick' }),
      maxCases: 50_000,
      batchSize: 50,
    }),
    1,
  );
  start('step', createStepProcessor({ ...services.evaluation, queues }), 4);
  start(
    'statements',
    createStatementsProcessor({
      prisma,
      catalog: services.evaluation.compose.catalog,
      company: services.evaluation.compose.company,
      rules: services.evaluation.rules,
      unsubscribeUrl: services.evaluation.compose.unsubscribeUrl,
      queues,
      now: () => DateTime.utc(),
    }),
    1,
  );
  start('deliver-email', createDeliverProcessor(services.delivery, 'deliver-email'), config.email.concurrency, config.email.ratePerSecond);
  start('deliver-sms', createDeliverProcessor(services.delivery, 'deliver-sms'), config.sms.concurrency, config.sms.ratePerSecond);
  const caseServices = buildCaseServices(runtime, services, queueCaseEffects(queues));
  for (const [name, processor, concurrency] of caseProcessors(caseServices)) start(name, processor, concurrency);

  if (options.schedule) {
    const schedule = async () => {
      await queues.queue('tick').upsertJobScheduler(
        TICK_SCHEDULER_ID,
        { pattern: config.queue.tickCron, tz: config.queue.tickTimeZone },
        { name: 'tick', data: {}, opts: jobCatalog.tick.options },
      );
      if (config.queue.statementsCron) {
        await queues.queue('statements').upsertJobScheduler(
          STATEMENTS_SCHEDULER_ID,
          { pattern: config.queue.statementsCron, tz: config.queue.tickTimeZone },
          { name: 'statements', data: {}, opts: jobCatalog.statements.options },
        );
      } else {
        await queues.queue('statements').removeJobScheduler(STATEMENTS_SCHEDULER_ID);
      }
      await scheduleCaseJobs(queues, config.queue.tickCron, caseServices);
    };
    await schedule();
    // Schedulers live in Redis: if it is wiped, nothing would tick again until a restart.
    // Upserting is idempotent, so every worker re-asserts them once a minute.
    const timer = setInterval(() => {
      schedule().catch((error: unknown) => logger.warn({ err: error }, 'could not re-assert job schedulers'));
    }, SCHEDULE_REASSERT_MS);
    lifecycle.adopt('job schedulers', timer, async (t) => clearInterval(t));
    logger.info({ cron: config.queue.tickCron, tz: config.queue.tickTimeZone }, 'worker started; ticking on schedule');
  }
  return queues;
}
