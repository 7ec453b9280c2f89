import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import twilio from 'twilio';
import { z } from 'zod';
import type { ConsentDependencies, SmsReplyCompany } from '../../consent/consent.service.js';
import { recordDeliveryStatus } from '../../consent/delivery-status.service.js';
import type { ReplyDependencies } from '../../replies/receive.js';
import { receiveSms } from '../../replies/receive-sms.js';
import { once } from './receipts.js';

export interface TwilioRoutesOptions {
  consent: ConsentDependencies;
  /** Free text is a customer's reply: it takes the reply path. */
  replies: ReplyDependencies;
  company: SmsReplyCompany;
  /** Verifies `X-Twilio-Signature`. */
  authToken: string;
  /** Twilio signs the URL it was configured with: this origin (and prefix) plus the request path. */
  publicBaseUrl: string;
}

// Twilio never sends NUL in an identifier; in a customer's text it is dropped, not refused,
// because a refused inbound message would be retried by Twilio and never recorded.
const identifier = z
  .string()
  .min(1)
  .refine((value) => !value.includes('\u0000'), 'contains a NUL character');

const statusCallback = z.object({
  MessageSid: identifier,
  MessageStatus: identifier,
  ErrorCode: z.coerce.number().int().optional(),
});

const inboundMessage = z.object({
  MessageSid: identifier,
  From: identifier,
  // Advanced Opt-Out: Twilio names the kind of a custom keyword (e.g. "PAUSE" set up as a STOP word).
  OptOutType: z.enum(['STOP', 'START', 'HELP']).optional().catch(undefined),
  Body: z
    .string()
    .default('')
    .transform((body) => body.replace(/\u0000/g, '')),
});

/** TwiML answering an inbound SMS with `text`, or with nothing (`<Response/>`). */
export function messagingTwiml(text: string | null): string {
  const response = new twilio.twiml.MessagingResponse();
  if (text) response.message(text);
  return response.toString();
}

/**
 * Twilio's webhooks: delivery status callbacks and inbound SMS. Every request must carry a valid
 * `X-Twilio-Signature` (HMAC-SHA1 of the public URL and the form parameters with the auth
 * token, checked by the official `twilio.validateRequest`); anything else gets 403.
 */
export const twilioRoutes: FastifyPluginAsync<TwilioRoutesOptions> = async (app, options) => {
  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const signature = request.headers['x-twilio-signature'];
    const params = (request.body ?? {}) as Record<string, string>;
    const url = `${options.publicBaseUrl}${request.url}`;
    if (typeof signature !== 'string' || !twilio.validateRequest(options.authToken, signature, url, params)) {
      request.log.warn({ route: request.routeOptions.url }, 'rejected a request with a bad Twilio signature');
      return reply.code(403).type('text/plain').send('invalid signature');
    }
  });

  app.post('/webhooks/twilio/status', async (request, reply) => {
    const parsed = statusCallback.safeParse(request.body);
    if (!parsed.success) return reply.code(400).type('text/plain').send('bad status callback');
    const { MessageSid, MessageStatus, ErrorCode } = parsed.data;
    // Twilio signs no timestamp, so a captured callback stays valid: each (message, status, error)
    // is acted on once, and a replay changes nothing. Reports that changed nothing (a status we
    // do not record, a message not recorded yet) keep no receipt.
    const receipt = await once(
      options.consent.prisma,
      {
        source: 'twilio-status',
        keys: [`${MessageSid}|${MessageStatus}|${ErrorCode ?? ''}`],
        at: options.consent.clock(),
        kept: (result) => result.outcome === 'recorded',
      },
      () =>
        recordDeliveryStatus(options.consent, {
          messageSid: MessageSid,
          messageStatus: MessageStatus,
          ...(ErrorCode !== undefined && { errorCode: ErrorCode }),
        }),
    );
    const outcome = receipt.replay ? { outcome: 'replay' } : receipt.result;
    request.log.info({ messageSid: MessageSid, messageStatus: MessageStatus, ...outcome }, 'twilio status callback');
    return reply.code(200).type('text/plain').send('');
  });

  app.post('/webhooks/twilio/inbound', async (request, reply) => {
    const parsed = inboundMessage.safeParse(request.body);
    if (!parsed.success) return reply.code(400).type('text/plain').send('bad inbound message');
    const { MessageSid, From, Body, OptOutType } = parsed.data;
    // A captured, signed request stays valid (Twilio signs no timestamp): each MessageSid is
    // acted on once, so a replayed START cannot re-subscribe a number that later sent STOP
    // (a free-text reply is stored once per MessageSid by the reply path as well).
    const receipt = await once(options.consent.prisma, { source: 'twilio-inbound', keys: [MessageSid], at: options.consent.clock() }, () =>
      receiveSms(options.replies, options.company, {
        provider: 'twilio',
        from: From,
        body: Body,
        messageSid: MessageSid,
        ...(OptOutType ? { optOutType: OptOutType } : {}),
      }),
    );
    if (receipt.replay) {
      request.log.info({ messageSid: MessageSid, outcome: 'replay' }, 'twilio inbound sms');
      return reply.code(200).type('text/xml').send(messagingTwiml(null));
    }
    const { result } = receipt;
    request.log.info(
      {
        messageSid: MessageSid,
        keyword: result.keyword,
        customers: result.customers,
        changed: result.changed,
        replied: result.reply !== null,
        ...(result.received && {
          reply: result.received.reply,
          classification: result.received.classification,
          actions: result.received.actions,
        }),
      },
      'twilio inbound sms',
    );
    return reply.code(200).type('text/xml').send(messagingTwiml(result.reply));
  });
};
