import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twilioSignature } from '../../../src/channels/sms/local-twilio-server.js';
import { findFreePort } from '../../../src/dev/free-port.js';
import { httpDependencies } from '../../../src/app/http.js';
import { buildHttpServer } from '../../../src/http/server.js';
import { signBounceReport } from '../../../src/http/webhooks/email-bounce.routes.js';
import { closeTestPipeline, startTestPipeline, type TestArrears } from '../../support/arrears.js';
import type { TestDatabase } from '../../support/databases.js';
import { FAKE_TWILIO_CREDENTIALS, type LocalTwilioServer } from '../../support/fake-twilio.js';
import { seedLedger } from '../../support/ledger.js';
import type { SmtpSink } from '../../support/smtp-sink.js';

// 2026-03-09 is a Monday, day 8 after the due date: the overdue-7 step (email + SMS) is due.
const DAY_8 = '2026-03-09T09:00:00Z';
// Monday 16 March, day 15: the overdue-14 step (email + call task).
const DAY_15 = '2026-03-16T09:00:00Z';
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
const BOUNCE_SECRET = 'bounce-secret-0123456789';
const DUE = [{ number: 'F-1', amountMinor: 50000, issuedOn: '2026-02-01', dueOn: '2026-03-01' }];

describe('webhooks and one-click unsubscribe on arrears serve, against the pipeline', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let twilio: LocalTwilioServer;
  let arrears: TestArrears;
  let app: FastifyInstance;
  let base: string;
  let ids: Map<string, string>;

  const prisma = () => arrears.runtime.prisma;
  const customer = (externalId: string) => prisma().customer.findUniqueOrThrow({ where: { externalId } });

  async function postForm(path: string, params: Record<string, string>, signature?: string) {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'X-Twilio-Signature': signature ?? twilioSignature(FAKE_TWILIO_CREDENTIALS.authToken, `${base}${path}`, params) },
      body: new URLSearchParams(params),
    });
    return { status: response.status, text: await response.text() };
  }

  const inbound = (from: string, body: string, sid: string, signature?: string) =>
    postForm(
      '/webhooks/twilio/inbound',
      { AccountSid: FAKE_TWILIO_CREDENTIALS.accountSid, From: from, To: '+15005550006', Body: body, MessageSid: sid, NumMedia: '0' },
      signature,
    );

  function unsubscribeUrlIn(recipient: string): string {
    const mail = sink.messages.find((m) => m.envelope.to.includes(recipient));
    const headers = mail!.raw
      .toString('utf8')
      .split(/\r?\n\r?\n/)[0]!
      .replace(/\r?\n[ \t]+/g, ' ');
    const url = /^List-Unsubscribe: .*<(http[^>]+)>/im.exec(headers)?.[1];
    expect(url).toBeDefined();
    return url!;
  }

  beforeAll(async () => {
    const port = await findFreePort();
    base = `http://127.0.0.1:${port}`;
    ({ database, sink, twilio, arrears } = await startTestPipeline({
      PUBLIC_BASE_URL: base,
      UNSUBSCRIBE_SECRET: 'unsubscribe-secret-'.padEnd(40, 'x'),
      EMAIL_WEBHOOK_SECRET: BOUNCE_SECRET,
      COMPANY_NAME: 'Acme Trading SRL',
      COMPANY_SUPPORT_PHONE: '+40 21 000 0000',
      COMPANY_SUPPORT_EMAIL: 'incasari@acme.example',
    }));
    app = await buildHttpServer(await httpDependencies(arrears.runtime));
    await app.listen({ host: '127.0.0.1', port });
    ids = await seedLedger(prisma(), [
      { externalId: 'SMS-1', email: 'sms1@example.ro', mobile: '+40721000111', smsConsent: true, invoices: DUE },
      { externalId: 'STOP-1', email: 'stop1@example.ro', mobile: '+40721000222', smsConsent: true, invoices: DUE },
      { externalId: 'MAIL-1', email: 'mail1@example.ro', invoices: DUE },
      { externalId: 'MAIL-2', email: 'mail2@example.ro', invoices: DUE },
      // Writes back in free text (nothing due: its reply pause holds back no one's reminders here).
      { externalId: 'TXT-1', email: 'txt1@example.ro', mobile: '+40721000333', smsConsent: true, invoices: [] },
    ]);
  });

  afterAll(async () => {
    await app?.close();
    await closeTestPipeline({ database, sink, twilio, arrears });
  });

  it('answers /healthz', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('inbound STOP revokes SMS consent, logs the message and confirms once', async () => {
    const first = await inbound('+40721000222', 'Stop', 'SMin0001');
    expect(first.status).toBe(200);
    expect(first.text).toMatch(/<Response><Message>Acme Trading SRL: .*Reply START.*<\/Message><\/Response>/);
    const stopped = await customer('STOP-1');
    expect(stopped.smsOptedOutAt).not.toBeNull();

    const second = await inbound('+40721000222', 'STOP', 'SMin0002');
    expect(second.text).toBe(EMPTY_TWIML);
    // Twilio redelivering the first STOP adds nothing either.
    expect((await inbound('+40721000222', 'Stop', 'SMin0001')).text).toBe(EMPTY_TWIML);

    expect((await customer('STOP-1')).smsOptedOutAt).toEqual(stopped.smsOptedOutAt);
    const logged = await prisma().contact.findMany({
      where: { customerId: stopped.id, direction: 'inbound' },
      orderBy: { createdAt: 'asc' },
    });
    expect(logged.map((c) => [c.channel, c.status, c.bodyText, c.providerMessageId, c.actor])).toEqual([
      ['sms', 'logged', 'Stop', 'SMin0001', 'webhook:twilio'],
      ['sms', 'logged', 'STOP', 'SMin0002', 'webhook:twilio'],
    ]);
    const audit = await prisma().auditEvent.findMany({ where: { entityId: stopped.id, action: 'sms_consent.revoked' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toBe('webhook:twilio');
  });

  it('refuses an inbound message with a bad signature and changes nothing', async () => {
    const response = await inbound('+40721000111', 'STOP', 'SMin0003', 'bm90IGEgc2lnbmF0dXJl');
    expect(response.status).toBe(403);
    expect((await customer('SMS-1')).smsOptedOutAt).toBeNull();
    expect(await prisma().contact.count({ where: { providerMessageId: 'SMin0003' } })).toBe(0);
  });

  it('HELP answers with the company and its support contacts', async () => {
    const response = await inbound('+40799999999', 'help', 'SMin0004');
    expect(response.text).toContain('Acme Trading SRL');
    expect(response.text).toContain('+40 21 000 0000');
    expect(response.text).toContain('incasari@acme.example');
  });

  it('takes any other text as a reply (the reply path: stored, classified, on the contact log) once per MessageSid, and answers with empty TwiML', async () => {
    const response = await inbound('+40721000333', 'Vom plăti pe 20 martie', 'SMin0005');
    expect(response.text).toBe(EMPTY_TWIML);
    expect((await inbound('+40721000333', 'Vom plăti pe 20 martie', 'SMin0005')).text).toBe(EMPTY_TWIML);
    const [reply, ...more] = await prisma().reply.findMany({ where: { messageId: 'SMin0005' }, include: { suggestions: true } });
    expect(more).toEqual([]);
    // The server's clock is the wall clock: the next 20 March.
    expect([reply!.customerId, reply!.channel, reply!.classification, reply!.promisedOn?.toISOString().slice(4, 10)]).toEqual([
      ids.get('TXT-1'),
      'sms',
      'promise',
      '-03-20',
    ]);
    expect(reply!.suggestions.map((s) => s.kind)).toEqual(['promise']);
    const logged = await prisma().contact.findMany({ where: { providerMessageId: 'SMin0005' } });
    expect(logged.map((c) => [c.id, c.customerId, c.direction, c.status, c.bodyText])).toEqual([
      [reply!.contactId, ids.get('TXT-1'), 'inbound', 'logged', 'Vom plăti pe 20 martie'],
    ]);
    expect((await customer('TXT-1')).smsOptedOutAt).toBeNull();
  });

  it('after STOP no SMS follows when an SMS step is due, while email still goes', async () => {
    await arrears.tick(DAY_8);
    expect(twilio.messages.map((m) => m.to)).toEqual(['+40721000111']);
    expect(sink.messages.flatMap((m) => m.envelope.to).sort()).toEqual([
      'mail1@example.ro',
      'mail2@example.ro',
      'sms1@example.ro',
      'stop1@example.ro',
    ]);
    const create = twilio.requests.find((r) => r.method === 'POST');
    expect(create?.form.StatusCallback).toBe(`${base}/webhooks/twilio/status`);
    expect(unsubscribeUrlIn('mail1@example.ro')).toMatch(new RegExp(`^${base}/unsubscribe/[A-Za-z0-9_-]{64}$`));
  });

  it('a signed status callback appends an event and moves the contact to delivered; a late "sent" keeps it delivered', async () => {
    const sid = twilio.messages[0]!.sid;
    const contact = await prisma().contact.findFirstOrThrow({ where: { providerMessageId: sid } });
    expect(contact.status).toBe('sent');

    expect(await twilio.reportStatus(sid, 'delivered')).toBe(200);
    expect((await prisma().contact.findUniqueOrThrow({ where: { id: contact.id } })).status).toBe('delivered');
    expect(await twilio.reportStatus(sid, 'sent')).toBe(200);
    expect((await prisma().contact.findUniqueOrThrow({ where: { id: contact.id } })).status).toBe('delivered');

    const events = await prisma().contactStatusEvent.findMany({ where: { contactId: contact.id }, orderBy: { at: 'asc' } });
    expect(events.map((e) => [e.status, e.actor])).toEqual([
      ['queued', 'system'],
      ['sending', 'system'],
      ['sent', 'system'],
      ['delivered', 'webhook:twilio'],
      ['sent', 'webhook:twilio'],
    ]);
  });

  it('refuses a status callback with a bad signature and changes nothing', async () => {
    const sid = twilio.messages[0]!.sid;
    const before = await prisma().contactStatusEvent.count();
    const params = { MessageSid: sid, MessageStatus: 'failed', ErrorCode: '30005' };
    const forged = twilioSignature('not-the-auth-token', `${base}/webhooks/twilio/status`, params);
    expect((await postForm('/webhooks/twilio/status', params, forged)).status).toBe(403);
    expect(await prisma().contactStatusEvent.count()).toBe(before);
    expect((await prisma().contact.findFirstOrThrow({ where: { providerMessageId: sid } })).status).toBe('delivered');
  });

  it('a permanent failure on a status callback fails the contact and marks the number', async () => {
    const customerId = ids.get('SMS-1')!;
    const contact = await prisma().contact.create({
      data: {
        customerId,
        channel: 'sms',
        recipient: '+40721000111',
        bodyText: 'reminder',
        providerName: 'twilio',
        providerMessageId: 'SMfailed0001',
        status: 'sent',
        idempotencyKey: 'test:permanent-failure',
      },
    });
    const response = await postForm('/webhooks/twilio/status', {
      MessageSid: 'SMfailed0001',
      MessageStatus: 'undelivered',
      ErrorCode: '30005',
    });
    expect(response.status).toBe(200);
    const failed = await prisma().contact.findUniqueOrThrow({ where: { id: contact.id } });
    expect([failed.status, failed.failureKind, failed.failureReason]).toEqual(['undelivered', 'permanent', 'unknown or inactive number']);
    const phone = await prisma().contactPoint.findFirstOrThrow({ where: { customerId, kind: 'phone' } });
    expect(phone.invalidAt).not.toBeNull();
    // A callback for a message we never sent is acknowledged and ignored.
    expect((await postForm('/webhooks/twilio/status', { MessageSid: 'SMunknown', MessageStatus: 'delivered' })).status).toBe(200);
  });

  it('GET on an unsubscribe link shows a confirmation page and changes nothing; a bad token is a 404 page', async () => {
    const url = unsubscribeUrlIn('mail2@example.ro');
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post"');
    expect(html).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(html).toContain('Acme Trading SRL');
    expect((await customer('MAIL-2')).emailOptedOutAt).toBeNull();

    const bad = await fetch(`${url.slice(0, -4)}AAAA`, { method: 'POST', body: new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }) });
    expect(bad.status).toBe(404);
    expect(await bad.text()).toContain('not valid');
    expect((await customer('MAIL-2')).emailOptedOutAt).toBeNull();
  });

  it('the one-click POST (RFC 8058) opts the customer out of email, once', async () => {
    const url = unsubscribeUrlIn('mail1@example.ro');
    for (let i = 0; i < 2; i += 1) {
      const response = await fetch(url, { method: 'POST', body: new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }) });
      expect(response.status).toBe(200);
    }
    const optedOut = await customer('MAIL-1');
    expect(optedOut.emailOptedOutAt).not.toBeNull();
    const audit = await prisma().auditEvent.findMany({ where: { entityId: optedOut.id, action: 'email.opted_out' } });
    expect(audit.map((a) => a.actor)).toEqual(['customer:unsubscribe-link']);
    // The page's own button posts the same form, and a later visit says so.
    expect(await (await fetch(url)).text()).toContain('already unsubscribed');
  });

  it('the next tick emails everyone but the unsubscribed customer', async () => {
    const before = sink.messages.length;
    await arrears.tick(DAY_15);
    expect(
      sink.messages
        .slice(before)
        .flatMap((m) => m.envelope.to)
        .sort(),
    ).toEqual(['mail2@example.ro', 'sms1@example.ro', 'stop1@example.ro']);
  });

  it('START restores SMS consent and confirms', async () => {
    const response = await inbound('+40721000222', 'START', 'SMin0006');
    expect(response.text).toMatch(/<Message>Acme Trading SRL: .*Reply STOP.*<\/Message>/);
    const restored = await customer('STOP-1');
    expect([restored.smsConsent, restored.smsOptedOutAt]).toEqual([true, null]);
    expect(await prisma().auditEvent.count({ where: { entityId: restored.id, action: 'sms_consent.restored' } })).toBe(1);
  });

  describe('bounce reports', () => {
    const post = (body: string, signed: Record<string, string>) =>
      fetch(`${base}/webhooks/email/bounce`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...signed },
        body,
      });

    it('refuses a report with a bad HMAC and changes nothing', async () => {
      const contact = await prisma().contact.findFirstOrThrow({ where: { recipient: 'mail2@example.ro', channel: 'email' } });
      const body = JSON.stringify({
        messageId: contact.providerMessageId,
        recipient: 'mail2@example.ro',
        kind: 'hard',
        reason: '550 no such user',
      });
      expect((await post(body, signBounceReport('another-secret-entirely', body))).status).toBe(403);
      expect((await post(body, { ...signBounceReport(BOUNCE_SECRET, body), 'x-arrears-signature': 'sha256=' })).status).toBe(403);
      expect((await prisma().contact.findUniqueOrThrow({ where: { id: contact.id } })).status).toBe('sent');
      expect((await prisma().contactPoint.findFirstOrThrow({ where: { value: 'mail2@example.ro' } })).bouncedAt).toBeNull();
    });

    it('notes a soft bounce on the contact history only', async () => {
      const contact = await prisma().contact.findFirstOrThrow({ where: { recipient: 'sms1@example.ro', channel: 'email' } });
      const body = JSON.stringify({
        messageId: contact.providerMessageId,
        recipient: 'sms1@example.ro',
        kind: 'soft',
        reason: 'mailbox full',
      });
      const response = await post(body, signBounceReport(BOUNCE_SECRET, body));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ matched: true, addressesMarked: 0 });
      expect((await prisma().contact.findUniqueOrThrow({ where: { id: contact.id } })).status).toBe('sent');
      const last = await prisma().contactStatusEvent.findFirstOrThrow({ where: { contactId: contact.id }, orderBy: { at: 'desc' } });
      expect([last.status, last.actor, last.detail]).toEqual(['sent', 'webhook:email', { bounce: 'soft', reason: 'mailbox full' }]);
    });

    it('a hard bounce marks the contact bounced and the address', async () => {
      const contact = await prisma().contact.findFirstOrThrow({
        where: { recipient: 'mail2@example.ro', channel: 'email' },
        orderBy: { createdAt: 'asc' },
      });
      const bare = contact.providerMessageId!.replace(/^<|>$/g, '');
      const body = JSON.stringify({ messageId: bare, recipient: 'Mail2@example.ro', kind: 'hard', reason: '550 no such user' });
      const response = await post(body, signBounceReport(BOUNCE_SECRET, body));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ matched: true, addressesMarked: 1 });
      const bounced = await prisma().contact.findUniqueOrThrow({ where: { id: contact.id } });
      expect([bounced.status, bounced.failureKind]).toEqual(['bounced', 'permanent']);
      expect((await prisma().contactPoint.findFirstOrThrow({ where: { value: 'mail2@example.ro' } })).bouncedAt).not.toBeNull();
      const events = await prisma().contactStatusEvent.findMany({ where: { contactId: contact.id, status: 'bounced' } });
      expect(events.map((e) => e.actor)).toEqual(['webhook:email']);
    });
  });
});
