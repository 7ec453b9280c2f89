import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AggregateFreshness } from '../../reports/sources/aggregate-freshness.js';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import type { PrismaClient, UserRole } from '../../db/client.js';
import { findContactLog } from '../../db/contact-log.repository.js';
import { roleAtLeast } from '../../users/scopes.js';
import { authenticatePassword } from '../../users/user.service.js';
import { contactLogFilter } from '../api/read.routes.js';
import {
  BadParameter,
  dateParameter,
  decodeCursor,
  encodeCursor,
  instantCursor,
  knownParameters,
  oneOfParameter,
} from '../query-params.js';
import { TextInputError } from '../text-input.js';
import { endSession, openSession, sessionOf, type SessionSettings } from '../auth/principal.js';
import { ConcurrencyLimit, RateLimiter } from '../auth/rate-limit.js';
import { anonymousSession, clearedSessionCookie, encodeSession, sameToken, sessionCookie, type Session } from '../auth/session.js';
import { WORKER_SILENT_AFTER_MS } from '../../jobs/heartbeat.js';
import type { QueueInspector } from '../metrics.js';
import { registerDashboardRoutes } from './dashboard.routes.js';
import { createViews, type LayoutContext } from './views.js';
import { registerCustomerRoutes, type CustomerOutlook } from './customer.routes.js';
import { registerReplyRoutes, type ReplyActionDependencies } from './replies.routes.js';
import { registerWorklistRoutes } from './worklist.routes.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Least role for a console route; absent = open (login, assets). */
    role?: UserRole;
  }
}

/** Case-action forms mounted on the customer page (issue 6's services), when available. */
export interface ConsoleActions {
  /** Extra routes under /console (each must declare `config.role`; CSRF is checked for every POST). */
  register(app: Parameters<FastifyPluginAsync>[0], helpers: ConsoleHelpers): void | Promise<void>;
  /** Context for the `actions` partial on the customer page. */
  formsFor(request: FastifyRequest, customer: { id: string; externalId: string }): Promise<Record<string, unknown> | null>;
}

export interface ConsoleHelpers {
  /** The reader's zone (their own, else TICK_TZ): "today" and times on pages, unless a customer's zone is named. */
  readerZone(request: FastifyRequest): string;
  page(
    request: FastifyRequest,
    reply: FastifyReply,
    view: string,
    context: Record<string, unknown> & { title: string },
    status?: number,
  ): FastifyReply;
  errorPage(request: FastifyRequest, reply: FastifyReply, status: number, message: string): FastifyReply;
  /** The flash message the previous response set, with its form state ({@link flashOf}). */
  flash(request: FastifyRequest): Flash | null;
  /** `form` names the form whose `fields` (field → message) and `values` the next page shows again ({@link flashOf}). */
  flashRedirect(reply: FastifyReply, to: string, message: string, error?: boolean, form?: FlashForm): FastifyReply;
}

/** A form's errors and entered values, carried to the page a POST redirects to. */
export interface FlashForm {
  form: string;
  fields: Record<string, string>;
  values?: Record<string, string>;
}

export interface Flash {
  message: string;
  error?: boolean;
  form?: FlashForm;
}

export interface ConsolePluginOptions {
  prisma: PrismaClient;
  sessions: SessionSettings;
  secureCookies: boolean;
  /** Zone "today" is read in (TICK_TZ). */
  timeZone: string;
  /** BASE_CURRENCY: the worklist ranks and totals in it. */
  baseCurrency: string;
  clock: () => Date;
  queues: QueueInspector | null;
  /** Path of the mounted bull-board, if any. */
  boardUrl: string | null;
  actions?: ConsoleActions;
  /** The Replies page's actions (confirm, dismiss, handled, assign); absent: the page is read-only. */
  replyActions?: ReplyActionDependencies;
  /** The planner for the customer page's "next planned action" (absent: the page shows the recorded step only). */
  outlook?: CustomerOutlook;
  /** When the dashboard's aggregates are refreshed (DASHBOARD_REFRESH_SECONDS), shared with the API's CEI. */
  aggregates: AggregateFreshness;
}

/** Password checks (scrypt, ~50 ms of one core each) run at most this many at once; this many more may wait, the rest get 429. */
const LOGIN_CHECKS_RUNNING = 4;
const LOGIN_CHECKS_WAITING = 8;
const ASSETS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');
const CHANNELS = ['email', 'sms', 'call', 'note', 'letter'];
const STATUSES = ['queued', 'sending', 'sent', 'delivered', 'failed', 'bounced', 'undelivered', 'cancelled', 'logged'];
const ERROR_HEADINGS: Readonly<Record<number, string>> = {
  400: 'That request could not be used',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Page not found',
  413: 'That was too much to send',
  415: 'That request could not be used',
  429: 'Too many attempts',
  500: 'Something went wrong',
};

