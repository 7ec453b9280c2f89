import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emailMessageId } from '../../src/channels/email/email-transport.js';
import { requestReview } from '../../src/db/cases.repository.js';
import { autoCommit } from '../../src/db/transaction.js';
import type { TestDatabase } from '../support/databases.js';
import type { LocalTwilioServer } from '../support/fake-twilio.js';
import { seedLedger } from '../support/ledger.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { closeTestPipeline, startTestPipeline, type TestArrears } from '../support/arrears.js';

// 2026-03-09 is a Monday; 09:00Z is 11:00 in Bucharest, inside the default send window.
const DAY_8 = '2026-03-09T09:00:00Z';

describe('the queue pipeline against real Postgres, Redis, SMTP and a Twilio-API endpoint', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let twilio: LocalTwilioServer;
  let arrears: TestArrears;
  let ids: Map<string, string>;

  beforeAll(async () => {
    ({ database, sink, twilio, arrears } = await startTestPipeline());
    ids = await seedLedger(arrears.runtime.prisma, [
      {
        externalId: 'RO-1',
        name: 'Ana Popescu SRL',
        email: 'ana@example.ro',
        mobile: '+40721000111',
        smsConsent: true,
        invoices: [
          { number: 'F-001', amountMinor: 120000, issuedOn: '2026-01-30', dueOn: '2026-03-01' },
          { number: 'F-002', amountMinor: 45050, issuedOn: '2026-02-01', dueOn: '2026-03-01' },
        ],
      },
      {
        externalId: 'RO-2',
        email: 'plata@example.ro',
        invoices: [{ number: 'F-100', amountMinor: 99900, issuedOn: '2026-02-01', dueOn: '2026-03-01' }],
      },
    ]);
  });

  afterEach(() => {
    sink.faults.clear();
    twilio.faults.clear();
  });

  afterAll(async () => {
    await closeTestPipeline({ database, sink, twilio, arrears });
  });

  it('sends the step due today once per channel, and the contact log matches what arrived', async () => {
    await arrears.tick(DAY_8);

    expect(sink.messages).toHaveLength(2);
    expect(twilio.messages).toHaveLength(1);
    const contacts = await arrears.runtime.prisma.contact.findMany({ orderBy: { recipient: 'asc' } });
    expect(contacts.map((c) => [c.channel, c.recipient, c.status, c.stepId])).toEqual([
      ['sms', '+40721000111', 'sent', 'overdue-7'],
      ['email', 'ana@example.ro', 'sent', 'overdue-7'],
      ['email', 'plata@example.ro', 'sent', 'overdue-7'],
    ]);

    const ana = contacts.find((c) => c.recipient === 'ana@example.ro')!;
    const mail = sink.messages.find((m) => m.envelope.to.includes('ana@example.ro'))!;
    const parsed = await simpleParser(mail.raw);
    // The Message-ID's domain is the sender's (EMAIL_FROM is `… <ar@example.com>` here), its left
    // part the contact's idempotency key, which replies are threaded by.
    expect(parsed.messageId).toBe(emailMessageId(ana.idempotencyKey, 'ar@example.com'));
    expect(parsed.messageId).toMatch(/@example\.com>$/);
    expect(ana.providerMessageId).toContain(parsed.messageId);
    expect(parsed.subject).toBe(ana.subject);
    // One consolidated notice lists both invoices and their total, in Romanian formatting.
    expect(parsed.text).toContain('F-001');
    expect(parsed.text).toContain('F-002');
    expect(parsed.text).toContain('1.650,50');
    expect(parsed.html).toBeTruthy();
    expect(mail.raw.toString()).toMatch(/^List-Unsubscribe: <mailto:ar@example\.com\?subject=unsubscribe>/m);

    const sms = twilio.messages[0]!;
    expect(sms.to).toBe('+40721000111');
    expect(contacts.find((c) => c.channel === 'sms')!.providerMessageId).toBe(sms.sid);
    expect(sms.body).toBe(contacts.find((c) => c.channel === 'sms')!.bodyText);

    const events = await arrears.runtime.prisma.contactStatusEvent.findMany({ where: { contactId: ana.id }, orderBy: { at: 'asc' } });
    expect(events.map((e) => e.status)).toEqual(['queued', 'sending', 'sent']);
  });

  it('sends nothing more when the same instant is ticked again', async () => {
    await requestReview(autoCommit(arrears.runtime.prisma), [...ids.values()], new Date('2000-01-01T00:00:00Z'));
    await arrears.tick(DAY_8);
    expect(sink.messages).toHaveLength(2);
    expect(twilio.messages).toHaveLength(1);
  });

  it('stops reminding a customer once paid, and keeps reminding the others', async () => {
    const prisma = arrears.runtime.prisma;
    await prisma.invoice.updateMany({
      where: { customerId: ids.get('RO-2') },
      data: { openBalanceMinor: 0n, status: 'paid' },
    });
    await requestReview(autoCommit(prisma), [ids.get('RO-2')!], new Date('2026-03-10T00:00:00Z'));
    // Day 14 (Sunday 15th is outside the window): Monday 16 March.
    await arrears.tick('2026-03-16T09:00:00Z');
    const recipients = sink.messages
      .slice(2)
      .map((m) => m.envelope.to)
      .flat();
    expect(recipients).toEqual(['ana@example.ro']);
  });
});

