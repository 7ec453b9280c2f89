import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import {
  unsubscribeByLink,
  unsubscribeLinkState,
  type ConsentDependencies,
  type UnsubscribeLinkState,
} from '../consent/consent.service.js';
import { PAGE_HEADERS, page } from './pages.js';

export interface UnsubscribeRoutesOptions {
  consent: ConsentDependencies;
  /** Signs and verifies the tokens in unsubscribe links. */
  secret: string;
  companyName: string;
}

interface TokenRoute {
  Params: { token: string };
}

/**
 * Email one-click unsubscribe (RFC 8058). `POST /unsubscribe/:token` — what mailbox providers
 * send for `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, and what the page's button sends —
 * records the opt-out. `GET` only shows the page: link scanners prefetch URLs, so a GET must
 * never unsubscribe. A token we did not sign gets a 404 page.
 */
export const unsubscribeRoutes: FastifyPluginAsync<UnsubscribeRoutesOptions> = async (app, options) => {
  // RFC 8058 allows multipart/form-data too; the body carries nothing we need.
  app.addContentTypeParser('multipart/form-data', { parseAs: 'string' }, (_request, _body, done) => done(null, {}));

  const render = (reply: FastifyReply, state: UnsubscribeLinkState, afterPost: boolean) => {
    const company = options.companyName;
    if (state === 'invalid') {
      return reply
        .code(404)
        .headers(PAGE_HEADERS)
        .send(page('Link not found', 'This unsubscribe link is not valid. Please use the link in our most recent email.'));
    }
    if (state === 'unsubscribed') {
      const message = afterPost
        ? `You will no longer receive payment reminders by email from ${company}.`
        : `You are already unsubscribed from payment reminders by email from ${company}.`;
      return reply.code(200).headers(PAGE_HEADERS).send(page('Unsubscribed', message));
    }
    return reply
      .code(200)
      .headers(PAGE_HEADERS)
      .send(
        page('Unsubscribe', `Stop receiving payment reminders by email from ${company}?`, {
          label: 'Unsubscribe',
          field: 'List-Unsubscribe',
          value: 'One-Click',
        }),
      );
  };

  app.get<TokenRoute>('/unsubscribe/:token', async (request, reply) =>
    render(reply, await unsubscribeLinkState(options.consent, options.secret, request.params.token), false),
  );

  app.post<TokenRoute>('/unsubscribe/:token', async (request, reply) =>
    render(reply, await unsubscribeByLink(options.consent, options.secret, request.params.token), true),
  );
};
