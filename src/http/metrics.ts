import type { FastifyPluginAsync } from 'fastify';
import type { PrismaClient } from '../db/client.js';
import { countSendsByChannelAndStatus, pingDatabase } from '../db/metrics.repository.js';
import type { RedisConnection } from '../jobs/connection.js';
import { jobCatalog, type JobName } from '../jobs/catalog.js';
import { readHeartbeats, type WorkerHeartbeat } from '../jobs/heartbeat.js';
import { Queues } from '../jobs/queues.js';
import { principalFromBearer } from './auth/principal.js';

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

export interface QueueSnapshot {
  states: readonly string[];
  queues: Array<{ name: JobName; counts: Record<string, number>; oldestWaitingSeconds: number | null }>;
  /** Duration of the most recent completed ticks, seconds (newest first). */
  tickDurations: number[];
}

/** Read-only view of the BullMQ queues, for /metrics, /readyz and the queues page. */
export class QueueInspector {
  private readonly queues: Queues;

  private readonly redis: RedisConnection;
  private client: ReturnType<RedisConnection['client']> | null = null;

  constructor(redis: RedisConnection) {
    this.redis = redis;
    this.queues = new Queues(redis);
  }

  /** The worker processes' heartbeats (src/jobs/heartbeat.ts), most recently seen first. */
  async workers(now: Date): Promise<WorkerHeartbeat[]> {
    this.client ??= this.redis.client();
    return readHeartbeats(this.client, this.redis.prefix, now);
  }

  names(): JobName[] {
    return Object.keys(jobCatalog) as JobName[];
  }

  /** The BullMQ queue objects (bull-board mounts them). */
  bullQueues() {
    return this.names().map((name) => this.queues.queue(name));
  }

  async ping(): Promise<void> {
    await this.queues.queue('tick').getJobCounts('waiting');
  }

  async snapshot(now: Date): Promise<QueueSnapshot> {
    const queues = await Promise.all(
      this.names().map(async (name) => {
        const queue = this.queues.queue(name);
        const [counts, oldest] = await Promise.all([queue.getJobCounts(...STATES), queue.getJobs(['wait'], -1, -1, true)]);
        const first = oldest[0];
        return { name, counts, oldestWaitingSeconds: first ? Math.max(0, (now.getTime() - first.timestamp) / 1000) : null };
      }),
    );
    const ticks = await this.queues.queue('tick').getJobs(['completed'], 0, 19, false);
    const tickDurations = ticks
      .filter((job) => job.processedOn !== undefined && job.finishedOn !== undefined)
      .map((job) => (job.finishedOn! - job.processedOn!) / 1000);
    return { states: STATES, queues, tickDurations };
  }

  async recentFailures(count: number) {
    return Promise.all(
      this.names().map(async (name) => ({
        name,
        jobs: (await this.queues.queue(name).getFailed(0, count - 1)).map((job) => ({
          id: job.id,
          attempts: job.attemptsMade,
          reason: job.failedReason,
        })),
      })),
    );
  }

  async close(): Promise<void> {
    await this.client?.quit().catch(() => undefined);
    return this.queues.close();
  }
}

export interface MetricsOptions {
  prisma: PrismaClient;
  queues: QueueInspector | null;
  clock: () => Date;
}

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Prometheus text exposition, computed from Postgres and BullMQ at scrape time. */
export async function renderMetrics(options: MetricsOptions): Promise<string> {
  const lines: string[] = [];
  const metric = (name: string, type: string, help: string, samples: Array<[Record<string, string>, number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const text = Object.entries(labels)
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      lines.push(`${name}${text ? `{${text}}` : ''} ${Number.isFinite(value) ? value : 0}`);
    }
  };
  const sends = await countSendsByChannelAndStatus(options.prisma);
  metric(
    'arrears_contacts',
    'gauge',
    'Contacts in the contact log by channel and current status.',
    sends.map((s) => [{ channel: s.channel, status: s.status }, s.count]),
  );
  if (options.queues) {
    const snapshot = await options.queues.snapshot(options.clock());
    metric(
      'arrears_queue_jobs',
      'gauge',
      'BullMQ jobs by queue and state.',
      snapshot.queues.flatMap((q) =>
        snapshot.states.map((state): [Record<string, string>, number] => [{ queue: q.name, state }, q.counts[state] ?? 0]),
      ),
    );
    metric(
      'arrears_queue_lag_seconds',
      'gauge',
      'Age of the oldest waiting job per queue (0 when none waits).',
      snapshot.queues.map((q) => [{ queue: q.name }, q.oldestWaitingSeconds ?? 0]),
    );
    const [last] = snapshot.tickDurations;
    metric('arrears_tick_duration_seconds', 'gauge', 'Duration of the most recent completed tick.', [[{}, last ?? 0]]);
    const sorted = [...snapshot.tickDurations].sort((a, b) => a - b);
    metric('arrears_tick_duration_seconds_max', 'gauge', 'Longest of the last 20 completed ticks.', [[{}, sorted.at(-1) ?? 0]]);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `/readyz`: 200 when Postgres and Redis answer, 503 naming what does not. `/metrics`: Prometheus
 * text, for a bearer token with the `metrics:read` scope (Prometheus' `authorization` setting).
 */
export const metricsPlugin: FastifyPluginAsync<MetricsOptions> = async (app, options) => {
  app.get('/readyz', async (_request, reply) => {
    const checks: Record<string, string> = {};
    await Promise.all([
      pingDatabase(options.prisma).then(
        () => {
          checks.postgres = 'ok';
        },
        (error: Error) => {
          checks.postgres = error.message;
        },
      ),
      options.queues
        ? withTimeout(options.queues.ping(), 2_000).then(
            () => {
              checks.redis = 'ok';
            },
            (error: Error) => {
              checks.redis = error.message;
            },
          )
        : Promise.resolve().then(() => {
            checks.redis = 'not configured';
          }),
    ]);
    const ready = checks.postgres === 'ok' && checks.redis === 'ok';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });

  app.get('/metrics', async (request, reply) => {
    const principal = await principalFromBearer(options.prisma, request, options.clock());
    if (principal === null)
      return reply.code(401).header('www-authenticate', 'Bearer').type('text/plain').send('a bearer token is required\n');
    if (!principal.scopes?.includes('metrics:read'))
      return reply.code(403).type('text/plain').send('this token lacks the scope metrics:read\n');
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(await renderMetrics(options));
  });
};

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
