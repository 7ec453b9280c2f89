import path from 'node:path';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { startEmbeddedRedis, type EmbeddedServer } from './embedded-redis.js';

/** The Postgres and Redis a process talks to, and how to stop whichever of them it started. */
export interface Stack {
  databaseUrl: string;
  redisUrl: string;
  /** True when this process started them (no DATABASE_URL / REDIS_URL given). */
  embedded: { postgres: boolean; redis: boolean };
  stop(): Promise<void>;
}

/**
 * Uses the configured servers, and starts a private Postgres and/or redis-server for whichever
 * URL is unset (Redis only when `needs.redis`: commands that only read the ledger skip it, and
 * get an empty `redisUrl`). Started servers are stopped by `stop()`, in reverse order.
 */
export async function provideStack(config: Config, logger: Logger, needs: { redis: boolean } = { redis: true }): Promise<Stack> {
  const started: EmbeddedServer[] = [];
  const stopAll = async () => {
    for (const server of started.reverse()) await server.stop();
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const postgres = await startEmbeddedPostgres({
        clusterDir: path.join(config.dataDir, 'postgres'),
        database: 'arrears',
        logger,
      });
      started.push(postgres);
      databaseUrl = postgres.url;
    }
    let redisUrl = config.redisUrl ?? '';
    if (!redisUrl && needs.redis) {
      const redis = await startEmbeddedRedis(path.join(config.dataDir, 'redis'), logger);
      started.push(redis);
      redisUrl = redis.url;
    }
    return {
      databaseUrl,
      redisUrl,
      embedded: { postgres: !config.databaseUrl, redis: !config.redisUrl && needs.redis },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
