import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { provideStack } from '../../src/dev/embedded-stack.js';
import { createLogger } from '../../src/logging/logger.js';

const logger = createLogger({ level: 'silent', format: 'json', production: true });

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('the embedded stack', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('starts Postgres and Redis when no URLs are set, and keeps Postgres data across restarts', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'arrears-stack-'));
    dirs.push(dataDir);
    const config = loadConfig({ ARREARS_DATA_DIR: dataDir }, '/');

    const first = await provideStack(config, logger);
    expect(first.embedded).toEqual({ postgres: true, redis: true });
    await query(first.databaseUrl, 'create table kept (v int); insert into kept values (42)');
    expect(first.redis?.kind).toBe('server');
    const redis = new Redis(first.redis?.kind === 'server' ? first.redis.url : '');
    expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    redis.disconnect();
    await first.stop();

    const second = await provideStack(config, logger);
    try {
      expect(await query(second.databaseUrl, 'select v from kept')).toEqual([{ v: 42 }]);
    } finally {
      await second.stop();
    }
  });

  it('starts nothing when both URLs are given', async () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://u:p@127.0.0.1:1/x', REDIS_URL: 'redis://127.0.0.1:1' }, '/');
    const stack = await provideStack(config, logger);
    expect(stack.embedded).toEqual({ postgres: false, redis: false });
    expect(stack.databaseUrl).toBe('postgresql://u:p@127.0.0.1:1/x');
    await stack.stop();
  });
});
