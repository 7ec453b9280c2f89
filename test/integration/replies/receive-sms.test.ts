import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replyDependencies } from '../../../src/app/services.js';
import type { ReplyDependencies } from '../../../src/replies/receive.js';
import { receiveSms } from '../../../src/replies/receive-sms.js';
import { closeTestPipeline, startTestPipeline, type TestPipeline } from '../../support/arrears.js';
import { seedLedger } from '../../support/ledger.js';

// Monday 9 March 2026, day 8 after the due date: the overdue-7 step sends an email and an SMS.
const DAY_8 = '2026-03-09T09:00:00Z';
const DUE = [{ number: 'F-1', amountMinor: 50000, issuedOn: '2026-02-01', dueOn: '2026-03-01' }];
const COMPANY = { name: 'Acme Trading SRL', supportEmail: 'incasari@acme.example', supportPhone: '+40 21 000 0000' };
const PHONES: Record<string, string> = {
  'PRM-1': '+40721000301',
  'OPT-1': '+40721000302',
  'DSP-1': '+40721000303',
  'KEY-1': '+40721000304',
  'SHR-1': '+40721000399',
  'SHR-2': '+40721000399',
};

describe('SMS free text is a reply: the one reply path, by the sender number (real Postgres)', () => {
  let pipeline: TestPipeline;
  let deps: ReplyDependencies;
  let sid = 0;
  const prisma = () => pipeline.arrears.runtime.prisma;
  const sms = (from: string, body: string, messageSid = `SMreply${String(++sid).padStart(27, '0')}`) =>
    receiveSms(deps, COMPANY, { provider: 'twilio', from, body, messageSid });
  const customer = (externalId: string) => prisma().customer.findUniqueOrThrow({ where: { externalId } });

  beforeAll(async () => {
    pipeline = await startTestPipeline();
    await seedLedger(
      prisma(),
      Object.entries(PHONES).map(([externalId, mobile]) => ({
        externalId,
        email: `${externalId.toLowerCase()}@example.ro`,
        mobile,
        smsConsent: true,
        invoices: DUE,
      })),
    );
    await pipeline.arrears.tick(DAY_8);
    deps = { ...(await replyDependencies(pipeline.arrears.runtime)), clock: () => new Date('2026-03-09T12:00:00Z') };
  });

  afterAll(async () => {
    await closeTestPipeline(pipeline ?? {});
  });

  it('stores a promise by SMS as a reply of its customer, threaded to the last SMS sent, paused and suggested', async () => {
    const sent = await prisma().contact.findFirstOrThrow({
      where: { customer: { externalId: 'PRM-1' }, channel: 'sms', direction: 'outbound' },
    });
    const result = await sms(PHONES['PRM-1']!, 'Vom plăti pe 20 martie 300 lei');
    expect(result.keyword).toBeNull();
    expect(result.reply).toBeNull();
    expect(result.received).toMatchObject({
      customer: 'PRM-1',
      contact: sent.id,
      classification: 'promise',
      promisedOn: '2026-03-20',
      actions: ['reply_pause', 'suggestion.promise'],
      duplicate: false,
    });
    const reply = await prisma().reply.findUniqueOrThrow({ where: { id: result.received!.reply }, include: { suggestions: true } });
    expect([reply.channel, reply.source, reply.sender, reply.matchedBy, reply.rule]).toEqual([
      'sms',
      'twilio',
      PHONES['PRM-1'],
      'sender',
      'promise.ro',
    ]);
    expect(reply.pausedThrough).not.toBeNull();
    expect(reply.suggestions.map((s) => [s.kind, s.amountMinor, s.currency])).toEqual([['promise', 30000n, 'RON']]);
    const inbound = await prisma().contact.findUniqueOrThrow({ where: { id: reply.contactId! } });
    expect([inbound.channel, inbound.direction, inbound.status, inbound.actor, inbound.bodyText]).toEqual([
      'sms',
      'inbound',
      'logged',
      'inbound:sms',
      'Vom plăti pe 20 martie 300 lei',
    ]);
  });

  it('an opt-out written in an SMS withdraws SMS consent (not email) with an audit event', async () => {
    const result = await sms(PHONES['OPT-1']!, 'Please stop texting me, use email.');
    expect(result.received).toMatchObject({ customer: 'OPT-1', classification: 'opt_out', actions: ['reply_pause', 'sms.opted_out'] });
    const stopped = await customer('OPT-1');
    expect(stopped.smsOptedOutAt).not.toBeNull();
    expect(stopped.emailOptedOutAt).toBeNull();
    const audit = await prisma().auditEvent.findMany({ where: { entityId: stopped.id, action: 'sms_consent.revoked' } });
    expect(audit.map((a) => [a.actor, a.reason?.startsWith(`reply ${result.received!.reply}`)])).toEqual([['inbound:sms', true]]);
  });

  it('a replayed MessageSid is stored once and acted on once', async () => {
    const first = await sms(PHONES['DSP-1']!, 'Wrong amount on F-1, we never received the goods', 'SMreplay0000000000000000000000000');
    const second = await sms(PHONES['DSP-1']!, 'Wrong amount on F-1, we never received the goods', 'SMreplay0000000000000000000000000');
    expect(first.received).toMatchObject({ classification: 'dispute', duplicate: false });
    expect(second.received).toEqual({ ...first.received, duplicate: true });
    const id = (await customer('DSP-1')).id;
    expect(await prisma().reply.count({ where: { customerId: id } })).toBe(1);
    expect(await prisma().replySuggestion.count({ where: { customerId: id } })).toBe(1);
    expect(await prisma().contact.count({ where: { customerId: id, direction: 'inbound' } })).toBe(1);
  });

  it('a keyword stays a consent change, not a reply', async () => {
    const result = await sms(PHONES['KEY-1']!, 'STOP');
    expect([result.keyword, result.changed, result.received]).toEqual(['stop', 1, null]);
    expect(await prisma().reply.count({ where: { sender: PHONES['KEY-1'] } })).toBe(0);
  });

  it('a number no single customer has waits unmatched for a person', async () => {
    for (const from of [PHONES['SHR-1']!, '+40799000000']) {
      const result = await sms(from, 'Who is this?');
      expect(result.received).toMatchObject({ customer: null, contact: null, classification: 'other', actions: ['unmatched'] });
    }
  });
});
