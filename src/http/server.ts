import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { SmsReplyCompany } from '../consent/consent.service.js';
import { dateOf, type Clock } from '../core/clock.js';
import type { PrismaClient } from '../db/client.js';
import type { Logger } from '../logging/logger.js';
import type { ReplyDependencies } from '../replies/receive.js';
import { registerAppRoutes, type AppHttpOptions } from './app-routes.js';
import { boundJsonBodies } from './json-body.js';
import { unsubscribeRoutes } from './unsubscribe.routes.js';
import { emailBounceRoutes } from './webhooks/email-bounce.routes.js';
import { twilioRoutes } from './webhooks/twilio.routes.js';

/** What the HTTP server needs; the composition root (`src/app/http.ts`) builds it from config. */
export interface HttpDependencies {
  prisma: PrismaClient;
  logger: Logger;
  company: SmsReplyCompany;
  /** Without a trailing slash. Null: no unsubscribe links were issued and Twilio cannot be verified, so those routes are off. */
  publicBaseUrl: string | null;
  /** Signs unsubscribe links; needed with `publicBaseUrl`. */
  unsubscribeSecret: string | null;
  /** Null: the Twilio webhooks are off. */
  twilioAuthToken: string | null;
  /** Null: `POST /webhooks/email/bounce` is off. */
  emailWebhookSecret: string | null;
  /** How far a signed bounce report's timestamp may be from now, in seconds. */
  webhookMaxAgeSeconds: number;
  /** The reply path: an inbound SMS that is no keyword is a customer's reply. */
  replies: ReplyDependencies;
  /** The process's clock: token and session expiry, consent changes, reports' "today". */
  clock: Clock;
  /** The console, REST API, /readyz and /metrics; absent = provider-facing routes only. */
  app?: AppHttpOptions;
}

/**
 * Fastify's own request lines carry the URL, which holds unsubscribe tokens. Instead: one line
 * per request with the route pattern (`/unsubscribe/:token`), status and time; /healthz at debug.
 */
class RouteLogController extends LogController {
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const route = request.routeOptions.url ?? '(no route)';
    const entry = { method: request.method, route, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (error) request.log.error({ ...entry, err: error }, 'request failed');
    else if (route === '/healthz') request.log.debug(entry, 'request');
    else request.log.info(entry, 'request');
  }
}

/** Form and JSON bodies from providers are small; anything bigger is refused with 413. */
const BODY_LIMIT = 64 * 1024;

/**
 * The provider- and customer-facing HTTP server: `/healthz`, email one-click unsubscribe, Twilio
 * status and inbound webhooks, email bounces. Each route group is on only when its settings
 * are. Not listening yet: call `listen()`, or `inject()` in tests.
 *
 * Logs carry the route pattern (`/unsubscribe/:token`), never the URL, a body, a phone number or
 * a signature.
 */
export async function buildHttpServer(deps: HttpDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the instance's default generics.
    loggerInstance: deps.logger.child({ component: 'http' }) as FastifyBaseLogger,
    logController: new RouteLogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    return503OnClosing: true,
  });
  const consent = { prisma: deps.prisma, clock: dateOf(deps.clock) };

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  boundJsonBodies(app);

  app.setNotFoundHandler((_request, reply) => reply.code(404).type('text/plain').send('not found'));

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const statusCode = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (statusCode >= 500) request.log.error({ err: error, route: request.routeOptions.url }, 'request failed');
    else request.log.info({ code: error.code, route: request.routeOptions.url, statusCode }, 'request refused');
    return reply
      .code(statusCode)
      .type('text/plain')
      .send(statusCode >= 500 ? 'internal error' : (error.code ?? 'bad request'));
  });

  app.get('/healthz', async (_request, reply) => reply.code(200).send({ status: 'ok' }));

  if (deps.publicBaseUrl && deps.unsubscribeSecret) {
    await app.register(unsubscribeRoutes, { consent, secret: deps.unsubscribeSecret, companyName: deps.company.name });
  }
  if (deps.publicBaseUrl && deps.twilioAuthToken) {
    await app.register(twilioRoutes, {
      consent,
      replies: deps.replies,
      company: deps.company,
      authToken: deps.twilioAuthToken,
      publicBaseUrl: deps.publicBaseUrl,
    });
  } else {
    app.log.warn('Twilio webhooks are off: they need PUBLIC_BASE_URL and TWILIO_AUTH_TOKEN');
  }
  if (deps.emailWebhookSecret) {
    await app.register(emailBounceRoutes, { consent, secret: deps.emailWebhookSecret, maxAgeSeconds: deps.webhookMaxAgeSeconds });
  }
  if (deps.app)
    await registerAppRoutes(app, {
      prisma: deps.prisma,
      logger: deps.logger,
      clock: consent.clock,
      publicBaseUrl: deps.publicBaseUrl,
      ...deps.app,
    });
  return app;
}
