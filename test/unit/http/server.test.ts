import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { fixedClock } from '../../../src/core/clock.js';
import type { PrismaClient } from '../../../src/db/client.js';
import { signUnsubscribeToken } from '../../../src/dunning/unsubscribe-token.js';
import { buildHttpServer, type HttpDependencies } from '../../../src/http/server.js';
import { arrearsSignature, signBounceReport } from '../../../src/http/webhooks/email-bounce.routes.js';
import { createLogger } from '../../../src/logging/logger.js';

const BASE = 'https://ar.example.com';

/** Requests that must be answered before any database access: the client here throws if touched. */
const noDatabase = new Proxy(
  {},
  {
    get: () => {
      throw new Error('database touched');
    },
  },
) as PrismaClient;

function logSink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', format: 'json', production: true }, stream) };
}

describe('the HTTP server, before any database access', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => app?.close());

  async function server(overrides: Partial<HttpDependencies> = {}, logger = logSink().logger) {
    const clock = fixedClock(DateTime.fromISO('2026-03-02T09:00:00Z'));
    app = await buildHttpServer({
      replies: {
        prisma: noDatabase,
        clock: () => clock.now().toJSDate(),
        rules: { sendWindow: { start: '08:00', end: '18:00', days: [1, 2, 3, 4, 5] }, holidays: {} },
        limits: { maxBytes: 1024, maxAttachmentBytes: 1024, pauseBusinessDays: 5 },
        timeZone: 'UTC',
        logger,
      },
      prisma: noDatabase,
      logger,
      clock: fixedClock(DateTime.fromISO('2026-03-02T09:00:00Z')),
      company: { name: 'Example Trading Ltd', supportEmail: 'ar@example.com', supportPhone: '+1 555 0100' },
      publicBaseUrl: BASE,
      unsubscribeSecret: 's'.repeat(32),
      twilioAuthToken: 'twilio-token',
      emailWebhookSecret: 'e'.repeat(16),
      webhookMaxAgeSeconds: 300,
      ...overrides,
    });
    return app;
  }

  it('answers /healthz', async () => {
    const response = await (await server()).inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('answers 403 to a Twilio request with a bad or missing signature', async () => {
    const app = await server();
    for (const headers of [{ 'x-twilio-signature': 'bm9wZQ==' }, {}]) {
      const response = await app.inject({
        method: 'POST',
        url: '/webhooks/twilio/inbound',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: 'From=%2B40721000111&Body=STOP&MessageSid=SM1',
      });
      expect(response.statusCode).toBe(403);
    }
  });

  it('has no Twilio routes without PUBLIC_BASE_URL, and no bounce route without its secret', async () => {
    const app = await server({ publicBaseUrl: null, emailWebhookSecret: null });
    for (const url of ['/webhooks/twilio/status', '/webhooks/twilio/inbound', '/webhooks/email/bounce']) {
      expect((await app.inject({ method: 'POST', url, payload: {} })).statusCode).toBe(404);
    }
  });

  it('refuses a bounce report whose HMAC does not match the raw body', async () => {
    const body = JSON.stringify({ messageId: '<x@arrears.local>', recipient: 'a@example.com', kind: 'hard', reason: 'no such user' });
    const response = await (
      await server()
    ).inject({
      method: 'POST',
      url: '/webhooks/email/bounce',
      headers: { 'content-type': 'application/json', 'x-arrears-signature': arrearsSignature('wrong'.repeat(4), body) },
      payload: body,
    });
    expect(response.statusCode).toBe(403);
  });

  // Finding 3: a captured, signed bounce report could be replayed at any time. The signature now
  // covers a timestamp and a nonce; outside the freshness window (here 300 s around the fixed
  // clock, 2026-03-02T09:00:00Z) a correctly signed report is refused before the database.
  describe('refuses a bounce report that is not fresh or not signed over its timestamp and nonce', () => {
    const body = JSON.stringify({ messageId: '<x@arrears.local>', recipient: 'a@example.com', kind: 'hard', reason: 'no such user' });
    const now = new Date('2026-03-02T09:00:00Z');
    const secret = 'e'.repeat(16);
    const signed = (at: Date) => signBounceReport(secret, body, { at, nonce: 'n0nce-0123456789abcdef' });
    it.each([
      ['301 s old', signed(new Date(now.getTime() - 301_000)), /stale request/],
      ['301 s ahead', signed(new Date(now.getTime() + 301_000)), /stale request/],
      ['a day old', signed(new Date(now.getTime() - 86_400_000)), /stale request/],
      ['timestamp changed after signing', { ...signed(now), 'x-arrears-timestamp': String(now.getTime() / 1000 + 1) }, /invalid signature/],
      ['nonce changed after signing', { ...signed(now), 'x-arrears-nonce': 'another-nonce-0123456789' }, /invalid signature/],
      ['no timestamp', { ...signed(now), 'x-arrears-timestamp': '' }, /invalid signature/],
      ['no nonce', { ...signed(now), 'x-arrears-nonce': '' }, /invalid signature/],
      ['the body-only signature of before', { 'x-arrears-signature': arrearsSignature(secret, body) }, /invalid signature/],
    ])('%s → 403', async (_name, headers, error) => {
      const response = await (
        await server()
      ).inject({
        method: 'POST',
        url: '/webhooks/email/bounce',
        headers: { 'content-type': 'application/json', ...headers },
        payload: body,
      });
      expect(response.statusCode).toBe(403);
      expect(response.body).toMatch(error);
    });
  });

  it('shows a 404 page for an unsubscribe token it did not sign, on GET and POST', async () => {
    const app = await server();
    const forged = signUnsubscribeToken('x'.repeat(32), '3f2c8a10-5b7e-4c1d-9a0b-1234567890ab');
    for (const method of ['GET', 'POST'] as const) {
      const response = await app.inject({ method, url: `/unsubscribe/${forged}` });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.body).toContain('not valid');
    }
  });

  it('logs route patterns, never tokens, phone numbers, bodies or signatures', async () => {
    const { lines, logger } = logSink();
    const app = await server({}, logger);
    const token = signUnsubscribeToken('x'.repeat(32), '3f2c8a10-5b7e-4c1d-9a0b-1234567890ab');
    await app.inject({ method: 'GET', url: `/unsubscribe/${token}` });
    await app.inject({
      method: 'POST',
      url: '/webhooks/twilio/inbound',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'c2lnbmF0dXJl' },
      payload: 'From=%2B40721000111&Body=STOP&MessageSid=SM1',
    });
    const log = lines.join('');
    expect(log).toContain('/unsubscribe/:token');
    expect(log).toContain('/webhooks/twilio/inbound');
    for (const secret of [token, '40721000111', 'STOP', 'c2lnbmF0dXJl']) expect(log).not.toContain(secret);
  });
});
