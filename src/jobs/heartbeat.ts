import { hostname } from 'node:os';
import type { RedisConnection } from './connection.js';

// Worker heartbeats live in Redis, not Postgres: they describe running processes, change every
// few seconds and mean nothing after a restart, and every worker already holds a Redis
// connection. Writing them to Postgres would add a write per worker every few seconds to the
// source of truth, and rows to clean up after processes that died. One hash, hash-tagged by the
// prefix, so it lives in one slot of a Redis Cluster too.

/** How often a worker process records that it is alive. */
export const HEARTBEAT_INTERVAL_MS = 15_000;
/** A worker not seen for this long counts as gone (the queues page's banner). */
export const WORKER_SILENT_AFTER_MS = 60_000;
/** Entries older than this are dropped when read (processes that died without saying goodbye). */
const FORGET_AFTER_MS = 24 * 3_600_000;

export interface WorkerHeartbeat {
  /** `<host>:<pid>`. */
  id: string;
  host: string;
  pid: number;
  /** The queues this process works (its role). */
  queues: string[];
  startedAt: string;
  lastSeenAt: string;
}

const key = (prefix: string) => `${prefix}:workers`;

/** Records this process's heartbeat every HEARTBEAT_INTERVAL_MS; `stop` removes it (a clean shutdown). */
export function startHeartbeat(
  redis: RedisConnection,
  queues: readonly string[],
  clock: () => Date,
  onError: (error: unknown) => void,
): { stop(): Promise<void>; disconnect(): void } {
  const client = redis.client();
  const id = `${hostname()}:${process.pid}`;
  const startedAt = clock().toISOString();
  const beat = () =>
    client
      .hset(
        key(redis.prefix),
        id,
        JSON.stringify({ id, host: hostname(), pid: process.pid, queues, startedAt, lastSeenAt: clock().toISOString() }),
      )
      .catch(onError);
  void beat();
  const timer = setInterval(() => void beat(), HEARTBEAT_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await client.hdel(key(redis.prefix), id).catch(onError);
      await client.quit().catch(() => undefined);
    },
    /** Drops the connection at once (shutdown, when `stop` did not finish in time; the entry ages out). */
    disconnect() {
      clearInterval(timer);
      client.disconnect();
    },
  };
}

/** Every worker heartbeat recorded in the last day, most recently seen first. */
export async function readHeartbeats(client: ReturnType<RedisConnection['client']>, prefix: string, now: Date): Promise<WorkerHeartbeat[]> {
  const all = await client.hgetall(key(prefix));
  const beats: WorkerHeartbeat[] = [];
  const stale: string[] = [];
  for (const [id, raw] of Object.entries(all)) {
    try {
      const beat = JSON.parse(raw) as WorkerHeartbeat;
      if (now.getTime() - Date.parse(beat.lastSeenAt) > FORGET_AFTER_MS) stale.push(id);
      else beats.push(beat);
    } catch {
      stale.push(id);
    }
  }
  if (stale.length > 0) await client.hdel(key(prefix), ...stale);
  return beats.sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt));
}
