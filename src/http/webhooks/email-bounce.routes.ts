import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { ConsentDependencies } from '../../consent/consent.service.js';
import { recordEmailBounce } from '../../consent/delivery-status.service.js';
import { once } from './receipts.js';

export interface EmailBounceRoutesOptions {
  consent: ConsentDependencies;
  /** Key of the `X-Arrears-Signature: sha256=<hex>` HMAC (EMAIL_WEBHOOK_SECRET). */
  secret: string;
  /** WEBHOOK_MAX_AGE_SECONDS: how far `X-Arrears-Timestamp` may be from now, either way. */
  maxAgeSeconds: number;
}

const bounceBody = z.object({
  messageId: z.string().trim().min(1),
  recipient: z.string().trim().min(3),
  kind: z.enum(['hard', 'soft']),
  reason: z.string().trim().max(1000).default(''),
});

/** A request's nonce: 16 to 128 URL-safe characters, unique per request. */
const NONCE = /^[A-Za-z0-9_-]{16,128}$/;
const TIMESTAMP = /^\d{1,12}$/;

/** `sha256=<hex HMAC-SHA256>` of `payload` with `secret`. */
export function arrearsSignature(secret: string, payload: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`;
}

/** What the signature covers: `<timestamp>.<nonce>.<raw body>`, so neither can be changed or reused with another body. */
function signedPayload(timestamp: string, nonce: string, rawBody: Buffer | string): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}.${nonce}.`), Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody)]);
}

/**
 * The headers of a signed bounce report (what a bounce processor sends, and what the tests send):
 * `X-Arrears-Timestamp` (Unix seconds), `X-Arrears-Nonce` (fresh per request) and
 * `X-Arrears-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<nonce>.<raw body>">`.
 */
export function signBounceReport(
  secret: string,
  rawBody: Buffer | string,
  options: { at?: Date; nonce?: string } = {},
): Record<'x-arrears-timestamp' | 'x-arrears-nonce' | 'x-arrears-signature', string> {
  const timestamp = String(Math.floor((options.at ?? new Date()).getTime() / 1000));
  const nonce = options.nonce ?? randomBytes(16).toString('base64url');
  return {
    'x-arrears-timestamp': timestamp,
    'x-arrears-nonce': nonce,
    'x-arrears-signature': arrearsSignature(secret, signedPayload(timestamp, nonce, rawBody)),
  };
}

function header(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value.trim() : undefined;
}

function signatureMatches(secret: string, timestamp: string, nonce: string, rawBody: Buffer, given: string): boolean {
  const expected = Buffer.from(arrearsSignature(secret, signedPayload(timestamp, nonce, rawBody)));
  const actual = Buffer.from(given.toLowerCase());
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * `POST /webhooks/email/bounce`: a JSON bounce report `{ messageId, recipient, kind, reason }`,
 * signed as {@link signBounceReport} does. A bad or missing signature, timestamp or nonce → 403;
 * a timestamp further than `maxAgeSeconds` from now → 403 (a captured request cannot be replayed
 * later); a nonce already seen, or a bounce already recorded (same message, recipient and kind)
 * → 200 `{ replay: true }` and nothing changes.
 */
export const emailBounceRoutes: FastifyPluginAsync<EmailBounceRoutesOptions> = async (app, options) => {
  // The signature covers the bytes as sent, so this scope keeps JSON bodies raw (parsed after the signature holds).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post('/webhooks/email/bounce', async (request, reply) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const timestamp = header(request.headers['x-arrears-timestamp']);
    const nonce = header(request.headers['x-arrears-nonce']);
    const signature = header(request.headers['x-arrears-signature']);
    const route = request.routeOptions.url;
    if (
      timestamp === undefined ||
      !TIMESTAMP.test(timestamp) ||
      nonce === undefined ||
      !NONCE.test(nonce) ||
      signature === undefined ||
      !signatureMatches(options.secret, timestamp, nonce, raw, signature)
    ) {
      request.log.warn({ route }, 'rejected a bounce report with a bad signature');
      return reply.code(403).send({ error: 'invalid signature' });
    }
    const now = options.consent.clock();
    if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > options.maxAgeSeconds) {
      request.log.warn({ route }, 'rejected a bounce report outside the freshness window');
      return reply.code(403).send({ error: `stale request: X-Arrears-Timestamp is more than ${options.maxAgeSeconds} s from now` });
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return reply.code(400).send({ error: 'body is not JSON' });
    }
    const parsed = bounceBody.safeParse(json);
    if (!parsed.success) return reply.code(400).send({ error: 'expected { messageId, recipient, kind: hard|soft, reason }' });
    const bounce = parsed.data;
    // A hard bounce happens once per message and recipient; soft ones may repeat with new reasons.
    const event = [
      bounce.messageId.replace(/^<|>$/g, ''),
      bounce.recipient.toLowerCase(),
      bounce.kind,
      bounce.kind === 'soft' ? bounce.reason : '',
    ].join('|');
    const receipt = await once(
      options.consent.prisma,
      { source: 'email-bounce', keys: [`nonce:${nonce}`, `event:${event}`], at: now },
      () => recordEmailBounce(options.consent, bounce),
    );
    if (receipt.replay) {
      request.log.info({ route }, 'bounce report already received; nothing changed');
      return reply.code(200).send({ replay: true });
    }
    const result = receipt.result;
    request.log.info({ kind: bounce.kind, matched: result.contactId !== null, addressesMarked: result.addressesMarked }, 'email bounce');
    return reply.code(200).send({ matched: result.contactId !== null, addressesMarked: result.addressesMarked });
  });
};
