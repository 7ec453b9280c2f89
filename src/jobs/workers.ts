import { Worker, type Processor } from 'bullmq';
import type { CaseServices } from '../cases/case-services.js';
import type { Config } from '../config/config.js';
import { dateOf, type Clock } from '../core/clock.js';
import type { DeliveryDependencies } from '../dunning/deliver-contact.js';
import type { EvaluationDependencies } from '../dunning/evaluate-cases.js';
import type { StatementDependencies } from '../dunning/send-statements.js';
import type { Logger } from '../logging/logger.js';
import { caseProcessors, scheduleCaseJobs } from './alert.job.js';
import { ALL_QUEUES, jobCatalog, type JobName } from './catalog.js';
import type { RedisConnection } from './connection.js';
import { createDeliverProcessor } from './deliver.job.js';
import { startHeartbeat } from './heartbeat.js';
import { createHousekeepingProcessor, type HousekeepingDependencies } from './housekeeping.job.js';
import type { Queues } from './queues.js';
import type { ResourceOwner } from './queues.js';
import { createStatementsProcessor } from './statements.job.js';
import { createStepProcessor } from './step.job.js';
import { createTickProcessor, type TickDependencies } from './tick.job.js';

const TICK_SCHEDULER_ID = 'tick-scheduler';
const STATEMENTS_SCHEDULER_ID = 'statements-scheduler';
const HOUSEKEEPING_SCHEDULER_ID = 'housekeeping-scheduler';
/** Hourly, off the hour (when the statements run). */
const HOUSEKEEPING_CRON = '23 * * * *';
const SCHEDULE_REASSERT_MS = 60_000;
/** Queues fed by a job scheduler (registered by the process whose role includes the queue). */
const SCHEDULED_QUEUES: ReadonlySet<JobName> = new Set(['tick', 'statements', 'case-sweep', 'alert-digest', 'housekeeping']);

export interface WorkerOptions {
  /**
   * Register the job schedulers (the long-lived worker) or not (`arrears tick`, demo). Each
   * scheduler is registered only by a process that runs its queue: the tick's by the role that
   * owns `tick`.
   */
  schedule: boolean;
  /** The queues this process works (its role, `arrears worker --queues`); default all. */
  queues?: readonly JobName[];
  /**
   * Poll the IMAP mailbox (when IMAP_URL is set and `schedule` is on): `mailbox` in the role;
   * default: when `queues` is not given (a worker doing everything).
   */
  mailbox?: boolean;
}

/** The reads the tick makes (repositories bound to the database by the composition root). */
export type TickReads = Pick<TickDependencies, 'findDueCaseIds' | 'findUndelivered'>;

/** The dunning services the workers run: deciding, statements, delivering, and the tick's reads. */
export interface WorkerServices {
  evaluation: EvaluationDependencies;
  statements: StatementDependencies;
  delivery: DeliveryDependencies;
  tick: TickReads;
}

/** Everything the workers of a process run with; built by the composition root (`src/app/worker.ts`). */
export interface WorkerDependencies extends WorkerServices {
  redis: RedisConnection;
  logger: Logger;
  /** Closes the workers and the schedulers' timer at shutdown, waiting for in-flight jobs. */
  lifecycle: ResourceOwner;
  clock: Clock;
  /** Where processors hand out follow-up jobs. */
  queues: Queues;
  cases: CaseServices;
  /** What the housekeeping job prunes, with what retention (its clock and logger are these). */
  housekeeping: Pick<HousekeepingDependencies, 'db' | 'webhookReceipts'>;
  /** Schedules, batch sizes and concurrencies. */
  settings: Pick<Config, 'worker' | 'queue' | 'email' | 'sms'>;
}

/**
 * Starts a worker per queue and, when asked, the job schedulers; each is registered with
 * `lifecycle`, whose close waits for in-flight jobs.
 */
