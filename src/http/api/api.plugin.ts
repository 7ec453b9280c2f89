import type { FastifyPluginAsync } from 'fastify';
import type { AggregateFreshness } from '../../reports/sources/aggregate-freshness.js';
import type { PrismaClient } from '../../db/client.js';
import type { CopyOut } from '../../db/sql.js';
import { escapeHtml } from '../pages.js';
import { principalFromBearer } from '../auth/principal.js';
import { exchangeRateRoutes } from './exchange-rates.routes.js';
import type { ReplyDependencies } from '../../replies/receive.js';
import { inboundRoutes, MESSAGE_RFC822 } from './inbound.routes.js';
import { ledgerRoutes } from './ledger.routes.js';
import { BadParameter } from '../query-params.js';
import { TextInputError } from '../text-input.js';
import { ProblemError, fieldPath, sendProblem } from './problem.js';
import { readRoutes } from './read.routes.js';
import { referenceRateRoutes } from './reference-rates.routes.js';
import { openApiDocument, registerApiRoute, type ApiRoute } from './route.js';

export interface ApiPluginOptions {
  prisma: PrismaClient;
  knownPolicies: ReadonlySet<string>;
  timeZone: string;
  /** BASE_CURRENCY: what exchange rates are quoted against. */
  baseCurrency: string;
  clock: () => Date;
  /** The pre-aggregates' refresh policy (DASHBOARD_REFRESH_SECONDS): the CEI report reads them. */
  aggregates: AggregateFreshness;
  /** The reply path, for `POST /inbound/email`, when available. */
  replies?: ReplyDependencies;
  /** Case-action routes (issue 6's services), when available. */
  extraRoutes?: ApiRoute<any, any, any>[];
  /** COPY through the plain `pg` pool, for the aging report; without it, through Prisma. */
  copy?: CopyOut;
}

/** The API's routes open to anyone: its own description. */
const PUBLIC = new Set(['/api/v1/openapi.json', '/api/v1/docs']);

/** Every API route, in document order. */
export function apiRoutes(options: ApiPluginOptions): ApiRoute<any, any, any>[] {
  return [
    ...ledgerRoutes(options),
    ...exchangeRateRoutes(options),
    ...referenceRateRoutes(options),
    ...readRoutes(options),
    ...(options.replies ? inboundRoutes(options.replies) : []),
    ...(options.extraRoutes ?? []),
  ];
}

/**
 * `/api/v1`: bearer tokens only (no cookies, so no CSRF surface), JSON problem bodies for every
 * error, the OpenAPI document and a docs page generated from the same route definitions.
 */
export const apiPlugin: FastifyPluginAsync<ApiPluginOptions> = async (app, options) => {
  const routes = apiRoutes(options);
  const document = openApiDocument(routes, { title: 'Arrears API', version: '1' });

  // Raw MIME stays bytes; Fastify reads it up to the route's bodyLimit (INBOUND_MAX_BYTES) and answers 413 past it.
  app.addContentTypeParser(MESSAGE_RFC822, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.decorateRequest('principal', null);
  // Authenticated before the body is read: a stranger's body, however large, is never parsed.
  app.addHook('onRequest', async (request, reply) => {
    request.principal = await principalFromBearer(options.prisma, request, options.clock());
    if (request.principal === null && !PUBLIC.has(request.routeOptions.url ?? '')) {
      return sendProblem(reply.header('www-authenticate', 'Bearer'), 401, 'a bearer token is required');
    }
    return undefined;
  });

  app.setNotFoundHandler((request, reply) => sendProblem(reply, 404, `no route ${request.method} ${request.url.split('?')[0]}`));
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof ProblemError) return sendProblem(reply, error.status, error.message, error.errors);
    if (error instanceof TextInputError) {
      const root = error.where === 'body' ? '' : error.where;
      const problems = error.problems.map(({ path, message }) => {
        const index = path[0] === 'items' && typeof path[1] === 'number' ? path[1] : undefined;
        return { field: fieldPath(path, root), ...(index !== undefined ? { index } : {}), message };
      });
      return sendProblem(reply, 400, `invalid ${error.where}`, problems);
    }
    if (error instanceof BadParameter) return sendProblem(reply, 400, 'invalid query', [{ field: error.parameter, message: error.detail }]);
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error, route: request.routeOptions.url }, 'request failed');
      return sendProblem(reply, 500, 'internal error');
    }
    return sendProblem(reply, status, error.message);
  });

  app.get('/openapi.json', async () => document);
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(docsPage(routes)));
  for (const route of routes) registerApiRoute(app, route);
};

function docsPage(routes: readonly ApiRoute<any, any, any>[]): string {
  const rows = routes
    .map(
      (r) =>
        `<tr><td><code>${r.method}</code></td><td><code>/api/v1${escapeHtml(r.url)}</code></td><td>${escapeHtml(r.summary)}` +
        `${r.description ? `<br><small>${escapeHtml(r.description)}</small>` : ''}</td><td><code>${r.scope}</code></td><td>${r.role}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Arrears API</title><link rel="stylesheet" href="/console/assets/app.css"></head><body><main class="wide">
<h1>Arrears API v1</h1>
<p>Machine-readable description: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1). Authenticate with
<code>Authorization: Bearer &lt;token&gt;</code>; create a token with <code>arrears tokens create --user EMAIL --scopes …</code>.
Errors are <code>application/problem+json</code>; a 400 lists each bad field (and, for bulk bodies, the item's index).</p>
<table><caption>Endpoints</caption><thead><tr><th scope="col">Method</th><th scope="col">Path</th><th scope="col">What</th><th scope="col">Scope</th><th scope="col">Least role</th></tr></thead>
<tbody>${rows}</tbody></table></main></body></html>`;
}
