import type { ConnectionOptions } from 'bullmq';
import { Cluster, Redis, type ClusterOptions } from 'ioredis';
import type { RedisTarget } from '../config/config.js';
import { ConfigError } from '../config/config-error.js';

/**
 * How every Redis client of a process is made: BullMQ's queues and workers (and through them
 * the rate limiters, job schedulers, bull-board and the health checks) and the odd direct client.
 * The only place that constructs an ioredis client (a lint rule keeps it so).
 *
 * - One server: BullMQ gets connection options and opens (and closes) its own sockets.
 * - A Redis Cluster: BullMQ gets the process's one `Cluster` client, made on first use; queues
 *   share it, workers duplicate it for their blocking reads (and close the copies). `close()`
 *   quits it, after everything that used it has closed.
 *
 * Every key carries the hash-tagged `prefix` (`{arrears}`), so all of Arrears' keys live in one
 * cluster slot and BullMQ's multi-key scripts never cross nodes.
 */
export class RedisConnection {
  private cluster: Cluster | undefined;

  /** `target` null: this process runs without Redis, and any use of it is a bug. */
  constructor(
    private readonly target: RedisTarget | null,
    readonly prefix: string,
  ) {}

  /** `cluster` or `server` (for logs); null without Redis. */
  get kind(): RedisTarget['kind'] | null {
    return this.target?.kind ?? null;
  }

  /** What a BullMQ Queue or Worker takes as `connection`. */
  get bullmq(): ConnectionOptions {
    const target = this.require();
    if (target.kind === 'server') return { url: target.url, ...SERVER_OPTIONS };
    this.cluster ??= newCluster(target);
    return this.cluster;
  }

  /** A plain client of its own (INFO, FLUSHALL in tests and the bench); the caller closes it. */
  client(): Redis | Cluster {
    const target = this.require();
    return target.kind === 'server' ? new Redis(target.url, SERVER_OPTIONS) : newCluster(target);
  }

  /**
   * Refuses to go on when Redis refuses this process's credentials: BullMQ's clients would retry
   * that forever, logging the refusal. A Redis that is not up yet is left to those retries (it may
   * be starting next to this process), and so is one that answers with anything else.
   */
  async checkCredentials(): Promise<void> {
    const target = this.require();
    const refusals: Error[] = [];
    const probe =
      target.kind === 'server'
        ? new Redis(target.url, { ...PROBE_OPTIONS, retryStrategy: () => null })
        : newCluster(target, { lazyConnect: true, clusterRetryStrategy: () => null, redisOptions: PROBE_OPTIONS });
    probe.on('error', (error: Error) => refusals.push(error));
    try {
      await probe.connect();
      await probe.ping();
    } catch (error) {
      refusals.push(error as Error);
    } finally {
      probe.disconnect();
    }
    // A cluster client reports "Failed to refresh slots cache" and keeps the node's answer aside.
    const refused = refusals
      .flatMap((error) => [error, (error as { lastNodeError?: Error }).lastNodeError])
      .find((error) => error !== undefined && AUTH_REFUSED.test(error.message));
    if (refused) {
      const setting = target.kind === 'server' ? 'REDIS_URL' : 'REDIS_USERNAME / REDIS_PASSWORD';
      throw new ConfigError([`${setting}: Redis refused the credentials (${refused.message.split(' ')[0]})`]);
    }
  }

  /** Quits the shared cluster client, if one was made. */
  async close(): Promise<void> {
    const cluster = this.cluster;
    this.cluster = undefined;
    if (cluster) await cluster.quit().catch(() => cluster.disconnect());
  }

  /** Drops the shared cluster client's sockets at once (shutdown, when `close` did not finish in time). */
  disconnect(): void {
    const cluster = this.cluster;
    this.cluster = undefined;
    cluster?.disconnect();
  }

  private require(): RedisTarget {
    if (!this.target) throw new Error('this command runs without Redis');
    return this.target;
  }
}

// Workers block on Redis; a null retry limit lets them ride out a Redis restart.
const SERVER_OPTIONS = { maxRetriesPerRequest: null };
// One attempt, nothing queued: the credentials check.
const PROBE_OPTIONS = { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false };
const AUTH_REFUSED = /^(WRONGPASS|NOAUTH)\b|invalid (username-)?password/i;

function newCluster(target: Extract<RedisTarget, { kind: 'cluster' }>, overrides: ClusterOptions = {}): Cluster {
  return new Cluster(target.nodes, {
    ...overrides,
    redisOptions: {
      ...SERVER_OPTIONS,
      ...overrides.redisOptions,
      ...(target.username && { username: target.username }),
      ...(target.password && { password: target.password }),
      ...(target.tls && { tls: {} }),
    },
    // With TLS, connect to the names the cluster announces rather than their resolved
    // addresses, so certificates are checked against the name (as managed clusters need).
    ...(target.tls && { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) }),
  });
}
