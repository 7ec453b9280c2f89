import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailMessageId } from '../../../src/channels/email/email-transport.js';
import { redisEnvironment, type ClusterNode } from '../../../src/config/config.js';
import { startEmbeddedRedisCluster, type EmbeddedRedis } from '../../../src/dev/embedded-redis.js';
import { evaluateCases } from '../../../src/dunning/evaluate-cases.js';
import { QueueInspector } from '../../../src/http/metrics.js';
import { createLogger } from '../../../src/logging/logger.js';
import { startTestArrears, testEnvironment, type TestArrears } from '../../support/arrears.js';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from '../../support/databases.js';
import { startFakeTwilio, type LocalTwilioServer } from '../../support/fake-twilio.js';
import { seedLedger, type CustomerSeed } from '../../support/ledger.js';
import { startCli } from '../../support/processes.js';
import { SmtpSink } from '../../support/smtp-sink.js';

// Arrears on a real 3-master Redis Cluster (three redis-server processes in cluster mode), told
// about ONE node that does not own its keys' slot: every client must follow the cluster's
// redirections. A tick and its deliveries run on it, then a FLUSHALL on every master mid-run.

const DAY_8 = '2026-03-09T09:00:00Z'; // overdue-7: email and SMS
const DAY_15 = '2026-03-16T09:00:00Z'; // overdue-14: email
const CUSTOMERS = 12;

const customers: CustomerSeed[] = Array.from({ length: CUSTOMERS }, (_, i) => ({
  externalId: `C-${String(i).padStart(4, '0')}`,
  mobile: `+4072100${String(i).padStart(4, '0')}`,
  smsConsent: true,
  invoices: [{ number: `F-${i}`, amountMinor: 10_000 + i, issuedOn: '2026-02-01', dueOn: '2026-03-01' }],
}));

