import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openRuntime, type Runtime } from '../../src/app/runtime.js';
import { loadConfig } from '../../src/config/config.js';
import { pgSql } from '../../src/db/sql.js';
import { conversationProblems, countProblems, type ConversationProblem } from '../../src/demo/conversation-checks.js';
import { readLedgerHistories, type LedgerHistory } from '../../src/db/conversations.repository.js';
import { readConversations, type ConversationMessage } from '../../src/demo/conversation.js';
import { runDemo, type DemoSummary } from '../../src/demo/run-demo.js';
import { createLogger } from '../../src/logging/logger.js';
import { loadPolicies, type PolicyCatalog } from '../../src/workflows/load-policies.js';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '../support/databases.js';

// The demo on a smaller sample (the same customers' habits, fewer of them, fewer days), ending
// now, then each customer's conversation read back from the contact log as the customer got it.
const CUSTOMERS = 60;
const DAYS = 70;

const describeProblem = (p: ConversationProblem, externalId: string) => {
  const at = (m: ConversationMessage) => `${m.at.toISOString()} ${m.channel} ${m.stepId}`;
  return `${externalId}: ${p.kind}: ${at(p.message)}${p.earlier ? ` after ${at(p.earlier)}` : ''}`;
};

describe('npm run demo', () => {
  let database: TestDatabase;
  let dataDir: string;
  let runtime: Runtime;
  let pool: pg.Pool;
  let policies: PolicyCatalog;
  let summary: DemoSummary;
  let conversations: Map<string, ConversationMessage[]>;
  let histories: Map<string, LedgerHistory>;
  let externalIds: Map<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(path.join(tmpdir(), 'arrears-demo-'));
    const config = loadConfig(
      {
        DATABASE_URL: database.url,
        REDIS_URL: inject('redisUrl'),
        QUEUE_PREFIX: testQueuePrefix(),
        LOG_LEVEL: 'silent',
        ARREARS_DATA_DIR: dataDir,
      },
      process.cwd(),
    );
    runtime = await openRuntime(config, createLogger({ level: 'silent', format: 'json', production: true }));
    summary = await runDemo(runtime, { end: DateTime.utc(), days: DAYS, customers: CUSTOMERS });
    policies = await loadPolicies(config.policiesDir);
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    conversations = await readConversations(pgSql(pool), policies);
    histories = await readLedgerHistories(pgSql(pool));
    externalIds = new Map(
      (await pool.query<{ id: string; external_id: string }>('select id, external_id from customers')).rows.map((r) => [
        r.id,
        r.external_id,
      ]),
    );
  }, 240_000);

  afterAll(async () => {
    await pool?.end();
    await runtime?.lifecycle.close();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('simulates the days that end today, with customers acting on what they received', () => {
    expect(summary.lastDay).toBe(DateTime.utc().toISODate());
    expect(summary.activity.payments).toBeGreaterThan(CUSTOMERS);
    expect(summary.activity.calls).toBeGreaterThan(0);
    expect(conversations.size).toBeGreaterThan(CUSTOMERS * 0.8);
  });

  it('never steps back, repeats a hold notice or writes after a legal hold', () => {
    const problems = [...conversations].flatMap(([customerId, messages]) => conversationProblems(messages, histories.get(customerId)!));
    const counts = countProblems(problems);
    // The counts are the finding when this fails: print them with the first few cases.
    console.info(`demo conversation checks (${conversations.size} customers):`, JSON.stringify(counts));
    for (const p of problems.slice(0, 10)) console.info(describeProblem(p, externalIds.get(p.customerId) ?? p.customerId));
    expect(counts['step-back'].count).toBe(0);
    expect(counts['repeated-hold-notice'].count).toBe(0);
    expect(counts['after-legal-hold'].count).toBe(0);
  });

  it('ends with a few customers answering their last reminder through the reply path, so the Replies page has content', async () => {
    expect(summary.replies.map((r) => [r.classification, r.customer === null])).toEqual([
      ['promise', false],
      ['auto_reply', false],
      ['opt_out', false],
      ['other', true],
    ]);
    const [promise, away, optOut, unmatched] = summary.replies;
    expect(promise!.what).toMatch(/\((ro|zh-CN)\)$/);
    expect(promise!.actions).toEqual(['reply_pause', 'suggestion.promise']);
    expect(away!.actions).toEqual(['next_reminder_after_return']);
    expect(optOut!.actions).toEqual(['reply_pause', 'email.opted_out']);
    expect(unmatched!.actions).toEqual(['unmatched']);
    // Threaded to the reminders they answer.
    const threaded = await pool.query<{ n: string }>(`select count(*) as n from replies where answers_contact_id is not null`);
    expect(Number(threaded.rows[0]!.n)).toBe(3);
    const open = await pool.query<{ n: string }>(`select count(*) as n from reply_suggestions where status = 'open'`);
    expect(Number(open.rows[0]!.n)).toBe(1);
  });

  it('leaves a ledger that is mostly current or lightly overdue, with few legal holds', () => {
    const byBucket = new Map(summary.figures.customersByOldestBucket.map((b) => [b.bucket, b.customers]));
    const owing = [...byBucket.values()].reduce((a, b) => a + b, 0);
    const light = (byBucket.get('current') ?? 0) + (byBucket.get('1-30') ?? 0);
    expect(owing).toBeGreaterThan(0);
    expect(light / owing).toBeGreaterThanOrEqual(0.7);
    expect(summary.figures.legalHoldsOpen).toBeLessThanOrEqual(Math.ceil(CUSTOMERS * 0.08));
  });
});
