import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BaseUrlRequestClient } from '../../../src/channels/sms/base-url-request-client.js';
import { createSmsTransport } from '../../../src/channels/sms/create-sms-transport.js';
import type { SmsTransport } from '../../../src/channels/sms/sms-transport.js';
import { FAKE_TWILIO_CREDENTIALS, fakeTwilioSettings, startFakeTwilio, type LocalTwilioServer } from '../../support/fake-twilio.js';
import { deliveryFailure } from './delivery-failure.js';

const CUSTOMER = '+40712345678';

describe('Twilio transport through the official client against the local endpoint', () => {
  let fake: LocalTwilioServer;
  let transport: SmsTransport;

  beforeAll(async () => {
    fake = await startFakeTwilio();
    transport = createSmsTransport(fakeTwilioSettings(fake));
  });
  afterEach(() => {
    fake.faults.clear();
  });
  afterAll(async () => {
    await transport.close();
    await fake.close();
  });

  it('creates the message with To, From, Body and the status callback', async () => {
    const result = await transport.send({
      to: CUSTOMER,
      body: 'INV-1001 is 15 days overdue',
      statusCallbackUrl: 'https://arrears.example/webhooks/twilio/status',
    });

    expect(result).toEqual({ providerMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/), provider: 'twilio', status: 'queued' });
    const request = fake.requests.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', path: `/2010-04-01/Accounts/${FAKE_TWILIO_CREDENTIALS.accountSid}/Messages.json` });
    expect(request.form).toEqual({
      To: CUSTOMER,
      From: '+15005550006',
      Body: 'INV-1001 is 15 days overdue',
      StatusCallback: 'https://arrears.example/webhooks/twilio/status',
    });
    expect(fake.messages.at(-1)).toMatchObject({
      sid: result.providerMessageId,
      to: CUSTOMER,
      body: 'INV-1001 is 15 days overdue',
      status: 'queued',
    });
  });

  it('sends through a Messaging Service when one is configured', async () => {
    const viaService = createSmsTransport(
      fakeTwilioSettings(fake, { from: undefined, messagingServiceSid: 'MG00000000000000000000000000000001' }),
    );
    try {
      const result = await viaService.send({ to: CUSTOMER, body: 'via service' });
      expect(result.status).toBe('accepted');
      expect(fake.requests.at(-1)!.form).toEqual({
        To: CUSTOMER,
        Body: 'via service',
        MessagingServiceSid: 'MG00000000000000000000000000000001',
      });
    } finally {
      await viaService.close();
    }
  });

  it.each([
    { fault: { status: 429 }, providerCode: '20429', maybeSent: false },
    { fault: { status: 500 }, providerCode: '20500', maybeSent: true },
  ])('reports HTTP $fault.status as transient, and the retry goes through', async ({ fault, providerCode, maybeSent }) => {
    fake.faults.set(fault, 1);
    const sentBefore = fake.messages.length;
    expect(await deliveryFailure(transport.send({ to: CUSTOMER, body: 'retry me' }))).toMatchObject({
      kind: 'transient',
      providerCode,
      maybeSent,
    });
    expect(fake.messages).toHaveLength(sentBefore);

    await transport.send({ to: CUSTOMER, body: 'retry me' });
    expect(fake.messages).toHaveLength(sentBefore + 1);
  });

  it('reports error 21211 as permanent, whether injected or for a malformed number', async () => {
    fake.faults.set({ status: 400, code: 21211, message: "Invalid 'To' Phone Number" }, 1);
    expect(await deliveryFailure(transport.send({ to: CUSTOMER, body: 'x' }))).toMatchObject({
      kind: 'permanent',
      providerCode: '21211',
      reason: 'invalid phone number',
    });
    expect(await deliveryFailure(transport.send({ to: '0712 345 678', body: 'x' }))).toMatchObject({
      kind: 'permanent',
      providerCode: '21211',
    });
  });

  it('reports an opt-out at the provider as permanent', async () => {
    fake.faults.set({ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' }, 1);
    expect(await deliveryFailure(transport.send({ to: CUSTOMER, body: 'x' }))).toMatchObject({ kind: 'permanent', providerCode: '21610' });
  });

  it('treats rejected credentials as our configuration, not the recipient', async () => {
    const wrong = createSmsTransport(fakeTwilioSettings(fake, { authToken: 'not-the-token' }));
    try {
      expect(await deliveryFailure(wrong.send({ to: CUSTOMER, body: 'x' }))).toMatchObject({ kind: 'transient', providerCode: '20003' });
    } finally {
      await wrong.close();
    }
  });

  it('finds a message sent before, by number, time and body, without sending again', async () => {
    const number = '+40799000111';
    const claimedAt = new Date();
    const sent = await transport.send({ to: number, body: 'Final notice for INV-9' });
    await transport.send({ to: number, body: 'a different reminder' });
    const requestsBefore = fake.requests.length;

    expect(await transport.findRecent({ to: number, sentAfter: claimedAt, body: 'Final notice for INV-9' })).toEqual(sent);
    expect(await transport.findRecent({ to: number, sentAfter: claimedAt, body: 'never sent' })).toBeUndefined();
    expect(await transport.findRecent({ to: '+40799000222', sentAfter: claimedAt })).toBeUndefined();
    expect(await transport.findRecent({ to: number, sentAfter: new Date(Date.now() + 5_000) })).toBeUndefined();
    expect(fake.requests.slice(requestsBefore).every((r) => r.method === 'GET')).toBe(true);
  });

  it('pages through lists and fetches single messages with the official client', async () => {
    const number = '+40799000333';
    for (const body of ['one', 'two', 'three']) await transport.send({ to: number, body });
    const httpClient = new BaseUrlRequestClient({ baseUrl: fake.baseUrl });
    const client = twilio(FAKE_TWILIO_CREDENTIALS.accountSid, FAKE_TWILIO_CREDENTIALS.authToken, { httpClient });
    try {
      const listed = await client.messages.list({ to: number, pageSize: 2 });
      expect(listed.map((m) => m.body)).toEqual(['three', 'two', 'one']);
      expect(fake.requests.at(-1)!.query).toMatchObject({ To: number, Page: '1', PageSize: '2' });

      const fetched = await client.messages(listed[0]!.sid).fetch();
      expect(fetched).toMatchObject({ sid: listed[0]!.sid, to: number, body: 'three', errorCode: null });
      expect(fetched.dateCreated).toBeInstanceOf(Date);
    } finally {
      httpClient.destroy();
    }
  });

  it('plays the carrier: posts a status callback signed with the auth token', async () => {
    const received: Array<{ signature: string; params: Record<string, string> }> = [];
    const webhook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ signature: String(req.headers['x-twilio-signature']), params: Object.fromEntries(new URLSearchParams(body)) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    const callbackUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/webhooks/twilio/status`;
    try {
      const sent = await transport.send({ to: CUSTOMER, body: 'status please', statusCallbackUrl: callbackUrl });
      expect(await fake.reportStatus(sent.providerMessageId, 'undelivered', 30003)).toBe(204);

      const [callback] = received;
      expect(callback!.params).toMatchObject({
        MessageSid: sent.providerMessageId,
        MessageStatus: 'undelivered',
        ErrorCode: '30003',
        To: CUSTOMER,
      });
      expect(twilio.validateRequest(FAKE_TWILIO_CREDENTIALS.authToken, callback!.signature, callbackUrl, callback!.params)).toBe(true);
      expect(fake.messages.find((m) => m.sid === sent.providerMessageId)).toMatchObject({ status: 'undelivered', error_code: 30003 });
    } finally {
      webhook.close();
    }
  });
});