export async function runWorkers(deps: WorkerDependencies, options: WorkerOptions): Promise<void> {
  const { redis, logger, lifecycle, queues, settings } = deps;
  const role = new Set(options.queues ?? ALL_QUEUES);

  const start = (name: JobName, processor: Processor, concurrency: number, perSecond?: number) => {
    if (!role.has(name)) return;
    const worker = new Worker(jobCatalog[name].queue, processor, {
      connection: redis.bullmq,
      prefix: redis.prefix,
      concurrency,
      // BullMQ's limiter is kept in Redis, so it holds across every worker process of the queue.
      ...(perSecond && { limiter: { max: perSecond, duration: 1_000 } }),
    });
    worker.on('failed', (job, error) =>
      logger.warn({ queue: name, jobId: job?.id, attempts: job?.attemptsMade, err: error }, 'job failed'),
    );
    worker.on('error', (error) => logger.error({ queue: name, err: error }, 'worker error'));
    lifecycle.adopt(
      `${name} worker`,
      worker,
      (w) => w.close(),
      (w) => w.disconnect(),
    );
  };

  // The tick, the statements run, the sweep and the digest run one at a time: each reads what
  // is due and hands it out, and two at once would hand out the same work twice.
  start(
    'tick',
    createTickProcessor({
      ...deps.tick,
      queues,
      clock: deps.clock,
      logger: logger.child({ queue: 'tick' }),
      maxCases: settings.worker.tickMaxCases,
      batchSize: settings.worker.stepBatchSize,
    }),
    1,
  );
  start('step', createStepProcessor({ ...deps.evaluation, queues }), settings.worker.stepConcurrency);
  start('statements', createStatementsProcessor({ ...deps.statements, queues, clock: deps.clock }), 1);
  start('deliver-email', createDeliverProcessor(deps.delivery, 'deliver-email'), settings.email.concurrency, settings.email.ratePerSecond);
  start('deliver-sms', createDeliverProcessor(deps.delivery, 'deliver-sms'), settings.sms.concurrency, settings.sms.ratePerSecond);
  for (const [name, processor, concurrency] of caseProcessors(deps.cases, settings.worker)) start(name, processor, concurrency);
  start(
    'housekeeping',
    createHousekeepingProcessor({ ...deps.housekeeping, clock: deps.clock, logger: logger.child({ queue: 'housekeeping' }) }),
    1,
  );

  const { tickCron, tickTimeZone, statementsCron } = settings.queue;
  const scheduled = options.schedule ? ALL_QUEUES.filter((name) => role.has(name) && SCHEDULED_QUEUES.has(name)) : [];
  if (scheduled.length > 0) {
    const owns = (name: JobName) => scheduled.includes(name);
    const schedule = async () => {
      if (owns('tick')) {
        await queues
          .queue('tick')
          .upsertJobScheduler(
            TICK_SCHEDULER_ID,
            { pattern: tickCron, tz: tickTimeZone },
            { name: 'tick', data: {}, opts: jobCatalog.tick.options },
          );
      }
      if (owns('statements') && statementsCron) {
        await queues
          .queue('statements')
          .upsertJobScheduler(
            STATEMENTS_SCHEDULER_ID,
            { pattern: statementsCron, tz: tickTimeZone },
            { name: 'statements', data: {}, opts: jobCatalog.statements.options },
          );
      } else if (owns('statements')) {
        await queues.queue('statements').removeJobScheduler(STATEMENTS_SCHEDULER_ID);
      }
      await scheduleCaseJobs(queues, tickCron, deps.cases, { sweep: owns('case-sweep'), digest: owns('alert-digest') });
      if (owns('housekeeping')) {
        await queues
          .queue('housekeeping')
          .upsertJobScheduler(
            HOUSEKEEPING_SCHEDULER_ID,
            { pattern: HOUSEKEEPING_CRON, tz: tickTimeZone },
            { name: 'housekeeping', data: {}, opts: jobCatalog.housekeeping.options },
          );
      }
    };
    await schedule();
    // Schedulers live in Redis: if it is wiped, nothing would tick again until a restart.
    // Upserting is idempotent, so every worker re-asserts its own once a minute.
    const timer = setInterval(() => {
      schedule().catch((error: unknown) => logger.warn({ err: error }, 'could not re-assert job schedulers'));
    }, SCHEDULE_REASSERT_MS);
    lifecycle.adopt('job schedulers', timer, async (t) => clearInterval(t));
  }
  if (role.size > 0) {
    const heartbeat = startHeartbeat(redis, [...role], dateOf(deps.clock), (error) =>
      logger.warn({ err: error }, 'could not record the worker heartbeat'),
    );
    lifecycle.adopt(
      'worker heartbeat',
      heartbeat,
      (h) => h.stop(),
      (h) => h.disconnect(),
    );
  }
  if (options.schedule) {
    logger.info(
      { queues: [...role], scheduled, ...(scheduled.includes('tick') && { cron: tickCron, tz: tickTimeZone }) },
      scheduled.includes('tick') ? 'worker started; ticking on schedule' : 'worker started',
    );
  }
}
