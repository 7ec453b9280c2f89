import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twilioSignature } from '../../../src/channels/sms/local-twilio-server.js';
import { signUnsubscribeToken } from '../../../src/dunning/unsubscribe-token.js';
import { arrearsSignature } from '../../../src/http/webhooks/email-bounce.routes.js';
import { ALL_SCOPES } from '../../../src/users/scopes.js';
import { BAD_AMOUNTS, BAD_DATES, BAD_EMAILS, BAD_ZONES, DEFAULT_SEED, HUGE, INJECTIONS, Rng } from '../../support/generators.js';
import { PASSWORD, startTestHttpApp, type TestHttpApp } from '../../support/http-app.js';
import { seedLedger } from '../../support/ledger.js';
import { databaseFingerprint } from './db-snapshot.js';
import { Jar } from '../../support/console-session.js';

// Every registered route refuses the unauthenticated and the under-privileged; generated
// malformed API bodies are answered 400 naming the field and write nothing; forged webhooks are
// refused and change nothing.

const BASE = 'https://arrears.example.test';
const TWILIO_TOKEN = 'twilio-auth-token-for-security-tests';
const BOUNCE_SECRET = 'bounce-secret-0123456789abcdef';
const UNSUBSCRIBE_SECRET = 'unsubscribe-secret-'.padEnd(40, 'u');
type Role = 'collector' | 'manager' | 'admin';

/** Public by design: no login. Listed explicitly; each must exist. */
const PUBLIC: ReadonlyArray<[string, string]> = [
  ['GET', '/'],
  ['GET', '/healthz'],
  ['GET', '/readyz'],
  ['GET', '/api/v1/openapi.json'],
  ['GET', '/api/v1/docs'],
  ['GET', '/unsubscribe/:token'],
  ['POST', '/unsubscribe/:token'],
  ['GET', '/console/login'],
  ['POST', '/console/login'],
  ['POST', '/console/logout'],
  ['GET', '/console'],
  ['GET', '/console/'],
  ['GET', '/console/assets/app.css'],
];
/** Authenticated by signatures instead (tested below). */
const WEBHOOKS = ['/webhooks/twilio/status', '/webhooks/twilio/inbound', '/webhooks/email/bounce'];

const MANAGER_CASE_ACTIONS = /(^|-)(legal-hold|bankruptcy|credit-hold|payment-plan|plan|write-off|waive-interest|settings)(\/|$)/;

type Guard = { kind: 'api'; role: Role; scope: string } | { kind: 'console'; role: Role } | { kind: 'metrics' };

