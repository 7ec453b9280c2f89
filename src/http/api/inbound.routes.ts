import { z } from 'zod';
import { receiveEmail, type ReplyDependencies } from '../../replies/receive.js';
import { defineRoute, type ApiRoute } from './route.js';

export const MESSAGE_RFC822 = 'message/rfc822';

/** `POST /inbound/email`: one raw MIME message (for providers that POST inbound mail), onto the reply path. */
export function inboundRoutes(replies: ReplyDependencies): ApiRoute<any, any, any>[] {
  const post = defineRoute({
    method: 'POST',
    url: '/inbound/email',
    operationId: 'receiveEmail',
    tag: 'replies',
    scope: 'inbound:write',
    role: 'collector',
    summary: 'Receive one customer email (raw MIME, Content-Type message/rfc822)',
    description:
      `The body is the message as received, at most INBOUND_MAX_BYTES (${replies.limits.maxBytes} bytes here; larger: 413). ` +
      'It is threaded, classified, stored once per Message-ID (a repeat answers `duplicate: true` and does nothing) and acted on.',
    bodyLimit: replies.limits.maxBytes,
    responses: {
      200: {
        description: 'What became of the message',
        schema: z.object({
          customer: z.string().nullable(),
          contact: z.string().nullable(),
          reply: z.string(),
          classification: z.string(),
          promisedOn: z.string().nullable(),
          actions: z.array(z.string()),
          duplicate: z.boolean(),
        }),
      },
    },
    handler: async ({ request, reply }) => {
      if (!Buffer.isBuffer(request.body) || request.body.length === 0) {
        return reply
          .code(400)
          .type('application/problem+json')
          .send({ type: 'about:blank', title: 'Bad Request', status: 400, detail: `body: send the raw message as ${MESSAGE_RFC822}` });
      }
      return receiveEmail(replies, { raw: request.body, source: 'http', sourceRef: null });
    },
  });
  return [post];
}