describe('payment-plan reminders', () => {
  it('remind of the upcoming instalment with its amount and date, once', async () => {
    const pipeline = await startTestPipeline();
    const { sink, arrears } = pipeline;
    try {
      const prisma = arrears.runtime.prisma;
      const ids = await seedLedger(prisma, [
        {
          externalId: 'PLAN-1',
          locale: 'en',
          currency: 'EUR',
          timeZone: 'Europe/Berlin',
          invoices: [{ number: 'INV-9', amountMinor: 90000, issuedOn: '2026-01-01', dueOn: '2026-02-01' }],
        },
      ]);
      await prisma.paymentPlan.create({
        data: {
          customerId: ids.get('PLAN-1')!,
          currency: 'EUR',
          totalMinor: 90000n,
          createdBy: 'test',
          instalments: {
            create: [1, 2, 3].map((sequence) => ({
              sequence,
              dueOn: new Date(Date.UTC(2026, 2 + sequence, 12)),
              amountMinor: 30000n,
            })),
          },
        },
      });
      // Instalment 1 is due Sunday 12 April 2026; the reminder goes three days before, on the 9th.
      await arrears.tick('2026-04-09T08:00:00Z');
      await arrears.tick('2026-04-09T12:00:00Z');
      expect(sink.messages).toHaveLength(1);
      const text = sink.messages[0]!.parsed.text ?? '';
      expect(text).toContain('€300.00');
      expect(text).toContain('April 12, 2026');
      expect(text).toMatch(/1 of 3|1\/3/);
    } finally {
      await closeTestPipeline(pipeline);
    }
  });
});

describe('one-click unsubscribe headers', () => {
  it('carry the signed https link and RFC 8058 List-Unsubscribe-Post when PUBLIC_BASE_URL is https', async () => {
    const pipeline = await startTestPipeline({
      PUBLIC_BASE_URL: 'https://ar.example.com',
      UNSUBSCRIBE_SECRET: 'a-test-secret-that-is-long-enough-0123456789',
    });
    const { sink, arrears } = pipeline;
    try {
      await seedLedger(arrears.runtime.prisma, [
        { externalId: 'U-1', invoices: [{ number: 'F-1', amountMinor: 1000, issuedOn: '2026-02-01', dueOn: '2026-03-01' }] },
      ]);
      await arrears.tick(DAY_8);
      // Header lines unfolded (RFC 5322 folds long ones onto indented continuation lines).
      const raw = sink.messages[0]!.raw.toString().replace(/\r?\n[ \t]+/g, ' ');
      expect(raw).toMatch(/^List-Unsubscribe: +<https:\/\/ar\.example\.com\/unsubscribe\/[A-Za-z0-9_-]+>, +<mailto:/m);
      expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
      const parsed = sink.messages[0]!.parsed;
      expect(parsed.text).toContain('F-1');
      expect(parsed.html).toContain('F-1');
    } finally {
      await closeTestPipeline(pipeline);
    }
  });
});