/** The least role (and scope) each route needs, from the README's tables. */
function guardOf(method: string, url: string): Guard | undefined {
  if (url === '/metrics') return { kind: 'metrics' };
  const api = /^\/api\/v1(\/.*)$/.exec(url)?.[1];
  if (api !== undefined) {
    if (method === 'POST' && /^\/(customers|invoices|payments|contact-points)$/.test(api))
      return { kind: 'api', role: 'manager', scope: 'ledger:write' };
    if (method === 'GET' && /^\/cases\/:customer\/file$/.test(api)) return { kind: 'api', role: 'manager', scope: 'cases:write' };
    if (method === 'GET' && /^\/(cases|invoices)(\/:[A-Za-z]+)?$/.test(api))
      return { kind: 'api', role: 'collector', scope: 'ledger:read' };
    if (method === 'GET' && api === '/contact-log') return { kind: 'api', role: 'collector', scope: 'contacts:read' };
    if (method === 'GET' && /^\/reports\/[a-z]+$/.test(api)) return { kind: 'api', role: 'manager', scope: 'reports:read' };
    const action = /^\/cases\/:customer\/(.+)$/.exec(api)?.[1];
    if (method === 'POST' && action !== undefined)
      return { kind: 'api', role: MANAGER_CASE_ACTIONS.test(action) ? 'manager' : 'collector', scope: 'cases:write' };
    if (method === 'GET' && api === '/alerts') return { kind: 'api', role: 'collector', scope: 'cases:write' };
    if (method === 'POST' && api === '/alerts/:id/ack') return { kind: 'api', role: 'manager', scope: 'cases:write' };
    if (method === 'POST' && api === '/exchange-rates') return { kind: 'api', role: 'manager', scope: 'ledger:write' };
    if (method === 'POST' && api === '/reference-rates') return { kind: 'api', role: 'manager', scope: 'ledger:write' };
    if (method === 'POST' && api === '/inbound/email') return { kind: 'api', role: 'collector', scope: 'inbound:write' };
    return undefined;
  }
  const consolePath = /^\/console(\/.*)$/.exec(url)?.[1];
  if (consolePath !== undefined) {
    if (method === 'GET' && consolePath.startsWith('/queues/board')) return { kind: 'console', role: 'manager' };
    if (consolePath.startsWith('/queues')) return { kind: 'console', role: 'admin' };
    if (method === 'GET' && /^\/(worklist|contact-log|replies|customers\/:externalId)$/.test(consolePath))
      return { kind: 'console', role: 'collector' };
    if (method === 'GET' && consolePath === '/dashboard') return { kind: 'console', role: 'manager' };
    if (method === 'GET' && consolePath === '/customers/:externalId/case-file') return { kind: 'console', role: 'manager' };
    const form = /^\/customers\/:externalId\/actions\/(.+)$/.exec(consolePath)?.[1];
    if (method === 'POST' && form !== undefined)
      return { kind: 'console', role: MANAGER_CASE_ACTIONS.test(form) ? 'manager' : 'collector' };
    if (method === 'POST' && consolePath === '/alerts/:id/acknowledge') return { kind: 'console', role: 'manager' };
    if (consolePath === '/alerts' || consolePath === '/alerts/acknowledge') return { kind: 'console', role: 'manager' };
    if (method === 'GET' && /^\/(tasks|customers\/:externalId\/message)$/.test(consolePath)) return { kind: 'console', role: 'collector' };
    if (method === 'POST' && /^\/tasks\/:id\/(done|snooze|reassign)$/.test(consolePath)) return { kind: 'console', role: 'collector' };
    if (method === 'POST' && /^\/replies\/(suggestions\/:id\/(confirm|dismiss)|:id\/(handled|assign))$/.test(consolePath))
      return { kind: 'console', role: 'collector' };
  }
  return undefined;
}

/** Every route of the instance, from Fastify's own route tree (`printRoutes`): new routes are covered as they appear. */
function registeredRoutes(tree: string): Array<{ method: string; url: string }> {
  const routes: Array<{ method: string; url: string }> = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (match === null) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const url = `${stack.at(-1) ?? ''}${match[2]}`;
    stack.push(url);
    for (const method of (match[3] ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter((m) => m === 'GET' || m === 'POST' || m === 'PUT' || m === 'DELETE' || m === 'PATCH')) {
      routes.push({ method, url });
    }
  }
  return routes;
}

const concrete = (url: string) =>
  url
    .replace(/:customer|:externalId/g, 'SEC-1')
    .replace(/:id/g, randomUUID())
    .replace(/\*$/, 'static/x.js')
    .replace(/:[A-Za-z]+/g, 'x');

/**
 * `items[2].{colour}`: an unknown key, reported (as zod does) at its object — `items[2]`, or
 * `(body)` at the top — with a message naming the key; or at the key itself.
 */
function matchesUnknown(problem: { field: string; message: string }, expected: string): boolean {
  const match = /^(.*?)\.?\{(.+)\}$/.exec(expected);
  if (match === null) return false;
  const [, parent = '', key = ''] = match;
  const at = parent === '' ? key : `${parent}.${key}`;
  return problem.field === at || (problem.field === (parent || '(body)') && problem.message.includes(`"${key}"`));
}

