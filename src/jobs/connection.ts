import type { ConnectionOptions } from 'bullmq';

/** How queues and workers reach Redis; each BullMQ object opens (and closes) its own socket. */
export interface RedisConnection {
  /** Connection options, not a shared client: BullMQ closes what it opened itself. */
  options: ConnectionOptions;
  /** Hash-tagged key prefix, so a queue's keys share one Redis Cluster slot. */
  prefix: string;
}

export function redisConnection(url: string, prefix: string): RedisConnection {
  // Workers block on Redis; a null retry limit lets them ride out a Redis restart.
  return { options: { url, maxRetriesPerRequest: null }, prefix };
}
