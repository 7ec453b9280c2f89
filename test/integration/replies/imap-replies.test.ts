import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startMailbox } from '../../../src/app/worker.js';
import type { MailboxSettings } from '../../../src/replies/mailbox-poller.js';
import { closeTestPipeline, startTestArrears, startTestPipeline, testEnvironment, type TestPipeline } from '../../support/arrears.js';
import { startDovecot, type TestDovecot } from '../../support/dovecot.js';
import { seedLedger } from '../../support/ledger.js';
import { replyEml, sentMessageId } from './reply-mail.js';

// The poller on the real reply path: Dovecot → imapflow → receiveEmail → Postgres.
const DAY_8 = '2026-03-09T09:00:00Z';
const DUE = [{ number: 'F-1', amountMinor: 50000, issuedOn: '2026-02-01', dueOn: '2026-03-01' }];
const CUSTOMERS = ['IMP-1', 'IMP-2'];

describe('replies from a real IMAP mailbox (Dovecot) onto the reply path', () => {
  let pipeline: TestPipeline;
  let dovecot: TestDovecot;
  const prisma = () => pipeline.arrears.runtime.prisma;
  const address = (externalId: string) => `${externalId.toLowerCase()}@example.ro`;
  const repliesOf = (externalId: string) => prisma().reply.count({ where: { customer: { externalId } } });
  let settings: MailboxSettings;

  beforeAll(async () => {
    [pipeline, dovecot] = await Promise.all([startTestPipeline(), startDovecot()]);
    await seedLedger(
      prisma(),
      CUSTOMERS.map((externalId) => ({ externalId, email: address(externalId), invoices: DUE })),
    );
    await pipeline.arrears.tick(DAY_8);
    await pipeline.sink.waitFor(CUSTOMERS.length);
    settings = {
      url: dovecot.url,
      user: dovecot.user,
      password: dovecot.password,
      mailbox: 'INBOX',
      processedMailbox: 'Processed',
      pollSeconds: 60,
    };
  }, 120_000);

  afterAll(async () => {
    await closeTestPipeline(pipeline ?? {});
    await dovecot?.stop();
  });

  it('stores a reply to a reminder once, threaded to it, even when it is delivered twice', async () => {
    const poller = await startMailbox(pipeline.arrears.runtime, settings);
    const reply = replyEml({
      from: address('IMP-1'),
      inReplyTo: sentMessageId(pipeline.sink, address('IMP-1')),
      messageId: '<imap-promise-1@mail.customer.example>',
      text: 'We will pay on 20 March 2026.',
    });
    await dovecot.append(reply);
    await vi.waitFor(async () => expect(await dovecot.count('Processed')).toBe(1), { timeout: 30_000, interval: 200 });
    const stored = await prisma().reply.findFirstOrThrow({ where: { customer: { externalId: 'IMP-1' } } });
    expect(stored.matchedBy).toBe('in_reply_to');
    expect(stored.classification).toBe('promise');
    expect(stored.source).toBe('imap');
    expect(stored.sourceRef).toMatch(/^INBOX:\d+:1$/);

    await dovecot.append(reply);
    await vi.waitFor(async () => expect(await dovecot.count('Processed')).toBe(2), { timeout: 30_000, interval: 200 });
    expect(await repliesOf('IMP-1')).toBe(1);
    expect(await dovecot.count('INBOX')).toBe(0);
    await poller?.stop();
  });

  it('two pollers on one mailbox store each reply once and leave the mailbox empty', async () => {
    const [first, second] = await Promise.all([
      startMailbox(pipeline.arrears.runtime, settings),
      startMailbox(pipeline.arrears.runtime, settings),
    ]);
    const before = await dovecot.count('Processed');
    for (let i = 0; i < 8; i += 1) await dovecot.append(replyEml({ from: address('IMP-2'), text: `Question ${i}: who do I call?` }));
    await vi.waitFor(async () => expect(await dovecot.count('Processed')).toBe(before + 8), { timeout: 30_000, interval: 200 });
    expect(await repliesOf('IMP-2')).toBe(8);
    expect(await prisma().contact.count({ where: { customer: { externalId: 'IMP-2' }, direction: 'inbound' } })).toBe(8);
    expect(await dovecot.count('INBOX')).toBe(0);
    await Promise.all([first?.stop(), second?.stop()]);
  });

  it('only the worker role that names mailbox polls, and only when IMAP_URL is set', async () => {
    const env = testEnvironment(pipeline.database.url, pipeline.sink, pipeline.twilio, { ...dovecot.env });
    const sending = await startTestArrears(env, { schedule: true, queues: ['deliver-email'] });
    const polling = await startTestArrears(env, { schedule: true, queues: [], mailbox: true });
    const noMailbox = await startTestArrears({ ...env, IMAP_URL: '' }, { schedule: true, queues: [], mailbox: true });
    try {
      expect([sending.poller, polling.poller === null, noMailbox.poller]).toEqual([null, false, null]);
      await dovecot.append(replyEml({ from: address('IMP-2'), text: 'One more question.' }));
      await vi.waitFor(async () => expect(await repliesOf('IMP-2')).toBe(9), { timeout: 30_000, interval: 200 });
    } finally {
      await Promise.all([sending.close(), polling.close(), noMailbox.close()]);
    }
  });
});