describe('Arrears on a Redis Cluster', () => {
  let dir: string;
  let cluster: EmbeddedRedis & { target: { kind: 'cluster' } };
  let masters: Redis[] = [];
  let database: TestDatabase;
  let sink: SmtpSink;
  let twilio: LocalTwilioServer;
  let arrears: TestArrears;
  const prefix = testQueuePrefix();
  let slot: number;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'arrears-cluster-'));
    cluster = await startEmbeddedRedisCluster(dir, createLogger({ level: 'silent', format: 'json', production: true }));
    const { nodes, password } = cluster.target;
    masters = nodes.map((node) => new Redis({ ...node, password }));
    slot = Number(await masters[0]!.cluster('KEYSLOT', prefix));
    const owner = await ownerOf(masters[0]!, slot);
    const elsewhere = nodes.find((node) => node.port !== owner.port)!;
    database = await createTestDatabase();
    sink = await SmtpSink.start();
    twilio = await startFakeTwilio();
    const { REDIS_URL: _single, ...env } = testEnvironment(database.url, sink, twilio, { QUEUE_PREFIX: prefix });
    arrears = await startTestArrears({ ...env, ...redisEnvironment({ ...cluster.target, nodes: [elsewhere] }) });
    await seedLedger(arrears.runtime.prisma, customers);
  });

  afterAll(async () => {
    await arrears?.close();
    for (const master of masters) master.disconnect();
    await cluster?.stop();
    await sink?.close();
    await twilio?.close();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a tick and its deliveries, every key in the prefix slot', async () => {
    expect(arrears.runtime.redis.kind).toBe('cluster');

    await arrears.tick(DAY_8);

    expect(new Set(sink.messages.map((m) => m.envelope.to[0])).size).toBe(CUSTOMERS);
    expect(sink.messages).toHaveLength(CUSTOMERS);
    expect(new Set(twilio.messages.map((m) => m.to)).size).toBe(CUSTOMERS);
    expect(twilio.messages).toHaveLength(CUSTOMERS);
    expect(await arrears.runtime.prisma.contact.count({ where: { status: 'sent' } })).toBe(2 * CUSTOMERS);

    // All of Arrears' keys (queues, completed ticks, the rate limiters) sit in the one hash-tagged slot.
    let keys = 0;
    for (const master of masters) {
      const size = await master.dbsize();
      const inSlot = (await ownerOf(master, slot)).port === master.options.port ? Number(await master.cluster('COUNTKEYSINSLOT', slot)) : 0;
      expect(size).toBe(inSlot);
      keys += size;
    }
    expect(keys).toBeGreaterThan(0);

    // The console's queue inspection and /readyz read through the same cluster client.
    const inspector = new QueueInspector(arrears.runtime.redis);
    try {
      await inspector.ping();
      const snapshot = await inspector.snapshot(new Date());
      expect(snapshot.queues.find((q) => q.name === 'tick')?.counts.completed).toBe(1);
    } finally {
      await inspector.close();
    }
  });

  it('loses nothing and sends nothing twice when every master is flushed mid-run', async () => {
    const prisma = arrears.runtime.prisma;
    // Decisions recorded (contacts queued in Postgres), as if the worker died before enqueueing…
    const cases = await prisma.collectionCase.findMany({ select: { id: true } });
    const recorded = await evaluateCases(
      arrears.services.evaluation,
      cases.map((c) => c.id),
      DateTime.fromISO(DAY_15),
    );
    expect(recorded.queued).toHaveLength(CUSTOMERS);
    // …and the whole cluster lost its data.
    await Promise.all(masters.map((master) => master.flushall()));
    expect((await Promise.all(masters.map((master) => master.dbsize()))).reduce((a, b) => a + b)).toBe(0);

    await arrears.tick(DAY_15);

    const contacts = await prisma.contact.findMany({
      select: { channel: true, status: true, idempotencyKey: true, providerMessageId: true },
    });
    expect(contacts).toHaveLength(3 * CUSTOMERS);
    expect(contacts.filter((c) => c.status !== 'sent')).toEqual([]);
    // Each email contact arrived once, under its own Message-ID; each SMS once, under its provider id.
    const emailIds = sink.messages.map((m) => m.parsed.messageId);
    expect(emailIds).toHaveLength(2 * CUSTOMERS);
    expect(new Set(emailIds)).toEqual(
      new Set(contacts.filter((c) => c.channel === 'email').map((c) => emailMessageId(c.idempotencyKey, 'ar@example.com'))),
    );
    expect(twilio.messages.map((m) => m.sid).sort()).toEqual(
      contacts
        .filter((c) => c.channel === 'sms')
        .map((c) => c.providerMessageId)
        .sort(),
    );
  });

  it(
    'refuses to start a worker whose cluster password is wrong, naming the settings and not the password',
    { timeout: 120_000 },
    async () => {
      const { REDIS_URL: _single, ...env } = testEnvironment(database.url, sink, twilio, { QUEUE_PREFIX: testQueuePrefix() });
      const worker = startCli(['worker'], {
        ...env,
        ...redisEnvironment({ ...cluster.target, password: 'not-the-cluster-password' }),
      });
      const guard = setTimeout(() => worker.child.kill('SIGKILL'), 90_000);
      try {
        const { code } = await worker.exit;
        expect(code, worker.output()).toBe(2);
        expect(worker.output()).toMatch(/REDIS_USERNAME \/ REDIS_PASSWORD: Redis refused the credentials \(WRONGPASS\)/);
        expect(worker.output()).not.toMatch(/worker started/);
        expect(worker.output()).not.toContain('not-the-cluster-password');
      } finally {
        clearTimeout(guard);
        worker.child.kill('SIGKILL');
      }
    },
  );
});

/** The master that serves `slot`, as `node` sees the cluster. */
async function ownerOf(node: Redis, slot: number): Promise<ClusterNode> {
  const ranges = await node.cluster('SLOTS');
  const [, , served] = ranges.find(([from, to]) => from <= slot && slot <= to)!;
  return { host: served![0], port: served![1] };
}