type Form = Record<string, string | undefined>;
const form = (request: FastifyRequest): Form => (request.body && typeof request.body === 'object' ? (request.body as Form) : {});
const safeNext = (next: string | undefined) => (next && /^\/console\/[A-Za-z0-9/_\-.?=&%]*$/.test(next) ? next : '/console/worklist');

/** The server-rendered console under /console: sessions, CSRF, the worklist, customers, dashboard, queues. */
export const consolePlugin: FastifyPluginAsync<ConsolePluginOptions> = async (app, options) => {
  const { prisma } = options;
  const views = createViews();
  const css = readFileSync(path.join(ASSETS, 'app.css'), 'utf8');
  // Sign-in limits, all checked before the password is hashed: per address and email, per
  // address, per account from any address, and password checks in flight across the process.
  const loginByAddressAndAccount = new RateLimiter(5, 60_000);
  const loginByAddress = new RateLimiter(30, 60_000);
  const loginByAccount = new RateLimiter(10, 15 * 60_000);
  const passwordChecks = new ConcurrencyLimit(LOGIN_CHECKS_RUNNING, LOGIN_CHECKS_WAITING);

  app.decorateRequest('principal', null);
  app.decorateRequest('session', null);

  const setSession = (reply: FastifyReply, session: Session, now: Date) =>
    reply.header(
      'set-cookie',
      sessionCookie(
        encodeSession(options.sessions.secret, session),
        options.secureCookies,
        session.expires - Math.floor(now.getTime() / 1000),
      ),
    );

  const layout = (request: FastifyRequest): LayoutContext => {
    const user = request.principal;
    return {
      title: '',
      csrf: request.session?.csrf ?? '',
      user: user
        ? { name: user.name, role: user.role, isManager: roleAtLeast(user.role, 'manager'), isAdmin: user.role === 'admin' }
        : null,
      flash: flashOf(request),
      readerZone: request.principal?.timeZone ?? options.timeZone,
    };
  };

  const helpers: ConsoleHelpers = {
    readerZone: (request) => request.principal?.timeZone ?? options.timeZone,
    flash: (request) => flashOf(request),
    page: (request, reply, view, context, status = 200) =>
      reply
        .code(status)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(views.render(view, { ...layout(request), ...context })),
    errorPage: (request, reply, status, message) =>
      helpers.page(
        request,
        reply,
        'error',
        { title: ERROR_HEADINGS[status] ?? 'Error', heading: ERROR_HEADINGS[status] ?? 'Error', message },
        status,
      ),
    flashRedirect: (reply, to, message, error = false, formState) =>
      reply
        .header(
          'set-cookie',
          `arrears_flash=${flashCookieValue({ message, error, ...(formState ? { form: formState } : {}) })}; Path=/console; HttpOnly; SameSite=Lax; Max-Age=60${options.secureCookies ? '; Secure' : ''}`,
        )
        .redirect(to, 303),
  };

  // Before any body is read: who is calling (a live session's last-seen time moves forward in
  // Postgres), the route's least role, and the console takes form bodies only. A stranger's body is never parsed.
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/console/assets/')) return undefined;
    const now = options.clock();
    const { session, principal } = await sessionOf(prisma, request, options.sessions, now);
    request.session = session;
    request.principal = principal;
    if (/(?:^|;\s*)arrears_flash=/.test(request.headers.cookie ?? '')) {
      reply.header(
        'set-cookie',
        `arrears_flash=; Path=/console; HttpOnly; SameSite=Lax; Max-Age=0${options.secureCookies ? '; Secure' : ''}`,
      );
    }
    const role = request.routeOptions.config.role;
    if (role !== undefined) {
      if (request.principal === null) {
        if (request.method === 'GET') return reply.redirect(`/console/login?next=${encodeURIComponent(request.url)}`, 303);
        return helpers.errorPage(request, reply, 401, 'Your session has ended. Sign in again.');
      }
      if (!roleAtLeast(request.principal.role, role)) {
        return helpers.errorPage(
          request,
          reply,
          403,
          `This page is for the ${role} role and above; you are signed in as ${request.principal.role}.`,
        );
      }
    }
    const type = request.headers['content-type'];
    if (
      request.method !== 'GET' &&
      request.method !== 'HEAD' &&
      type !== undefined &&
      !/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)
    ) {
      return helpers.errorPage(request, reply, 415, 'The console takes HTML form posts only.');
    }
    return undefined;
  });

  // CSRF on every state-changing request (the body's text was checked by the app's hook).
  app.addHook('preHandler', async (request, reply) => {
    if (request.method === 'POST' && (request.session === null || !sameToken(form(request)._csrf, request.session.csrf))) {
      return helpers.errorPage(request, reply, 403, 'This form has expired or did not come from this site. Reload the page and try again.');
    }
    return undefined;
  });

  app.setNotFoundHandler((request, reply) => helpers.errorPage(request, reply, 404, 'There is nothing at this address.'));
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof TextInputError) {
      const fields = error.problems.map(({ path, message }) => `${String(path.at(-1) ?? 'the address')} ${message}`).join('; ');
      return helpers.errorPage(request, reply, 400, `Nothing was saved: ${fields}.`);
    }
    if (error instanceof BadParameter) return helpers.errorPage(request, reply, 400, error.message);
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error, route: request.routeOptions.url }, 'request failed');
    return helpers.errorPage(
      request,
      reply,
      status,
      status >= 500 ? 'The error was logged. Try again, or tell your administrator.' : error.message,
    );
  });

  app.get('/assets/app.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
  );
  app.get('/', async (_request, reply) => reply.redirect('/console/worklist', 303));

  // ─── sign in / out ───
  app.get<{ Querystring: { next?: string } }>('/login', async (request, reply) => {
    if (request.principal) return reply.redirect(safeNext(request.query.next), 303);
    if (request.session === null) {
      const now = options.clock();
      request.session = anonymousSession(now);
      setSession(reply, request.session, now);
    }
    return helpers.page(request, reply, 'login', { title: 'Sign in', narrow: true, next: safeNext(request.query.next) });
  });

  // The one form a stranger may post: a small body limit (an email and a password).
  app.post('/login', { bodyLimit: 8 * 1024 }, async (request, reply) => {
    const { email = '', password = '', next } = form(request);
    const now = options.clock();
    const account = email.trim().toLowerCase();
    const wait = Math.max(
      loginByAddress.hit(request.ip, now.getTime()),
      loginByAddressAndAccount.hit(`${request.ip}|${account}`, now.getTime()),
      loginByAccount.hit(account, now.getTime()),
    );
    const again = (status: number, error: string) =>
      helpers.page(request, reply, 'login', { title: 'Sign in', narrow: true, next: safeNext(next), email, error }, status);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      return again(429, `Too many sign-in attempts. Try again in ${wait} seconds.`);
    }
    const checked = await passwordChecks.run(() => authenticatePassword(prisma, email, password));
    if (checked === null) {
      reply.header('retry-after', '5');
      return again(429, 'Too many sign-ins at once. Try again in a few seconds.');
    }
    const user = checked.value;
    if (user === null) return again(401, 'That email and password do not match an active user.');
    loginByAddressAndAccount.reset(`${request.ip}|${account}`);
    loginByAccount.reset(account);
    // A new session every sign-in (new token, new CSRF token); one this browser held before ends.
    await endSession(prisma, request.session, now);
    setSession(reply, await openSession(prisma, user.id, options.sessions, now), now);
    request.log.info({ userId: user.id }, 'signed in');
    return reply.redirect(safeNext(next), 303);
  });

  app.post('/logout', async (request, reply) => {
    await endSession(prisma, request.session, options.clock());
    reply.header('set-cookie', clearedSessionCookie(options.secureCookies));
    return reply.redirect('/console/login', 303);
  });

  registerWorklistRoutes(app, helpers, options);

  // ─── customer page ───
  registerCustomerRoutes(app, helpers, {
    prisma,
    clock: options.clock,
    outlook: options.outlook ?? null,
    actions: options.actions,
  });

  registerReplyRoutes(app, helpers, { prisma, actions: options.replyActions ?? null });

  // ─── contact log ───
  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/contact-log',
    { config: { role: 'collector' } },
    async (request, reply) => {
      const q = knownParameters(request.query, ['customer', 'channel', 'status', 'from', 'to', 'actor', 'cursor']);
      const filter = contactLogFilter({
        customer: q.customer || undefined,
        channel: oneOfParameter('channel', q.channel, CHANNELS) as never,
        status: oneOfParameter('status', q.status, STATUSES) as never,
        from: dateParameter('from', q.from),
        to: dateParameter('to', q.to),
        actor: q.actor || undefined,
      });
      const position = decodeCursor('cursor', q.cursor, instantCursor);
      const cursor = position ? { createdAt: new Date(position.t), id: position.id } : null;
      const { entries, next } = await findContactLog(prisma, filter, { limit: 100, cursor });
      const params = Object.fromEntries(Object.entries(q).filter(([k, v]) => k !== 'cursor' && v)) as Record<string, string>;
      return helpers.page(request, reply, 'contact-log', {
        title: 'Contact log',
        nav: 'contact-log',
        entries,
        filter: q,
        channels: CHANNELS.map((value) => ({ value, selected: value === q.channel })),
        statuses: STATUSES.map((value) => ({ value, selected: value === q.status })),
        nextUrl: next
          ? `/console/contact-log?${new URLSearchParams({ ...params, cursor: encodeCursor({ t: next.createdAt.toISOString(), id: next.id }) }).toString()}`
          : null,
      });
    },
  );

  // ─── manager dashboard ───
  registerDashboardRoutes(app, helpers, {
    prisma,
    clock: options.clock,
    aggregates: options.aggregates,
    baseCurrency: options.baseCurrency,
    canAcknowledge: options.actions !== undefined,
  });

  // ─── queues (admins) ───
  app.get('/queues', { config: { role: 'admin' } }, async (request, reply) => {
    if (options.queues === null)
      return helpers.errorPage(request, reply, 404, 'Queues are not available: this server has no Redis connection.');
    const now = options.clock();
    const [snapshot, workers] = await Promise.all([options.queues.snapshot(now), options.queues.workers(now)]);
    const alive = workers.filter((w) => now.getTime() - Date.parse(w.lastSeenAt) <= WORKER_SILENT_AFTER_MS);
    const waiting = snapshot.queues.reduce((sum, q) => sum + (q.counts.waiting ?? 0) + (q.counts.prioritized ?? 0), 0);
    const zone = helpers.readerZone(request);
    const seen = (iso: string) => DateTime.fromISO(iso).setZone(zone).toFormat('d LLL yyyy, HH:mm:ss');
    return helpers.page(request, reply, 'queues', {
      title: 'Queues',
      nav: 'queues',
      boardUrl: options.boardUrl,
      timeZone: zone,
      // Jobs wait and no worker has been seen lately: nothing is going to run them.
      noWorker: waiting > 0 && alive.length === 0 ? { waiting, lastSeen: workers[0] ? seen(workers[0].lastSeenAt) : null } : null,
      workers: workers.map((w) => ({
        ...w,
        queues: w.queues.join(', '),
        lastSeen: seen(w.lastSeenAt),
        started: seen(w.startedAt),
        silent: now.getTime() - Date.parse(w.lastSeenAt) > WORKER_SILENT_AFTER_MS,
      })),
      states: snapshot.states,
      queues: snapshot.queues.map((q) => ({
        name: q.name,
        counts: snapshot.states.map((s) => q.counts[s] ?? 0),
        lag: q.oldestWaitingSeconds ?? '–',
      })),
      failures: (await options.queues.recentFailures(5)).filter((f) => f.jobs.length > 0),
    });
  });

  if (options.actions) await options.actions.register(app, helpers);
};

