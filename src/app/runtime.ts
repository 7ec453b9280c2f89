import type { Config } from '../config/config.js';
import pg from 'pg';
import { createPrisma, type PrismaClient } from '../db/client.js';
import { applyMigrations } from '../db/migrate.js';
import { pgDatabase, type SqlDatabase } from '../db/sql.js';
import { provideStack, type Stack } from '../dev/embedded-stack.js';
import { redisConnection, type RedisConnection } from '../jobs/connection.js';
import type { Logger } from '../logging/logger.js';
import { Lifecycle } from './lifecycle.js';

/** What every command shares: the servers, the database client and how to close it all. */
export interface Runtime {
  config: Config;
  logger: Logger;
  stack: Stack;
  prisma: PrismaClient;
  /** The same database through a plain `pg` pool, for the hot paths' set-based statements. */
  db: SqlDatabase;
  redis: RedisConnection;
  lifecycle: Lifecycle;
}

/**
 * The composition root's first half: config → logger (given) → servers (embedded when no URL is
 * configured) → migrations → clients. Commands add their workers or servers to `lifecycle`;
 * `lifecycle.close()` undoes everything in reverse.
 */
export async function openRuntime(
  config: Config,
  logger: Logger,
  needs: { redis: boolean } = { redis: true },
): Promise<Runtime> {
  const lifecycle = new Lifecycle(logger);
  try {
    const stack = lifecycle.adopt('stack', await provideStack(config, logger, needs), (s) => s.stop());
    await applyMigrations(stack.databaseUrl);
    const prisma = lifecycle.adopt('prisma', createPrisma(stack.databaseUrl), (p) => p.$disconnect());
    const pool = lifecycle.adopt('pg pool', new pg.Pool({ connectionString: stack.databaseUrl, max: 10 }), (p) => p.end());
    // An idle connection the server dropped (a Postgres restart) must not crash the process.
    pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection lost'));
    const redis = redisConnection(stack.redisUrl, config.queue.prefix);
    return { config, logger, stack, prisma, db: pgDatabase(pool), redis, lifecycle };
  } catch (error) {
    await lifecycle.close();
    throw error;
  }
}
