import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twilioSignature } from '../../../src/channels/sms/local-twilio-server.js';
import { signBounceReport } from '../../../src/http/webhooks/email-bounce.routes.js';
import { startTestHttpApp, type TestHttpApp } from '../../support/http-app.js';
import { seedLedger } from '../../support/ledger.js';
import { databaseFingerprint } from './db-snapshot.js';

// Finding 3 (bounce and delivery-status side): a captured, signed webhook request could be sent
// again and acted on again — every replayed status callback or soft bounce appended another event
// to the contact's history, and a bounce report carried no timestamp or nonce at all. Each
// request here is captured once (headers and body exactly as signed), sent, then replayed:
// the replay must change nothing in the whole database.
const BASE = 'https://arrears.example.test';
const TWILIO_TOKEN = 'twilio-auth-token-for-replay-tests-0123';
const BOUNCE_SECRET = 'bounce-secret-for-replay-tests-0123456789';
const EMAIL_MESSAGE_ID = '<c0ffee01.replay@ar.example.com>';

interface Captured {
  url: string;
  headers: Record<string, string>;
  payload: string;
}

describe('replayed webhook requests change nothing', () => {
  let t: TestHttpApp;
  let pool: pg.Pool;
  let customerId: string;

  const send = (request: Captured) =>
    t.app.inject({ method: 'POST', url: request.url, headers: request.headers, payload: request.payload });

  const bounce = (body: object, options: { nonce?: string } = {}): Captured => {
    const payload = JSON.stringify(body);
    return {
      url: '/webhooks/email/bounce',
      headers: { 'content-type': 'application/json', ...signBounceReport(BOUNCE_SECRET, payload, options) },
      payload,
    };
  };

  const statusCallback = (params: Record<string, string>): Captured => ({
    url: '/webhooks/twilio/status',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(TWILIO_TOKEN, `${BASE}/webhooks/twilio/status`, params),
    },
    payload: new URLSearchParams(params).toString(),
  });

  const inboundSms = (params: Record<string, string>): Captured => ({
    url: '/webhooks/twilio/inbound',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(TWILIO_TOKEN, `${BASE}/webhooks/twilio/inbound`, params),
    },
    payload: new URLSearchParams(params).toString(),
  });
  /** Whether the number may be texted: consent given and no opt-out since. */
  const smsConsent = async () => {
    const customer = await t.runtime.prisma.customer.findUniqueOrThrow({
      where: { id: customerId },
      select: { smsConsent: true, smsOptedOutAt: true },
    });
    return customer.smsConsent && customer.smsOptedOutAt === null;
  };

  const events = (providerMessageId: string) => t.runtime.prisma.contactStatusEvent.count({ where: { contact: { providerMessageId } } });

  beforeAll(async () => {
    t = await startTestHttpApp({
      PUBLIC_BASE_URL: BASE,
      TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      EMAIL_WEBHOOK_SECRET: BOUNCE_SECRET,
      UNSUBSCRIBE_SECRET: 'unsubscribe-secret-'.padEnd(40, 'x'),
    });
    pool = new pg.Pool({ connectionString: t.database.url, max: 2 });
    const ids = await seedLedger(t.runtime.prisma, [
      {
        externalId: 'REPLAY-1',
        email: 'replay@example.ro',
        mobile: '+40721000777',
        smsConsent: true,
        invoices: [{ number: 'R-1', amountMinor: 100_00, issuedOn: '2026-01-01', dueOn: '2026-01-31' }],
      },
    ]);
    customerId = ids.get('REPLAY-1')!;
    const sent = { customerId, status: 'sent' as const, sentAt: new Date() };
    await t.runtime.prisma.contact.createMany({
      data: [
        {
          ...sent,
          channel: 'email',
          recipient: 'replay@example.ro',
          providerName: 'smtp',
          providerMessageId: EMAIL_MESSAGE_ID,
          idempotencyKey: 'replay:email',
        },
        {
          ...sent,
          channel: 'sms',
          recipient: '+40721000777',
          providerName: 'twilio',
          providerMessageId: 'SMreplay0001',
          idempotencyKey: 'replay:sms-1',
        },
        {
          ...sent,
          channel: 'sms',
          recipient: '+40721000777',
          providerName: 'twilio',
          providerMessageId: 'SMreplay0002',
          idempotencyKey: 'replay:sms-2',
        },
      ],
    });
  });
  afterAll(async () => {
    await pool?.end();
    await t?.close();
  });

  it('a soft bounce report, replayed as captured, is acknowledged and changes nothing', async () => {
    const captured = bounce({ messageId: EMAIL_MESSAGE_ID, recipient: 'replay@example.ro', kind: 'soft', reason: 'mailbox full' });
    const first = await send(captured);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ matched: true, addressesMarked: 0 });
    expect(await events(EMAIL_MESSAGE_ID)).toBe(1);

    const before = await databaseFingerprint(pool);
    const replay = await send(captured);
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual({ replay: true });
    expect(await databaseFingerprint(pool)).toEqual(before);
  });

  it('a hard bounce acts once: the same report again, even signed afresh, changes nothing', async () => {
    const report = { messageId: EMAIL_MESSAGE_ID.slice(1, -1), recipient: 'Replay@example.ro', kind: 'hard', reason: '550 no such user' };
    expect((await send(bounce(report))).json()).toEqual({ matched: true, addressesMarked: 1 });
    const contact = await t.runtime.prisma.contact.findFirstOrThrow({ where: { providerMessageId: EMAIL_MESSAGE_ID } });
    expect(contact.status).toBe('bounced');

    const before = await databaseFingerprint(pool);
    // The provider sending it again (new nonce, new timestamp) is the same event.
    expect((await send(bounce(report))).json()).toEqual({ replay: true });
    expect(await databaseFingerprint(pool)).toEqual(before);
  });

  it('copies of one signed request racing each other act once', async () => {
    const captured = bounce({ messageId: EMAIL_MESSAGE_ID, recipient: 'replay@example.ro', kind: 'soft', reason: 'greylisted' });
    const before = await events(EMAIL_MESSAGE_ID);
    const responses = await Promise.all(Array.from({ length: 6 }, () => send(captured)));
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(responses.filter((r) => r.json().replay === true)).toHaveLength(5);
    expect(await events(EMAIL_MESSAGE_ID)).toBe(before + 1);
  });

  it('a bounce report signed outside the freshness window is refused and changes nothing', async () => {
    const before = await databaseFingerprint(pool);
    const body = JSON.stringify({
      messageId: EMAIL_MESSAGE_ID,
      recipient: 'replay@example.ro',
      kind: 'soft',
      reason: 'captured yesterday',
    });
    const old = signBounceReport(BOUNCE_SECRET, body, { at: new Date(Date.now() - 3_600_000) });
    const response = await send({ url: '/webhooks/email/bounce', headers: { 'content-type': 'application/json', ...old }, payload: body });
    expect(response.statusCode).toBe(403);
    expect(response.json().error).toMatch(/^stale request/);
    expect(await databaseFingerprint(pool)).toEqual(before);
  });

  it('a Twilio status callback, replayed as captured, changes nothing', async () => {
    const delivered = statusCallback({ MessageSid: 'SMreplay0001', MessageStatus: 'delivered' });
    expect((await send(delivered)).statusCode).toBe(200);
    expect(await events('SMreplay0001')).toBe(1);

    const before = await databaseFingerprint(pool);
    for (let i = 0; i < 3; i += 1) expect((await send(delivered)).statusCode).toBe(200);
    expect(await databaseFingerprint(pool)).toEqual(before);
    // A later, different status of the same message is still recorded.
    expect((await send(statusCallback({ MessageSid: 'SMreplay0001', MessageStatus: 'read' }))).statusCode).toBe(200);
    expect(await events('SMreplay0001')).toBe(2);
  });

  it('a replayed permanent failure marks the number and audits it once', async () => {
    const failed = statusCallback({ MessageSid: 'SMreplay0002', MessageStatus: 'undelivered', ErrorCode: '30005' });
    expect((await send(failed)).statusCode).toBe(200);
    expect(await t.runtime.prisma.auditEvent.count({ where: { entityId: customerId, action: 'phone.unreachable' } })).toBe(1);
    const before = await databaseFingerprint(pool);
    expect((await send(failed)).statusCode).toBe(200);
    expect(await databaseFingerprint(pool)).toEqual(before);
  });

  it('a callback about a message not recorded yet keeps no receipt, so its later copy is acted on', async () => {
    const early = statusCallback({ MessageSid: 'SMreplay0003', MessageStatus: 'delivered' });
    expect((await send(early)).statusCode).toBe(200);
    await t.runtime.prisma.contact.create({
      data: {
        customerId,
        channel: 'sms',
        recipient: '+40721000777',
        providerName: 'twilio',
        providerMessageId: 'SMreplay0003',
        status: 'sent',
        idempotencyKey: 'replay:sms-3',
      },
    });
    expect((await send(early)).statusCode).toBe(200);
    expect((await t.runtime.prisma.contact.findFirstOrThrow({ where: { providerMessageId: 'SMreplay0003' } })).status).toBe('delivered');
  });

  it('a replayed inbound START cannot re-subscribe a number that later sent STOP', async () => {
    const start = inboundSms({ MessageSid: 'SMin-replay-start', From: '+40721000777', Body: 'START' });
    expect((await send(start)).statusCode).toBe(200);
    expect(await smsConsent()).toBe(true);
    const stop = inboundSms({ MessageSid: 'SMin-replay-stop', From: '+40721000777', Body: 'STOP' });
    expect((await send(stop)).body).toContain('Reply START');
    expect(await smsConsent()).toBe(false);

    const before = await databaseFingerprint(pool);
    const replay = await send(start);
    expect(replay.statusCode).toBe(200);
    expect(replay.body).not.toContain('<Message>');
    expect(await smsConsent()).toBe(false);
    expect(await databaseFingerprint(pool)).toEqual(before);
  });

  it("honours Twilio Advanced Opt-Out's OptOutType for a custom keyword (PAUSE set up as a STOP word)", async () => {
    await send(inboundSms({ MessageSid: 'SMin-optout-start', From: '+40721000777', Body: 'START' }));
    expect(await smsConsent()).toBe(true);
    const pause = await send(inboundSms({ MessageSid: 'SMin-optout-pause', From: '+40721000777', Body: 'PAUSE', OptOutType: 'STOP' }));
    expect(pause.statusCode).toBe(200);
    expect(await smsConsent()).toBe(false);
  });
});