describe(`HTTP security (seed ${DEFAULT_SEED})`, () => {
  let t: TestHttpApp;
  let pool: pg.Pool;
  let routes: Array<{ method: string; url: string }>;
  const sessions: Partial<Record<Role, { jar: Jar; csrf: string }>> = {};
  const tokens: Record<string, string> = {};
  let customerId: string;

  async function signIn(role: Role) {
    const jar = new Jar();
    const page = await t.app.inject({ method: 'GET', url: '/console/login' });
    jar.take(page.headers['set-cookie']);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const response = await t.app.inject({
      method: 'POST',
      url: '/console/login',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, email: `${role}@example.com`, password: PASSWORD }).toString(),
    });
    expect(response.statusCode).toBe(303);
    jar.take(response.headers['set-cookie']);
    const worklist = await t.app.inject({ method: 'GET', url: '/console/worklist', headers: { cookie: jar.header() } });
    jar.take(worklist.headers['set-cookie']);
    return { jar, csrf: /name="_csrf" value="([^"]+)"/.exec(worklist.body)?.[1] ?? '' };
  }

  beforeAll(async () => {
    t = await startTestHttpApp({
      PUBLIC_BASE_URL: BASE,
      TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      EMAIL_WEBHOOK_SECRET: BOUNCE_SECRET,
      UNSUBSCRIBE_SECRET,
    });
    pool = new pg.Pool({ connectionString: t.database.url, max: 2 });
    const ids = await seedLedger(t.runtime.prisma, [
      {
        externalId: 'SEC-1',
        email: 'sec-1@example.ro',
        mobile: '+40721000999',
        smsConsent: true,
        invoices: [{ number: 'S-1', amountMinor: 500_00, issuedOn: '2026-01-01', dueOn: '2026-02-01' }],
      },
    ]);
    customerId = ids.get('SEC-1')!;
    for (const role of ['collector', 'manager', 'admin'] as const) {
      tokens[role] = await t.token(role);
      sessions[role] = await signIn(role);
    }
    routes = registeredRoutes(t.app.printRoutes({ commonPrefix: false }));
    if (process.env.DEBUG_ROUTES) console.log(t.app.printRoutes({ commonPrefix: false }));
  });
  afterAll(async () => {
    await pool?.end();
    await t?.close();
  });

  describe('authentication and roles on every route', () => {
    it('finds the routes, including the public ones listed', () => {
      expect(routes.length).toBeGreaterThan(30);
      for (const [method, url] of PUBLIC) expect(routes, `${method} ${url}`).toContainEqual({ method, url });
      for (const url of WEBHOOKS) expect(routes, url).toContainEqual({ method: 'POST', url });
    });

    it('knows the least role of every non-public route (a new route must be added to the table)', () => {
      const unknown = routes.filter(
        ({ method, url }) =>
          !PUBLIC.some(([m, u]) => m === method && u === url) && !WEBHOOKS.includes(url) && guardOf(method, url) === undefined,
      );
      expect(unknown).toEqual([]);
    });

    it('refuses the unauthenticated, wrong scopes and lower roles on every guarded route, and admits the least role', async () => {
      const failures: string[] = [];
      const check = (ok: boolean, what: string) => {
        if (!ok) failures.push(what);
      };
      const ranks: Role[] = ['collector', 'manager', 'admin'];
      for (const { method, url } of routes) {
        if (PUBLIC.some(([m, u]) => m === method && u === url) || WEBHOOKS.includes(url)) continue;
        const guard = guardOf(method, url);
        const path = concrete(url);
        const name = `${method} ${url}`;
        // Unguarded-but-unknown routes still must refuse strangers.
        const anonymous = await t.app.inject({ method: method as 'GET', url: path, ...(method === 'POST' ? { payload: {} } : {}) });
        if (guard === undefined || guard.kind !== 'console') {
          check(anonymous.statusCode === 401, `${name}: anonymous got ${anonymous.statusCode}`);
        } else if (method === 'GET') {
          check(
            anonymous.statusCode === 303 && String(anonymous.headers.location).startsWith('/console/login'),
            `${name}: anonymous GET got ${anonymous.statusCode} ${anonymous.headers.location}`,
          );
        } else {
          // Console forms answer 401; bull-board (its own routes, any method) sends the stranger to the login page.
          const toLogin = anonymous.statusCode === 303 && String(anonymous.headers.location).startsWith('/console/login');
          check(anonymous.statusCode === 401 || toLogin, `${name}: anonymous ${method} got ${anonymous.statusCode}`);
        }
        if (guard === undefined) continue;

        const bearer = async (token: string) =>
          t.app.inject({
            method: method as 'GET',
            url: path,
            headers: { authorization: `Bearer ${token}` },
            ...(method === 'POST' ? { payload: {} } : {}),
          });
        const asSession = async (role: Role) => {
          const session = sessions[role]!;
          return t.app.inject({
            method: method as 'GET',
            url: path,
            headers: {
              cookie: session.jar.header(),
              // What a browser sends with a request from the console's own pages.
              ...(method === 'GET' ? {} : { 'sec-fetch-site': 'same-origin' }),
              ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
            },
            ...(method === 'POST' ? { payload: new URLSearchParams({ _csrf: session.csrf }).toString() } : {}),
          });
        };

        if (guard.kind === 'api' || guard.kind === 'metrics') {
          const scope = guard.kind === 'metrics' ? 'metrics:read' : guard.scope;
          const role = guard.kind === 'metrics' ? 'collector' : guard.role;
          const withoutScope = await t.token('admin', ALL_SCOPES.filter((s) => s !== scope).join(','));
          const r = await bearer(withoutScope);
          check(r.statusCode === 403, `${name}: admin token without ${scope} got ${r.statusCode}`);
          // A console session is no API credential.
          const cookieOnly = await t.app.inject({
            method: method as 'GET',
            url: path,
            headers: { cookie: sessions.admin!.jar.header() },
            ...(method === 'POST' ? { payload: {} } : {}),
          });
          check(cookieOnly.statusCode === 401, `${name}: admin session cookie got ${cookieOnly.statusCode}`);
          for (const lower of ranks.slice(0, ranks.indexOf(role))) {
            const low = await bearer(tokens[lower]!);
            check(low.statusCode === 403, `${name}: ${lower} token got ${low.statusCode}`);
          }
          const allowed = await bearer(tokens[role]!);
          check(![401, 403].includes(allowed.statusCode), `${name}: ${role} token got ${allowed.statusCode}`);
        } else {
          // A bearer token is no console credential.
          const tokenOnly = await bearer(tokens.admin!);
          check(tokenOnly.statusCode === 303 || tokenOnly.statusCode === 401, `${name}: admin bearer token got ${tokenOnly.statusCode}`);
          for (const lower of ranks.slice(0, ranks.indexOf(guard.role))) {
            const low = await asSession(lower);
            check(low.statusCode === 403, `${name}: ${lower} session got ${low.statusCode}`);
          }
          const allowed = await asSession(guard.role);
          check(
            ![401, 403].includes(allowed.statusCode) && !String(allowed.headers.location ?? '').startsWith('/console/login'),
            `${name}: ${guard.role} session got ${allowed.statusCode} ${allowed.headers.location ?? ''}`,
          );
        }
      }
      expect(failures).toEqual([]);
    });

    it('refuses console POSTs without the session CSRF token', async () => {
      const session = sessions.admin!;
      const posts = routes.filter(
        (r) => r.method === 'POST' && guardOf(r.method, r.url)?.kind === 'console' && !r.url.startsWith('/console/queues/board'),
      );
      expect(posts.length).toBeGreaterThan(0);
      for (const { url } of posts) {
        const response = await t.app.inject({
          method: 'POST',
          url: concrete(url),
          headers: { cookie: session.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: 'forged', reason: 'x' }).toString(),
        });
        expect(response.statusCode, url).toBe(403);
      }
    });
  });

  describe('NUL characters in the console', () => {
    it('answers every console POST, the sign-in and a page address holding NUL with 400, writing nothing', async () => {
      const session = sessions.admin!;
      const before = await databaseFingerprint(pool);
      const posts = routes.filter(
        (r) => r.method === 'POST' && guardOf(r.method, r.url)?.kind === 'console' && !r.url.startsWith('/console/queues/board'),
      );
      expect(posts.length).toBeGreaterThan(0);
      for (const { url } of posts) {
        const response = await t.app.inject({
          method: 'POST',
          url: concrete(url),
          headers: { cookie: session.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ _csrf: session.csrf, reason: 'paid\u0000', notes: 'x', amount: '10.00' }).toString(),
        });
        expect(response.statusCode, url).toBe(400);
        expect(response.body, url).toContain('NUL character');
      }
      const page = await t.app.inject({ method: 'GET', url: '/console/login' });
      const jar = new Jar();
      jar.take(page.headers['set-cookie']);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      const login = await t.app.inject({
        method: 'POST',
        url: '/console/login',
        headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrf, email: 'admin@example.com\u0000', password: PASSWORD }).toString(),
      });
      expect(login.statusCode).toBe(400);
      const customer = await t.app.inject({ method: 'GET', url: '/console/customers/SEC%00-1', headers: { cookie: session.jar.header() } });
      expect(customer.statusCode).toBe(400);
      expect(await databaseFingerprint(pool)).toEqual(before);
    });
  });

  describe('generated malformed API bodies', () => {
    const rng = new Rng(DEFAULT_SEED + 1);
    interface BodyCase {
      url: string;
      label: string;
      payload: unknown;
      raw?: string;
      field?: string;
      index?: number;
      status?: number;
    }
    const cases: BodyCase[] = [];

    const customer = (i: number) => ({
      external_id: `API-OK-${i}`,
      name: `Api ${i} SRL`,
      email: `api${i}@example.ro`,
      phone: '0721 234 567',
      timezone: 'Europe/Bucharest',
      locale: 'ro-RO',
      currency: 'RON',
      credit_limit: '100.00',
      sms_consent: true,
      policy: 'default',
    });
    const invoice = (i: number) => ({
      external_id: `API-INV-${i}`,
      customer_external_id: 'SEC-1',
      number: `API-N-${i}`,
      currency: 'RON',
      amount: '10.00',
      balance: null,
      issued_on: '2026-01-01',
      due_on: '2026-02-01',
    });
    const payment = (i: number) => ({
      external_id: `API-PAY-${i}`,
      customer_external_id: 'SEC-1',
      amount: '1.00',
      currency: 'RON',
      received_on: '2026-03-01',
      reference: null,
    });
    const contactPoint = (i: number) => ({
      customer_external_id: 'SEC-1',
      kind: 'email',
      value: `api-cp-${i}@example.ro`,
      role: 'billing',
    });

    /** A bulk body of 1–4 good items with the bad one at a random index. */
    function bulk(
      url: string,
      make: (i: number) => Record<string, unknown>,
      label: string,
      mutate: Record<string, unknown> | ((item: Record<string, unknown>) => void),
      field: string,
    ) {
      const n = 1 + rng.int(4);
      const index = rng.int(n);
      const items = Array.from({ length: n }, (_, i) => make(cases.length * 10 + i));
      const item = items[index]!;
      if (typeof mutate === 'function') mutate(item);
      else Object.assign(item, mutate);
      cases.push({ url, label, payload: { items }, field: `items[${index}].${field}`, index });
    }
    const each = (url: string, make: (i: number) => Record<string, unknown>, field: string, values: readonly unknown[]) => {
      for (const value of values) bulk(url, make, `${field} = ${JSON.stringify(value)?.slice(0, 40)}`, { [field]: value }, field);
    };
    const missing = (url: string, make: (i: number) => Record<string, unknown>, fields: readonly string[]) => {
      for (const field of fields) bulk(url, make, `missing ${field}`, (item) => delete item[field], field);
    };

    // customers
    const C = '/api/v1/customers';
    missing(C, customer, ['external_id', 'name', 'timezone', 'locale', 'currency']);
    for (const [field, value] of [
      ['external_id', 123],
      ['name', {}],
      ['email', 42],
      ['phone', []],
      ['timezone', true],
      ['locale', 5],
      ['currency', 7],
      ['credit_limit', {}],
      ['sms_consent', 'yes'],
      ['policy', 5],
      ['name', ''],
    ] as const) {
      each(C, customer, field, [value]);
    }
    each(C, customer, 'timezone', BAD_ZONES);
    each(C, customer, 'locale', ['en_US', 'xx-INVALID-!!', ...INJECTIONS.slice(0, 3)]);
    each(C, customer, 'currency', ['XYZ', 'EURO', INJECTIONS[0]]);
    each(C, customer, 'email', BAD_EMAILS.slice(0, 6));
    each(C, customer, 'credit_limit', [...BAD_AMOUNTS.slice(0, 12), 12345678901234567890, -1, 1e21, 0.30000000000000004]);
    each(C, customer, 'policy', ['vip', INJECTIONS[0]]);
    each(C, customer, 'name', [rng.word(HUGE), 'nul\u0000name']);
    each(C, customer, 'external_id', [rng.word(HUGE), '']);
    for (const extra of ['colour', '__proto__x', 'id']) bulk(C, customer, `extra field ${extra}`, { [extra]: 'x' }, `{${extra}}`);
    // invoices
    const I = '/api/v1/invoices';
    missing(I, invoice, ['external_id', 'customer_external_id', 'number', 'currency', 'amount', 'issued_on', 'due_on']);
    each(I, invoice, 'amount', [...BAD_AMOUNTS, true, null, [], { value: 1 }, -5, 1e21]);
    each(
      I,
      invoice,
      'issued_on',
      BAD_DATES.filter((d) => d.trim() !== ''),
    );
    each(I, invoice, 'due_on', ['2026-02-30', '2026-13-01', 'yesterday', 20260301]);
    each(I, invoice, 'customer_external_id', ['NOPE-404', INJECTIONS[0]]);
    each(I, invoice, 'currency', ['EUR', 'XYZ']);
    each(I, invoice, 'number', [rng.word(HUGE), 'n\u0000', 42]);
    bulk(I, invoice, 'extra field', { hacked: true }, '{hacked}');
    // payments
    const P = '/api/v1/payments';
    missing(P, payment, ['external_id', 'customer_external_id', 'amount', 'currency', 'received_on']);
    each(P, payment, 'amount', ['0', '0.00', '-1.00', 'NaN', '1e3', '1.234', 0, -3]);
    each(P, payment, 'received_on', ['2026-02-30', '2026-13-01', 'yesterday', '0000-01-01', INJECTIONS[1]]);
    each(P, payment, 'customer_external_id', ['NOPE-404']);
    each(P, payment, 'currency', ['USD']);
    each(P, payment, 'reference', [rng.word(HUGE), 'r\u0000', 99]);
    // contact points
    const K = '/api/v1/contact-points';
    missing(K, contactPoint, ['customer_external_id', 'kind', 'value']);
    each(K, contactPoint, 'kind', ['fax', 1, INJECTIONS[0]]);
    each(K, contactPoint, 'value', [...BAD_EMAILS.slice(0, 5), '', 17]);
    each(K, contactPoint, 'role', ['boss', true]);
    each(K, contactPoint, 'mobile', ['yes']);
    each(K, contactPoint, 'customer_external_id', ['NOPE-404', 'SEC-1\u0000']);
    bulk(K, (i) => ({ ...contactPoint(i), kind: 'phone', value: '+40721000111' }), 'phone value', { value: 'call me' }, 'value');
    // whole bodies
    for (const url of [C, I, P, K]) {
      for (const [label, payload, field] of [
        ['no items', {}, 'items'],
        ['items not an array', { items: 'x' }, 'items'],
        ['items empty', { items: [] }, 'items'],
        ['items of strings', { items: ['x'] }, 'items[0]'],
        ['top-level extra', { items: [{}], more: 1 }, '{more}'],
        ['body is an array', [], '(body)'],
        ['body is null', null, '(body)'],
      ] as const) {
        cases.push({ url, label, payload, field });
      }
      cases.push({ url, label: 'over 1000 items', payload: { items: Array.from({ length: 1001 }, () => ({})) }, field: 'items' });
      cases.push({ url, label: 'not JSON', payload: undefined, raw: '{"items": [', status: 400 });
      cases.push({
        url,
        label: 'over the byte limit',
        payload: undefined,
        raw: JSON.stringify({ items: [{ name: 'x'.repeat(5 * 1024 * 1024) }] }),
        status: 413,
      });
    }

    it('generates at least 200 malformed bodies', () => {
      expect(cases.length).toBeGreaterThanOrEqual(200);
    });

    it('answers each with a problem naming the field (and item index), and writes nothing', async () => {
      const before = await databaseFingerprint(pool);
      const failures: string[] = [];
      for (const c of cases) {
        const response = await t.app.inject({
          method: 'POST',
          url: c.url,
          headers: { authorization: `Bearer ${tokens.manager}`, 'content-type': 'application/json' },
          payload: c.raw ?? JSON.stringify(c.payload),
        });
        const what = `${c.url} ${c.label}`;
        const status = c.status ?? 400;
        if (response.statusCode !== status) {
          failures.push(`${what}: ${response.statusCode} ${response.body.slice(0, 200)}`);
          continue;
        }
        if (!String(response.headers['content-type']).startsWith('application/problem+json'))
          failures.push(`${what}: ${response.headers['content-type']}`);
        if (c.field === undefined) continue;
        const errors = (response.json() as { errors?: Array<{ field: string; index?: number; message: string }> }).errors ?? [];
        const named = errors.find((e) => e.field === c.field || matchesUnknown(e, c.field!));
        if (named === undefined) failures.push(`${what}: no problem names ${c.field}: ${JSON.stringify(errors).slice(0, 300)}`);
        else if (c.index !== undefined && named.index !== c.index) failures.push(`${what}: index ${named.index} instead of ${c.index}`);
        else if (named.message.length > 600) failures.push(`${what}: message of ${named.message.length} characters`);
      }
      expect(failures).toEqual([]);
      expect(await databaseFingerprint(pool)).toEqual(before);
    });

    it('case actions: every route refuses missing, mistyped, unknown and NUL fields with 400 naming them, writing nothing', async () => {
      const document = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as {
        paths: Record<
          string,
          Record<
            string,
            {
              requestBody?: {
                content: { 'application/json': { schema: { properties?: Record<string, { type?: string }>; required?: string[] } } };
              };
            }
          >
        >;
      };
      const actions = Object.entries(document.paths)
        .filter(([path, ops]) => /^\/api\/v1\/cases\/\{customer\}\//.test(path) && ops.post?.requestBody)
        .map(([path, ops]) => ({
          url: path.replace('{customer}', 'SEC-1'),
          schema: ops.post!.requestBody!.content['application/json'].schema,
        }));
      expect(actions.length).toBeGreaterThanOrEqual(10);
      const before = await databaseFingerprint(pool);
      const failures: string[] = [];
      let count = 0;
      const expectField = async (url: string, payload: unknown, field: string, label: string) => {
        count += 1;
        const response = await t.app.inject({
          method: 'POST',
          url,
          headers: { authorization: `Bearer ${tokens.admin}` },
          payload: payload as object,
        });
        const errors =
          response.statusCode === 400 ? ((response.json() as { errors?: Array<{ field: string; message: string }> }).errors ?? []) : [];
        if (!errors.some((e) => e.field === field || matchesUnknown(e, field)))
          failures.push(`${url} ${label}: ${response.statusCode} ${response.body.slice(0, 200)}`);
      };
      for (const { url, schema } of actions) {
        for (const field of schema.required ?? []) await expectField(url, {}, field, `missing ${field}`);
        for (const [field, property] of Object.entries(schema.properties ?? {})) {
          const wrong =
            property.type === 'string'
              ? { nested: INJECTIONS[0] }
              : property.type === 'array'
                ? INJECTIONS[1]
                : property.type === 'boolean'
                  ? 'yes'
                  : INJECTIONS[0];
          await expectField(url, { [field]: wrong }, field, `${field} of the wrong type`);
          if (property.type === 'string') await expectField(url, { [field]: `x\u0000y` }, field, `NUL in ${field}`);
        }
        await expectField(url, { zzUnknown: 1 }, '{zzUnknown}', 'unknown field');
      }
      expect(count).toBeGreaterThanOrEqual(50);
      expect(failures).toEqual([]);
      expect(await databaseFingerprint(pool)).toEqual(before);
    });
  });

  describe('forged webhooks', () => {
    const post = (url: string, params: Record<string, string>, signature: string | undefined) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(signature === undefined ? {} : { 'x-twilio-signature': signature }),
        },
        payload: new URLSearchParams(params).toString(),
      });

    it('refuses Twilio status and inbound requests with a missing, wrong, tampered or other-URL signature; nothing changes', async () => {
      const before = await databaseFingerprint(pool);
      const inbound = { AccountSid: 'AC1', From: '+40721000999', To: '+15005550006', Body: 'STOP', MessageSid: 'SMforged1', NumMedia: '0' };
      const status = { MessageSid: 'SMforged2', MessageStatus: 'undelivered', ErrorCode: '30005' };
      for (const [path, params, other] of [
        ['/webhooks/twilio/inbound', inbound, '/webhooks/twilio/status'],
        ['/webhooks/twilio/status', status, '/webhooks/twilio/inbound'],
      ] as const) {
        const forged: Array<[string, string | undefined, Record<string, string>]> = [
          ['missing', undefined, params],
          ['empty', '', params],
          ['garbage', 'bm90IGEgc2lnbmF0dXJl', params],
          ['wrong key', twilioSignature('not-the-token', `${BASE}${path}`, params), params],
          ['replayed for another URL', twilioSignature(TWILIO_TOKEN, `${BASE}${other}`, params), params],
          ['signed for another origin', twilioSignature(TWILIO_TOKEN, `http://attacker.example${path}`, params), params],
          [
            'tampered body',
            twilioSignature(TWILIO_TOKEN, `${BASE}${path}`, params),
            { ...params, Body: 'START', MessageStatus: 'delivered' },
          ],
        ];
        for (const [label, signature, body] of forged) {
          const response = await post(path, body, signature);
          expect(response.statusCode, `${path} ${label}`).toBe(403);
        }
      }
      expect(await databaseFingerprint(pool)).toEqual(before);
      // The genuine signature is accepted (so the refusals above are about the signature).
      const genuine = await post(
        '/webhooks/twilio/status',
        status,
        twilioSignature(TWILIO_TOKEN, `${BASE}/webhooks/twilio/status`, status),
      );
      expect(genuine.statusCode).toBe(200);
    });

    it('keeps an inbound SMS whose text holds a NUL byte (without it), and refuses NUL in identifiers', async () => {
      const signed = (path: string, params: Record<string, string>) =>
        post(path, params, twilioSignature(TWILIO_TOKEN, `${BASE}${path}`, params));
      const inbound = {
        AccountSid: 'AC1',
        From: '+40721000999',
        To: '+15005550006',
        Body: 'Will pay\u0000 Friday',
        MessageSid: 'SMnul1',
        NumMedia: '0',
      };
      expect((await signed('/webhooks/twilio/inbound', inbound)).statusCode).toBe(200);
      const { rows } = await pool.query<{ body_text: string }>(
        `select body_text from contacts where direction = 'inbound' and provider_message_id = 'SMnul1'`,
      );
      expect(rows.map((r) => r.body_text)).toEqual(['Will pay Friday']);

      const before = await databaseFingerprint(pool);
      expect((await signed('/webhooks/twilio/inbound', { ...inbound, MessageSid: 'SM\u0000x' })).statusCode).toBe(400);
      expect((await signed('/webhooks/twilio/status', { MessageSid: 'SM\u0000y', MessageStatus: 'delivered' })).statusCode).toBe(400);
      expect(await databaseFingerprint(pool)).toEqual(before);
    });

    it('refuses bounce reports with a missing or wrong HMAC; nothing changes', async () => {
      const before = await databaseFingerprint(pool);
      const body = JSON.stringify({ messageId: '<x@example>', recipient: 'sec-1@example.ro', kind: 'hard', reason: '550' });
      for (const [label, signature] of [
        ['missing', undefined],
        ['empty', ''],
        ['wrong key', arrearsSignature('wrong-secret-0123456789', body)],
        ['other body', arrearsSignature(BOUNCE_SECRET, `${body} `)],
        ['no prefix', arrearsSignature(BOUNCE_SECRET, body).slice(7)],
        ['truncated', arrearsSignature(BOUNCE_SECRET, body).slice(0, -2)],
      ] as const) {
        const response = await t.app.inject({
          method: 'POST',
          url: '/webhooks/email/bounce',
          payload: body,
          headers: { 'content-type': 'application/json', ...(signature === undefined ? {} : { 'x-arrears-signature': signature }) },
        });
        expect(response.statusCode, label).toBe(403);
      }
      expect(await databaseFingerprint(pool)).toEqual(before);
    });

    it('answers a tampered unsubscribe token with 404 and changes nothing', async () => {
      const before = await databaseFingerprint(pool);
      const token = signUnsubscribeToken(UNSUBSCRIBE_SECRET, customerId);
      const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
      const forged = [
        flip(token, 0),
        flip(token, token.length - 1),
        token.slice(0, -1),
        `${token}A`,
        signUnsubscribeToken('another-secret-'.padEnd(40, 'z'), customerId),
        customerId,
        '..%2F..%2Fetc%2Fpasswd',
        encodeURIComponent(INJECTIONS[0]),
        'A'.repeat(2000),
      ];
      for (const bad of forged) {
        for (const method of ['GET', 'POST'] as const) {
          const response = await t.app.inject({
            method,
            url: `/unsubscribe/${bad}`,
            ...(method === 'POST'
              ? { payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } }
              : {}),
          });
          // 414: Fastify refuses a path parameter that long before any route runs.
          expect(response.statusCode, `${method} ${bad.slice(0, 20)}`).toBe(bad.length > 100 ? 414 : 404);
        }
      }
      expect(await databaseFingerprint(pool)).toEqual(before);
      expect((await t.runtime.prisma.customer.findUniqueOrThrow({ where: { id: customerId } })).emailOptedOutAt).toBeNull();
    });
  });
});
