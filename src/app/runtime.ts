import { DateTime } from 'luxon';
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import { createPrisma, type PrismaClient } from '../db/client.js';
import { applyMigrations } from '../db/migrate.js';
import { createPgPool } from '../db/pool.js';
import { pgDatabase, type CopyOut, type SqlDatabase } from '../db/sql.js';
import { provideStack, type Stack } from '../dev/embedded-stack.js';
import { RedisConnection } from '../jobs/connection.js';
import type { Logger } from '../logging/logger.js';
import { Lifecycle } from './lifecycle.js';

/** The wall clock: the one `now` of a process that is not simulating time. */
export const systemClock: Clock = { now: () => DateTime.utc() };

/** What every command shares: the servers, the database client, the clock and how to close it all. */
export interface Runtime {
  config: Config;
  logger: Logger;
  /** The process's one clock; everything built from this runtime reads the time from it. */
  clock: Clock;
  stack: Stack;
  prisma: PrismaClient;
  /** The same database through a plain `pg` pool, for the hot paths' set-based statements. */
  db: SqlDatabase & CopyOut;
  redis: RedisConnection;
  lifecycle: Lifecycle;
}

/**
 * The composition root's first stage: config → logger (given) → servers (embedded when no URL is
 * configured) → migrations → clients, and the clock (the wall clock unless one is given). The
 * next stages build on it: services (`services.ts`), then workers (`worker.ts`) or HTTP
 * (`http.ts`); each adds what it opens to `lifecycle`, and `lifecycle.close()` undoes it all in
 * reverse.
 */
export async function openRuntime(config: Config, logger: Logger, options: { redis?: boolean; clock?: Clock } = {}): Promise<Runtime> {
  const needs = { redis: options.redis ?? true };
  const lifecycle = new Lifecycle(logger, { graceSeconds: config.shutdownGraceSeconds });
  try {
    const stack = lifecycle.adopt('stack', await provideStack(config, logger, needs), (s) => s.stop());
    await applyMigrations(stack.databaseUrl);
    const prisma = lifecycle.adopt('prisma', createPrisma(stack.databaseUrl, { maxConnections: config.databasePoolSize }), (p) =>
      p.$disconnect(),
    );
    const pool = lifecycle.adopt(
      'pg pool',
      createPgPool(stack.databaseUrl, {
        max: config.databasePoolSize,
        onIdleError: (error) => logger.warn({ err: error }, 'idle database connection lost'),
      }),
      (p) => p.end(),
    );
    // Adopted before anything that uses it, so it is closed after them.
    const redis = lifecycle.adopt(
      'redis',
      new RedisConnection(stack.redis, config.queue.prefix),
      (r) => r.close(),
      (r) => r.disconnect(),
    );
    if (stack.redis) await redis.checkCredentials();
    return { config, logger, clock: options.clock ?? systemClock, stack, prisma, db: pgDatabase(pool), redis, lifecycle };
  } catch (error) {
    await lifecycle.close();
    throw error;
  }
}
