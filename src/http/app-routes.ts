import type { ReplyDependencies } from '../replies/receive.js';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CaseDependencies } from '../cases/case-action.js';
import type { PrismaClient } from '../db/client.js';
import type { CopyOut } from '../db/sql.js';
import type { RedisConnection } from '../jobs/connection.js';
import type { Logger } from '../logging/logger.js';
import { aggregateFreshness } from '../reports/sources/aggregate-freshness.js';
import { roleAtLeast } from '../users/scopes.js';
import { apiPlugin } from './api/api.plugin.js';
import { caseRoutes } from './api/case.routes.js';
import type { ApiRoute } from './api/route.js';
import { sessionOf, type SessionSettings } from './auth/principal.js';
import { addSecurityHeaders } from './auth/security-headers.js';
import { caseConsoleActions } from './console/case-forms.js';
import { consolePlugin, type ConsoleActions } from './console/console.plugin.js';
import type { CustomerOutlook } from './console/customer.routes.js';
import type { ReplyActionDependencies } from './console/replies.routes.js';
import { metricsPlugin, QueueInspector } from './metrics.js';
import { checkTextOfEveryRequest } from './text-input.js';

/** Settings of the staff-facing part of `arrears serve`: console, API, probes, metrics. */
export interface AppHttpOptions {
  /** Signs console session cookies (SESSION_SECRET) and how long sessions live. */
  sessions: SessionSettings;
  /** Cookies only over https (PUBLIC_BASE_URL is https). */
  secureCookies: boolean;
  /** Policy ids a customer may name (API upserts). */
  knownPolicies: ReadonlySet<string>;
  /** Zone "today" is read in for reports (TICK_TZ). */
  timeZone: string;
  /** BASE_CURRENCY: amounts of different currencies are converted to it before they are added or ranked. */
  baseCurrency: string;
  /** Null: no queues page, no queue metrics, /readyz reports Redis as not configured. */
  redis: RedisConnection | null;
  /** The planner behind `arrears plan --explain`, for the customer page's ladder and next action. */
  outlook?: CustomerOutlook;
  /** DASHBOARD_REFRESH_SECONDS. */
  dashboardRefreshSeconds?: number;
  /** The reply path, for `POST /api/v1/inbound/email`, when present. */
  replies?: ReplyDependencies;
  /** Case actions (issue 6's services) for the API and the console, when present. */
  caseActions?: { api: ApiRoute<any, any, any>[]; console: ConsoleActions };
  /** The console Replies page's actions (the reply path's and the case services' dependencies), when present. */
  replyActions?: ReplyActionDependencies;
  /** COPY through the plain `pg` pool, for the API's aging report (see `loadAgingReportJson`); without it, through Prisma. */
  copy?: CopyOut;
}

export const SESSION_SECRET_FILE = 'session.secret';

/**
 * Whether a browser says the request comes from this site's own pages: `Sec-Fetch-Site:
 * same-origin`, or (older browsers) an `Origin` whose host is the request's Host or
 * PUBLIC_BASE_URL's. Neither header: refused.
 */
export function fromThisOrigin(request: FastifyRequest, publicBaseUrl: string | null): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin';
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return false;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  return host === request.headers.host || (publicBaseUrl !== null && host === new URL(publicBaseUrl).host);
}
export const BOARD_PATH = '/console/queues/board';

/** The case actions (issue 6's services) as API routes and console forms. */
export function caseHttpActions(cases: CaseDependencies): NonNullable<AppHttpOptions['caseActions']> {
  return { api: caseRoutes(cases), console: caseConsoleActions(cases) };
}

