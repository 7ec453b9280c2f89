import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobCatalog, jobId, type JobName } from '../../../src/jobs/catalog.js';
import { waitUntilIdle } from '../../../src/jobs/drain.js';
import type { Queues } from '../../../src/jobs/queues.js';
import { startTestArrears, testEnvironment, type TestArrears } from '../../support/arrears.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import { startFakeTwilio, type LocalTwilioServer } from '../../support/fake-twilio.js';
import { seedLedger, type CustomerSeed } from '../../support/ledger.js';
import { SmtpSink } from '../../support/smtp-sink.js';

// `arrears worker --queues …`: decisions on one process, deliveries on another (as on two
// machines sharing Postgres and Redis), each registering only its own queues' job schedulers.

const DAY_8 = '2026-03-09T09:00:00Z'; // overdue-7: email and SMS
const CUSTOMERS = 10;

const customers: CustomerSeed[] = Array.from({ length: CUSTOMERS }, (_, i) => ({
  externalId: `C-${String(i).padStart(4, '0')}`,
  mobile: `+4072100${String(i).padStart(4, '0')}`,
  smsConsent: true,
  invoices: [{ number: `F-${i}`, amountMinor: 10_000 + i, issuedOn: '2026-02-01', dueOn: '2026-03-01' }],
}));

const SCHEDULED: JobName[] = ['tick', 'statements', 'case-sweep', 'alert-digest', 'housekeeping'];

async function schedulers(queues: Queues): Promise<string[]> {
  const all = await Promise.all(SCHEDULED.map((name) => queues.queue(name).getJobSchedulers()));
  return all.flat().map((scheduler) => scheduler.key);
}

describe('worker roles', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let twilio: LocalTwilioServer;
  const running: TestArrears[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    sink = await SmtpSink.start();
    twilio = await startFakeTwilio();
  });

  afterAll(async () => {
    for (const arrears of running) await arrears.close();
    await sink?.close();
    await twilio?.close();
    await database?.drop();
  });

  it('decides on the tick,step process and delivers only once the deliver-email,deliver-sms process runs', async () => {
    // The long-lived scheduled tick stays out of the way; the test ticks at a simulated instant.
    const env = testEnvironment(database.url, sink, twilio, { TICK_CRON: '0 0 1 1 *' });
    // A delivery role alone registers no job scheduler.
    const alone = await startTestArrears(env, { schedule: true, queues: ['deliver-email', 'deliver-sms'] });
    expect(await schedulers(alone.queues)).toEqual([]);
    await alone.close();

    const decisions = await startTestArrears(env, { schedule: true, queues: ['tick', 'step'] });
    running.push(decisions);
    const { prisma } = decisions.runtime;
    await seedLedger(prisma, customers);
    // Only the role that owns `tick` registers the tick's scheduler (and no other).
    expect(await schedulers(decisions.queues)).toEqual(['tick-scheduler']);

    await decisions.queues.queue('tick').add('tick', { asOf: DAY_8 }, { ...jobCatalog.tick.options, jobId: jobId('tick', DAY_8) });
    const step = decisions.queues.queue('step');
    await waitUntilIdle([decisions.queues.queue('tick'), step], [step]);
    expect(await prisma.contact.count({ where: { status: 'queued' } })).toBe(2 * CUSTOMERS);
    expect(await decisions.queues.queue('deliver-email').getWaitingCount()).toBe(CUSTOMERS);
    expect(sink.messages).toHaveLength(0);
    expect(twilio.messages).toHaveLength(0);

    const deliveries = await startTestArrears(env, { schedule: true, queues: ['deliver-email', 'deliver-sms'] });
    running.push(deliveries);
    const deliver = (['deliver-email', 'deliver-sms'] as const).map((name) => deliveries.queues.queue(name));
    await waitUntilIdle(deliver, deliver);

    expect(await prisma.contact.count({ where: { status: 'sent' } })).toBe(2 * CUSTOMERS);
    expect(new Set(sink.messages.map((m) => m.envelope.to[0])).size).toBe(CUSTOMERS);
    expect(sink.messages).toHaveLength(CUSTOMERS);
    expect(new Set(twilio.messages.map((m) => m.to)).size).toBe(CUSTOMERS);
    expect(twilio.messages).toHaveLength(CUSTOMERS);
  }, 180_000);
});
