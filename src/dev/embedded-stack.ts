import path from 'node:path';
import type { Config, RedisTarget } from '../config/config.js';
import type { Logger } from '../logging/logger.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { startEmbeddedRedis, startEmbeddedRedisCluster } from './embedded-redis.js';

/** The Postgres and Redis a process talks to, and how to stop whichever of them it started. */
export interface Stack {
  databaseUrl: string;
  /** Null when the process asked for no Redis. */
  redis: RedisTarget | null;
  /** True when this process started them (no DATABASE_URL / REDIS_URL / REDIS_CLUSTER_NODES given). */
  embedded: { postgres: boolean; redis: boolean };
  stop(): Promise<void>;
}

/**
 * Uses the configured servers, and starts a private Postgres and/or redis-server for whichever
 * is not configured (Redis only when `needs.redis`: commands that only read the ledger skip it,
 * and get a null `redis`; with `needs.redisCluster`, a 3-master Redis Cluster instead of one
 * server). Started servers are stopped by `stop()`, in reverse order.
 */
export async function provideStack(
  config: Config,
  logger: Logger,
  needs: { redis: boolean; redisCluster?: boolean } = { redis: true },
): Promise<Stack> {
  const started: Array<{ stop(): Promise<void> }> = [];
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
    let redis = needs.redis ? (config.redis ?? null) : null;
    if (!redis && needs.redis) {
      const dir = path.join(config.dataDir, 'redis');
      const embedded = needs.redisCluster
        ? await startEmbeddedRedisCluster(dir, logger)
        : await startEmbeddedRedis(dir, logger).then((server) => ({ ...server, target: { kind: 'server', url: server.url } as const }));
      started.push(embedded);
      redis = embedded.target;
    }
    return {
      databaseUrl,
      redis,
      embedded: { postgres: !config.databaseUrl, redis: !config.redis && needs.redis },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