export async function registerAppRoutes(
  app: FastifyInstance,
  options: AppHttpOptions & { prisma: PrismaClient; logger: Logger; clock: () => Date; publicBaseUrl: string | null },
): Promise<void> {
  const queues = options.redis ? new QueueInspector(options.redis) : null;
  if (queues) {
    app.addHook('onClose', () =>
      queues.close().catch((error: unknown) => options.logger.error({ err: error, resource: 'http queues' }, 'failed to close')),
    );
  }
  addSecurityHeaders(app);
  // The staff-facing routes in one scope, so that its hooks stop at the provider-facing ones.
  await app.register(async (scope) => registerStaffRoutes(scope, { ...options, queues }));
}

async function registerStaffRoutes(
  app: FastifyInstance,
  options: AppHttpOptions & {
    prisma: PrismaClient;
    logger: Logger;
    clock: () => Date;
    publicBaseUrl: string | null;
    queues: QueueInspector | null;
  },
): Promise<void> {
  const { prisma, clock, queues } = options;
  // One refresh policy for the pre-aggregates, so the dashboard and the API's CEI share refreshes.
  const aggregates = aggregateFreshness({
    prisma,
    clock,
    refreshSeconds: options.dashboardRefreshSeconds ?? 300,
    background: true,
    log: (error) => options.logger.error({ err: error }, 'refreshing the pre-aggregated reports failed'),
  });
  // One text check (NUL, unpaired surrogates, bidi controls) for every body, query and path of the console, API, metrics and board.
  checkTextOfEveryRequest(app);

  app.get('/', async (_request, reply) => reply.redirect('/console/worklist', 303));
  await app.register(metricsPlugin, { prisma, queues, clock });
  await app.register(apiPlugin, {
    prefix: '/api/v1',
    prisma,
    clock,
    knownPolicies: options.knownPolicies,
    timeZone: options.timeZone,
    baseCurrency: options.baseCurrency,
    aggregates,
    ...(options.caseActions ? { extraRoutes: options.caseActions.api } : {}),
    ...(options.replies ? { replies: options.replies } : {}),
    ...(options.copy ? { copy: options.copy } : {}),
  });
  if (queues) {
    // bull-board: its own UI (which needs an inline bootstrap script), behind the console session.
    // Managers may look; only admins may act. Its buttons call its JSON API with fetch, which can
    // carry no form token, so every non-GET must come from this origin (Sec-Fetch-Site, else
    // Origin): a form posted from a sibling site, which SameSite=Lax lets through with the
    // cookie, is refused.
    await app.register(async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        const { principal } = await sessionOf(prisma, request, options.sessions, clock());
        if (principal === null) return reply.redirect(`/console/login?next=${encodeURIComponent('/console/queues')}`, 303);
        const reading = request.method === 'GET' || request.method === 'HEAD';
        if (!roleAtLeast(principal.role, reading ? 'manager' : 'admin')) {
          return reply
            .code(403)
            .type('text/plain')
            .send(reading ? 'managers and admins only' : 'the queue board is read-only below the admin role');
        }
        if (!reading && !fromThisOrigin(request, options.publicBaseUrl)) {
          return reply.code(403).type('text/plain').send('refused: the request did not come from this site');
        }
        reply.header(
          'content-security-policy',
          "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
        );
        return undefined;
      });
      const serverAdapter = new FastifyAdapter();
      serverAdapter.setBasePath(BOARD_PATH);
      createBullBoard({ queues: queues.bullQueues().map((q) => new BullMQAdapter(q)), serverAdapter });
      await scope.register(serverAdapter.registerPlugin(), { prefix: BOARD_PATH });
    });
  }
  await app.register(consolePlugin, {
    prefix: '/console',
    prisma,
    clock,
    sessions: options.sessions,
    secureCookies: options.secureCookies,
    timeZone: options.timeZone,
    baseCurrency: options.baseCurrency,
    queues,
    boardUrl: queues ? `${BOARD_PATH}/` : null,
    aggregates,
    ...(options.caseActions ? { actions: options.caseActions.console } : {}),
    ...(options.replyActions ? { replyActions: options.replyActions } : {}),
    ...(options.outlook ? { outlook: options.outlook } : {}),
  });
}
