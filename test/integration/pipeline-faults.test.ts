import { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import { afterAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { emailMessageId } from '../../src/channels/email/email-transport.js';
import { createPrisma, type PrismaClient } from '../../src/db/client.js';
import { createContactOutbox } from '../../src/db/contacts.repository.js';
import { evaluateCases } from '../../src/dunning/evaluate-cases.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { startFakeTwilio, type LocalTwilioServer } from '../support/fake-twilio.js';
import { seedLedger, type CustomerSeed } from '../support/ledger.js';
import { startCli } from '../support/processes.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { startTestArrears, testEnvironment, type TestArrears } from '../support/arrears.js';

const DAY_8 = '2026-03-09T09:00:00Z';

function customers(count: number, withSms = false): CustomerSeed[] {
  return Array.from({ length: count }, (_, i) => ({
    externalId: `C-${String(i).padStart(4, '0')}`,
    ...(withSms && { mobile: `+4072100${String(i).padStart(4, '0')}`, smsConsent: true }),
    invoices: [{ number: `F-${i}`, amountMinor: 10_000 + i, issuedOn: '2026-02-01', dueOn: '2026-03-01' }],
  }));
}

describe('pipeline under faults', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let twilio: LocalTwilioServer;
  let arrears: TestArrears | undefined;

  beforeEach(async () => {
    await arrears?.close();
    await sink?.close();
    await twilio?.close();
    await database?.drop();
    database = await createTestDatabase();
    sink = await SmtpSink.start();
    twilio = await startFakeTwilio();
  });

  afterAll(async () => {
    await arrears?.close();
    await sink?.close();
    await twilio?.close();
    await database?.drop();
  });

  it('retries after SMTP 451 and Twilio 500/429, and delivers each message exactly once', async () => {
    arrears = await startTestArrears(testEnvironment(database.url, sink, twilio));
    await seedLedger(arrears.runtime.prisma, customers(3, true));
    sink.faults.set({ code: 451 }, 2);
    twilio.faults.set({ status: 500 }, 1);
    twilio.faults.set({ status: 429, code: 20429, message: 'Too Many Requests' }, 1);

    await arrears.tick(DAY_8);

    expect(sink.messages.map((m) => m.envelope.to[0]).sort()).toEqual(['c-0000@example.com', 'c-0001@example.com', 'c-0002@example.com']);
    expect(twilio.messages.map((m) => m.to).sort()).toEqual(['+40721000000', '+40721000001', '+40721000002']);
    const contacts = await arrears.runtime.prisma.contact.findMany();
    expect(contacts.every((c) => c.status === 'sent')).toBe(true);
    expect(contacts.reduce((sum, c) => sum + c.attempts, 0)).toBeGreaterThan(contacts.length);
  });

  it('logs a permanent error on the contact and does not retry it', async () => {
    arrears = await startTestArrears(testEnvironment(database.url, sink, twilio));
    await seedLedger(arrears.runtime.prisma, customers(1, true));
    twilio.faults.set({ status: 400, code: 21211, message: "The 'To' number is not a valid phone number." }, 1);

    await arrears.tick(DAY_8);

    const sms = await arrears.runtime.prisma.contact.findFirstOrThrow({ where: { channel: 'sms' } });
    expect(sms.status).toBe('failed');
    expect(sms.failureKind).toBe('permanent');
    expect(sms.failureReason).toMatch(/not a valid phone number|invalid/i);
    expect(sms.attempts).toBe(1);
    expect(twilio.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    const phone = await arrears.runtime.prisma.contactPoint.findFirstOrThrow({ where: { kind: 'phone' } });
    expect(phone.invalidAt).not.toBeNull();
    expect(sink.messages).toHaveLength(1);
  });

  it('loses nothing when Redis is wiped after decisions were recorded', async () => {
    arrears = await startTestArrears(testEnvironment(database.url, sink, twilio));
    const prisma = arrears.runtime.prisma;
    await seedLedger(prisma, customers(20));
    // Decide and record without enqueueing deliveries, as if the worker died right after commit…
    const cases = await prisma.collectionCase.findMany({ select: { id: true } });
    const recorded = await evaluateCases(
      arrears.services.evaluation,
      cases.map((c) => c.id),
      DateTime.fromISO(DAY_8),
    );
    expect(recorded.queued).toHaveLength(20);
    // …and Redis lost everything.
    const redis = new Redis(inject('redisUrl'));
    await redis.flushall();
    redis.disconnect();

    await arrears.tick(DAY_8);

    expect(sink.messages).toHaveLength(20);
    expect(new Set(sink.messages.map((m) => m.envelope.to[0])).size).toBe(20);
    expect(await prisma.contact.count({ where: { status: 'sent' } })).toBe(20);
  });

  it('resolves a delivery that crashed after the provider accepted it without a blind resend', async () => {
    arrears = await startTestArrears(testEnvironment(database.url, sink, twilio, { DELIVERY_STALE_AFTER_SECONDS: '5' }));
    const prisma = arrears.runtime.prisma;
    await seedLedger(prisma, customers(1, true));
    const cases = await prisma.collectionCase.findMany({ select: { id: true } });
    await evaluateCases(
      arrears.services.evaluation,
      cases.map((c) => c.id),
      DateTime.fromISO(DAY_8),
    );
    // A worker claimed both rows and the providers accepted both messages; then it died before
    // recording `sent`.
    const sms = await prisma.contact.findFirstOrThrow({ where: { channel: 'sms' } });
    const email = await prisma.contact.findFirstOrThrow({ where: { channel: 'email' } });
    const accepted = await arrears.services.delivery.sms.send({ to: sms.recipient!, body: sms.bodyText! });
    await arrears.services.delivery.email.send({
      from: 'ar@example.com',
      to: email.recipient!,
      subject: email.subject!,
      text: email.bodyText!,
      html: email.bodyHtml!,
      messageId: emailMessageId(email.idempotencyKey, 'ar@example.com'),
    });
    await prisma.contact.updateMany({ data: { status: 'sending', updatedAt: new Date(Date.now() - 3_600_000) } });

    await arrears.tick(DAY_8);

    expect(twilio.messages).toHaveLength(1);
    const recovered = await prisma.contact.findUniqueOrThrow({ where: { id: sms.id } });
    expect(recovered.status).toBe('sent');
    expect(recovered.providerMessageId).toBe(accepted.providerMessageId);
    // SMTP has no lookup: the email goes again under the same Message-ID, recognisable as a copy.
    expect(sink.messages).toHaveLength(2);
    expect(new Set(sink.messages.map((m) => m.parsed.messageId))).toEqual(
      new Set([emailMessageId(email.idempotencyKey, 'ar@example.com')]),
    );
    expect((await prisma.contact.findUniqueOrThrow({ where: { id: email.id } })).status).toBe('sent');
  });

  it('keeps trying to record a send the provider accepted rather than sending it again', async () => {
    arrears = await startTestArrears(testEnvironment(database.url, sink, twilio));
    await seedLedger(arrears.runtime.prisma, customers(1));
    // The database refuses the first two attempts to record `sent` (as during a restart).
    const outbox = arrears.services.delivery.outbox;
    let refusals = 2;
    arrears.services.delivery.outbox = {
      ...outbox,
      recordOutcome: async (id, outcome) => {
        if (outcome.status === 'sent' && refusals > 0) {
          refusals -= 1;
          throw new Error('Connection terminated unexpectedly');
        }
        return outbox.recordOutcome(id, outcome);
      },
    };

    await arrears.tick(DAY_8);

    expect(refusals).toBe(0);
    expect(sink.messages).toHaveLength(1);
    const contact = await arrears.runtime.prisma.contact.findFirstOrThrow();
    expect(contact).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('records a batch of decisions except the case that changed while it was decided, which stays due', async () => {
    arrears = await startTestArrears(testEnvironment(database.url, sink, twilio));
    const prisma = arrears.runtime.prisma;
    await seedLedger(prisma, customers(3));
    const cases = await prisma.collectionCase.findMany({ select: { id: true, customerId: true }, orderBy: { id: 'asc' } });
    const changed = cases[1]!;
    // A payment lands between the step's read and its write.
    const db = arrears.runtime.db;
    const deps = {
      ...arrears.services.evaluation,
      db: {
        query: db.query,
        transaction: async <T>(work: Parameters<typeof db.transaction<T>>[0]) => {
          await prisma.collectionCase.update({ where: { id: changed.id }, data: { version: { increment: 1 } } });
          return db.transaction(work);
        },
      },
    };

    const result = await evaluateCases(
      deps,
      cases.map((c) => c.id),
      DateTime.fromISO(DAY_8),
    );

    expect(result).toMatchObject({ decided: 2, stale: 1 });
    const contacts = await prisma.contact.findMany({ select: { customerId: true } });
    expect(contacts.map((c) => c.customerId).sort()).toEqual([cases[0]!.customerId, cases[2]!.customerId].sort());
    expect(await prisma.dunningAction.count({ where: { customerId: changed.customerId } })).toBe(0);
    const again = await evaluateCases(arrears.services.evaluation, [changed.id], DateTime.fromISO(DAY_8));
    expect(again).toMatchObject({ decided: 1, stale: 0 });
    expect(await prisma.contact.count()).toBe(3);
  });

  it('records a provider refusal whose text holds a NUL byte, without failing the messages beside it', async () => {
    arrears = await startTestArrears(testEnvironment(database.url, sink, twilio));
    await seedLedger(arrears.runtime.prisma, customers(2, true));
    twilio.faults.set({ status: 400, code: 21999, message: "The 'To' number is not valid\u0000" }, 1);

    await arrears.tick(DAY_8);

    const contacts = await arrears.runtime.prisma.contact.findMany({ orderBy: { channel: 'asc' } });
    const failed = contacts.filter((c) => c.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ channel: 'sms', failureKind: 'permanent' });
    expect(failed[0]!.failureReason).toContain('is not valid');
    expect(failed[0]!.failureReason).not.toContain('\u0000');
    expect(contacts.filter((c) => c.status === 'sent')).toHaveLength(3);
  });

  it('claims a contact for one of two workers taking it at once, never a blocked one, and takes over `sending` only on a retry', async () => {
    arrears = await startTestArrears(testEnvironment(database.url, sink, twilio));
    const prisma = arrears.runtime.prisma;
    await seedLedger(prisma, customers(2));
    const cases = await prisma.collectionCase.findMany({ select: { id: true } });
    await evaluateCases(
      arrears.services.evaluation,
      cases.map((c) => c.id),
      DateTime.fromISO(DAY_8),
    );
    const [free, blocked] = await prisma.contact.findMany({ orderBy: { id: 'asc' } });
    await prisma.customer.update({ where: { id: blocked!.customerId }, data: { doNotContact: true } });
    // Two worker processes: two outboxes, each coalescing its own calls into its own statement.
    const one = createContactOutbox(arrears.runtime.db);
    const other = createContactOutbox(arrears.runtime.db);
    const request = { isRetry: false, at: new Date(), staleBefore: new Date(Date.now() - 600_000) };

    const [first, second, third] = await Promise.all([
      one.take(free!.id, request),
      other.take(free!.id, request),
      one.take(blocked!.id, request),
    ]);

    expect([first!.claimed, second!.claimed].sort()).toEqual([false, true]);
    expect(third).toMatchObject({ claimed: false, contact: { status: 'queued', blockedBy: 'do not contact' } });
    expect(await prisma.contact.findUniqueOrThrow({ where: { id: free!.id } })).toMatchObject({ status: 'sending', attempts: 1 });
    expect(await prisma.contact.findUniqueOrThrow({ where: { id: blocked!.id } })).toMatchObject({ status: 'queued', attempts: 0 });
    expect(await prisma.contactStatusEvent.count({ where: { contactId: free!.id, status: 'sending' } })).toBe(1);
    expect(await one.take('00000000-0000-4000-8000-000000000000', request)).toBeNull();
    // A recent `sending` row is another worker's, unless this is the retry of the job that claimed it.
    expect(await one.take(free!.id, request)).toMatchObject({ claimed: false, takeOver: false });
    expect(await one.take(free!.id, { ...request, isRetry: true })).toMatchObject({ claimed: true, takeOver: true });
    expect(await prisma.contact.findUniqueOrThrow({ where: { id: free!.id } })).toMatchObject({ status: 'sending', attempts: 2 });
  });

  it('leaves a recent `sending` row to the worker that claimed it', async () => {
    arrears = await startTestArrears(testEnvironment(database.url, sink, twilio, { DELIVERY_STALE_AFTER_SECONDS: '600' }));
    const prisma = arrears.runtime.prisma;
    await seedLedger(prisma, customers(1));
    const cases = await prisma.collectionCase.findMany({ select: { id: true } });
    await evaluateCases(
      arrears.services.evaluation,
      cases.map((c) => c.id),
      DateTime.fromISO(DAY_8),
    );
    await prisma.contact.updateMany({ data: { status: 'sending', updatedAt: new Date() } });

    await arrears.tick(DAY_8);

    expect(sink.messages).toHaveLength(0);
    expect((await prisma.contact.findFirstOrThrow()).status).toBe('sending');
  });

  it('two worker processes sharing one Redis deliver every reminder exactly once', async () => {
    const env = testEnvironment(database.url, sink, twilio, { LOG_LEVEL: 'warn' });
    const prisma: PrismaClient = createPrisma(database.url);
    try {
      await seedLedger(prisma, customers(150, true));
      const first = startCli(['tick', '--as-of', DAY_8], env);
      const second = startCli(['tick', '--as-of', DAY_8], env);
      const [a, b] = await Promise.all([first.exit, second.exit]);
      expect([a.code, b.code], first.output() + second.output()).toEqual([0, 0]);

      expect(sink.messages).toHaveLength(150);
      expect(new Set(sink.messages.map((m) => m.envelope.to[0])).size).toBe(150);
      expect(twilio.messages).toHaveLength(150);
      expect(new Set(twilio.messages.map((m) => m.to)).size).toBe(150);
      expect(await prisma.contact.count({ where: { status: 'sent' } })).toBe(300);
    } finally {
      await prisma.$disconnect();
    }
  }, 120_000);
});
