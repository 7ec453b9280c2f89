import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '../support/databases.js';
import { startCli } from '../support/processes.js';

describe('arrears worker', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    // Two cases: one whose next-look time has passed, one far in the future.
    await client.query(`
      insert into customers (external_id, name, time_zone, locale, currency, updated_at)
      values ('C-1', 'Due Ltd', 'Europe/Bucharest', 'ro', 'RON', now()),
             ('C-2', 'Later Ltd', 'Asia/Shanghai', 'zh-CN', 'CNY', now());
      insert into collection_cases (customer_id, next_look_at, updated_at)
      select id, case external_id when 'C-1' then now() - interval '1 hour'
                                  else now() + interval '30 days' end, now()
      from customers;`);
    await client.end();
  });

  afterAll(() => database?.drop());

  it('ticks on its schedule, finds only the due cases, and stops cleanly on SIGTERM', async () => {
    const worker = startCli(['worker'], {
      DATABASE_URL: database.url,
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: testQueuePrefix(),
      TICK_CRON: '* * * * * *',
    });
    try {
      await worker.waitFor(/"msg":"tick"/, 30_000);
      const tick = worker
        .output()
        .split('\n')
        .map((line) => (line.startsWith('{') ? (JSON.parse(line) as { msg?: string; dueCases?: number }) : {}))
        .find((entry) => entry.msg === 'tick');
      expect(tick?.dueCases).toBe(1);

      worker.child.kill('SIGTERM');
      const { code } = await worker.exit;
      expect(code).toBe(0);
      expect(worker.output()).toContain('shutting down');
      expect(worker.output()).not.toContain(database.url);
    } finally {
      worker.child.kill('SIGKILL');
    }
  });

  it('refuses to start on a bad variable, naming it', async () => {
    const worker = startCli(['worker'], { TICK_TZ: 'Mars/Olympus', REDIS_URL: 'http://nope' });
    const { code } = await worker.exit;
    expect(code).toBe(2);
    expect(worker.output()).toMatch(/TICK_TZ: must be an IANA time zone/);
    expect(worker.output()).toMatch(/REDIS_URL: must be a URL starting with redis:\/\//);
  });
});

describe('arrears tick beside a running worker', () => {
  it('returns once its own work is done, though the worker keeps a scheduled tick waiting', async () => {
    const database = await createTestDatabase();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: testQueuePrefix(),
      TICK_CRON: '0 0 1 1 *',
    };
    const worker = startCli(['worker'], env);
    try {
      await worker.waitFor(/worker started/, 60_000);
      const tick = startCli(['tick', '--as-of', '2026-03-09T09:00:00Z'], env);
      const timer = setTimeout(() => tick.child.kill('SIGKILL'), 45_000);
      const { code } = await tick.exit;
      clearTimeout(timer);
      expect(code, tick.output()).toBe(0);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exit;
      await database.drop();
    }
  });
});
