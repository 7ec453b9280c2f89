import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedRedis, type EmbeddedServer } from '../../src/dev/embedded-redis.js';
import { createLogger } from '../../src/logging/logger.js';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '../support/databases.js';
import { startCli, type CliProcess } from '../support/processes.js';

// A worker whose Redis refuses its password does not start (it would retry forever); one whose
// Redis stops answering must still stop on SIGTERM: it closes what it can within
// SHUTDOWN_GRACE_SECONDS, drops the rest, says what, and exits 1. The guard below only keeps a
// hung process from outliving the test; it is far above the grace, so a loaded machine passes.
const GRACE_SECONDS = 2;
const GUARD_MS = (GRACE_SECONDS + 30) * 1_000;

/** SIGTERM, then the exit; `hung` when the guard had to SIGKILL it. */
async function terminate(worker: CliProcess): Promise<{ code: number | null; hung: boolean }> {
  let hung = false;
  const guard = setTimeout(() => {
    hung = true;
    worker.child.kill('SIGKILL');
  }, GUARD_MS);
  worker.child.kill('SIGTERM');
  const { code } = await worker.exit;
  clearTimeout(guard);
  return { code, hung };
}

describe('arrears worker stopping without its Redis', () => {
  let database: TestDatabase;
  let redis: EmbeddedServer;
  let dir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dir = await mkdtemp(path.join(os.tmpdir(), 'arrears-shutdown-'));
    // redis-server with requirepass (the embedded one always has a password).
    redis = await startEmbeddedRedis(path.join(dir, 'redis'), createLogger({ level: 'silent', format: 'json', production: true }));
  });

  afterAll(async () => {
    await redis?.stop();
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses to start when Redis refuses its password, naming the setting and not the password', { timeout: 120_000 }, async () => {
    const wrongPassword = redis.url.replace(/^redis:\/\/:[^@]+@/, 'redis://:not-the-password@');
    const worker = startCli(['worker'], {
      DATABASE_URL: database.url,
      REDIS_URL: wrongPassword,
      QUEUE_PREFIX: testQueuePrefix(),
      SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS),
    });
    let hung = false;
    const guard = setTimeout(() => {
      hung = true;
      worker.child.kill('SIGKILL');
    }, GUARD_MS + 60_000);
    try {
      const { code } = await worker.exit;
      expect(hung, worker.output()).toBe(false);
      expect(code).toBe(2);
      expect(worker.output()).toMatch(/REDIS_URL: Redis refused the credentials \(WRONGPASS\)/);
      expect(worker.output()).not.toMatch(/worker started/);
      expect(worker.output()).not.toContain('not-the-password');
    } finally {
      clearTimeout(guard);
      worker.child.kill('SIGKILL');
    }
  });

  it('exits on SIGTERM within the grace when its embedded redis-server died first', { timeout: 120_000 }, async () => {
    const worker = startCli(['worker'], {
      DATABASE_URL: database.url,
      ARREARS_DATA_DIR: path.join(dir, 'worker-data'),
      QUEUE_PREFIX: testQueuePrefix(),
      SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS),
    });
    try {
      await worker.waitFor(/worker started/, 60_000);
      const embedded = execFileSync('pgrep', ['-P', String(worker.child.pid), 'redis-server'])
        .toString()
        .trim();
      expect(embedded).toMatch(/^\d+$/);
      process.kill(Number(embedded), 'SIGKILL');
      await worker.waitFor(/ECONNREFUSED|Connection is closed|connect/, 30_000);

      const { code, hung } = await terminate(worker);
      expect(hung, worker.output()).toBe(false);
      expect(code).toBe(1);
      expect(worker.output()).toMatch(/shutdown: not closed within SHUTDOWN_GRACE_SECONDS \(2 s\)/);
    } finally {
      worker.child.kill('SIGKILL');
    }
  });
});