/** The flash cookie's value; entered values are dropped when they would make it too big for a cookie. */
function flashCookieValue(flash: Flash): string {
  const encoded = encodeURIComponent(JSON.stringify(flash));
  if (encoded.length <= 3_500 || !flash.form?.values) return encoded;
  const { values: _values, ...form } = flash.form;
  return encodeURIComponent(JSON.stringify({ ...flash, form }));
}

const stringRecord = (value: unknown): Record<string, string> | undefined =>
  value !== null && typeof value === 'object' && Object.values(value).every((v) => typeof v === 'string')
    ? (value as Record<string, string>)
    : undefined;

/** The flash message set by the previous response (cleared by this one), with its form state if any. */
export function flashOf(request: FastifyRequest): Flash | null {
  const raw = /(?:^|;\s*)arrears_flash=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
  if (!raw) return null;
  try {
    const value = JSON.parse(decodeURIComponent(raw)) as {
      message?: unknown;
      error?: unknown;
      form?: { form?: unknown; fields?: unknown; values?: unknown };
    };
    if (typeof value.message !== 'string') return null;
    const fields = stringRecord(value.form?.fields);
    const values = stringRecord(value.form?.values);
    const form =
      typeof value.form?.form === 'string' && fields ? { form: value.form.form, fields, ...(values ? { values } : {}) } : undefined;
    return { message: value.message.slice(0, 300), error: value.error === true, ...(form ? { form } : {}) };
  } catch {
    return null;
  }
}
