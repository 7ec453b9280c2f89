import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { ConsentDependencies } from '../../consent/consent.service.js';
import { recordEmailBounce } from '../../consent/delivery-status.service.js';

export interface EmailBounceRoutesOptions {
  consent: ConsentDependencies;
  /** Key of the `X-Arrears-Signature: sha256=<hex>` HMAC over the raw body. */
  secret: string;
}

const bounceBody = z.object({
  messageId: z.string().trim().min(1),
  recipient: z.string().trim().min(3),
  kind: z.enum(['hard', 'soft']),
  reason: z.string().trim().max(1000).default(''),
});

/** The signature header value for a raw body: `sha256=<hex HMAC-SHA256>`. */
export function arrearsSignature(secret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

function signatureMatches(secret: string, rawBody: Buffer, header: unknown): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(arrearsSignature(secret, rawBody));
  const given = Buffer.from(header.trim().toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * `POST /webhooks/email/bounce`: a JSON bounce report `{ messageId, recipient, kind, reason }`
 * signed with `X-Arrears-Signature: sha256=<hex>` (HMAC-SHA256 of the raw body with
 * EMAIL_WEBHOOK_SECRET). Bad signature → 403.
 */
export const emailBounceRoutes: FastifyPluginAsync<EmailBounceRoutesOptions> = async (app, options) => {
  // The signature covers the bytes as sent, so this scope keeps JSON bodies raw.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post('/webhooks/email/bounce', async (request, reply) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (!signatureMatches(options.secret, raw, request.headers['x-arrears-signature'])) {
      request.log.warn({ route: request.routeOptions.url }, 'rejected a bounce report with a bad signature');
      return reply.code(403).send({ error: 'invalid signature' });
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      return reply.code(400).send({ error: 'body is not JSON' });
    }
    const parsed = bounceBody.safeParse(json);
    if (!parsed.success) return reply.code(400).send({ error: 'expected { messageId, recipient, kind: hard|soft, reason }' });
    const result = await recordEmailBounce(options.consent, parsed.data);
    request.log.info(
      { kind: parsed.data.kind, matched: result.contactId !== null, addressesMarked: result.addressesMarked },
      'email bounce',
    );
    return reply.code(200).send({ matched: result.contactId !== null, addressesMarked: result.addressesMarked });
  });
};
