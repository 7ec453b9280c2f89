import type { CaseDependencies } from '../cases/case-action.js';
import { resolveSecretFile, resolveUnsubscribeSecret } from '../dunning/unsubscribe-token.js';
import { caseHttpActions, SESSION_SECRET_FILE, type AppHttpOptions } from '../http/app-routes.js';
import type { HttpDependencies } from '../http/server.js';
import { caseOutlook } from '../dunning/standing.js';
import { loadPolicies } from '../workflows/load-policies.js';
import { loadDunningRules } from '../workflows/load-rules.js';
import type { Runtime } from './runtime.js';
import type { ReplyDependencies } from '../replies/receive.js';
import { replyDependencies } from './services.js';

/**
 * The composition root's last stage for `arrears serve`: the HTTP server's dependencies from the
 * runtime's config (creating the unsubscribe and session secret files when they are unset).
 * With `cases` (see `openCaseServices`), the API and the console also offer the case actions, and
 * the console's Replies page its actions (confirm, dismiss, handled, assign).
 */
export async function httpDependencies(runtime: Runtime, options: { cases?: CaseDependencies } = {}): Promise<HttpDependencies> {
  const { config, prisma, logger, clock } = runtime;
  const { publicBaseUrl } = config.http;
  const replies = await replyDependencies(runtime);
  const app = await appHttpOptions(runtime, replies);
  return {
    prisma,
    logger,
    clock,
    company: config.company,
    publicBaseUrl,
    unsubscribeSecret: publicBaseUrl ? await resolveUnsubscribeSecret(config.http.unsubscribeSecret, config.dataDir) : null,
    twilioAuthToken: config.http.twilioAuthToken,
    emailWebhookSecret: config.http.emailWebhookSecret,
    webhookMaxAgeSeconds: config.http.webhookMaxAgeSeconds,
    replies,
    app: {
      ...app,
      ...(options.cases
        ? {
            caseActions: caseHttpActions(options.cases),
            ...(app.replies ? { replyActions: { replies: app.replies, cases: options.cases } } : {}),
          }
        : {}),
    },
  };
}

/** How far ahead the customer page looks for the next planned action (as `arrears plan --days`). */
const OUTLOOK_DAYS = 120;

/** The console's and API's settings (creates `session.secret` in the data dir when SESSION_SECRET is unset). */
async function appHttpOptions(runtime: Runtime, replies: ReplyDependencies): Promise<AppHttpOptions> {
  const { config } = runtime;
  const policies = await loadPolicies(config.policiesDir);
  const rules = await loadDunningRules(config.rulesFile);
  return {
    copy: runtime.db,
    sessions: {
      secret: await resolveSecretFile(config.http.sessionSecret, config.dataDir, SESSION_SECRET_FILE, 'SESSION_SECRET'),
      lifetimes: config.http.sessionLifetimes,
    },
    secureCookies: config.http.publicBaseUrl?.startsWith('https://') ?? false,
    knownPolicies: new Set(policies.keys()),
    timeZone: config.queue.tickTimeZone,
    baseCurrency: config.baseCurrency,
    redis: runtime.redis,
    outlook: (caseId, asOf) => caseOutlook({ policies, rules }, runtime.db, caseId, asOf, OUTLOOK_DAYS),
    dashboardRefreshSeconds: config.http.dashboardRefreshSeconds,
    replies,
  };
}
