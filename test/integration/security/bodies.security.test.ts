import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestHttpApp, type TestHttpApp } from '../../support/http-app.js';
import { seedLedger } from '../../support/ledger.js';
import { signInAs } from './console-client.js';

// Finding 8 and the pre-auth body read: the console takes form bodies only (JSON is a 415); JSON
// nesting and size are bounded everywhere (a 30,000-deep body is a 400, not a stack overflow);
// an unauthenticated API call is refused before its body is read.

const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('request bodies', () => {
  let t: TestHttpApp;
  let manager: string;

  beforeAll(async () => {
    t = await startTestHttpApp({ EMAIL_WEBHOOK_SECRET: 'bounce-secret-0123456789abcdef' });
    await seedLedger(t.runtime.prisma, [
      { externalId: 'BODY-1', invoices: [{ number: 'B-1', amountMinor: 100_00, issuedOn: '2026-01-01', dueOn: '2026-02-01' }] },
    ]);
    manager = await t.token('manager');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('console: JSON (and any other non-form body) to any console POST is a 415, signed in or not', async () => {
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/console/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email: 'manager@example.com', password: PASSWORD }),
    });
    expect(anonymous.statusCode).toBe(415);
    const deepLogin = await t.app.inject({
      method: 'POST',
      url: '/console/login',
      headers: { 'content-type': 'application/json' },
      payload: deep(30_000),
    });
    expect(deepLogin.statusCode).toBe(415);
    const { jar, csrf, status } = await signInAs(t.app, 'manager@example.com', PASSWORD);
    expect(status).toBe(303);
    for (const type of ['application/json', 'text/plain', 'application/xml', 'application/json; charset=utf-8']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/console/customers/BODY-1/actions/note',
        headers: { cookie: jar.header(), 'content-type': type },
        payload: JSON.stringify({ _csrf: csrf, text: 'from JSON' }),
      });
      expect(response.statusCode, type).toBe(415);
    }
    const form = await t.app.inject({
      method: 'POST',
      url: '/console/customers/BODY-1/actions/note',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, text: 'from a form' }).toString(),
    });
    expect(form.statusCode).toBe(303);
  });

  it('API: a 30,000-deep JSON body is a 400 problem, not a stack overflow; a moderately nested one is answered normally', async () => {
    for (const payload of [deep(30_000), deepArray(30_000), `{"items":[${deep(200)}]}`]) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/customers',
        headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' },
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatch(/nested/);
    }
    const shallow = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases/BODY-1/notes',
      headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ text: 'nested {"a":[[[1]]]} in a string is just text' }),
    });
    expect(shallow.statusCode).toBe(200);
  });

  it('webhooks: a deep body with a bad signature is refused unread (403), a large one at the 64 KB limit (413)', async () => {
    for (const [payload, status] of [
      [deep(10_000), 403],
      [deep(30_000), 413],
    ] as const) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/webhooks/email/bounce',
        headers: { 'content-type': 'application/json', 'x-arrears-signature': 'sha256=00' },
        payload,
      });
      expect(response.statusCode).toBe(status);
    }
  });

  it('API: without a valid token a large body is refused with 401 before it is read', async () => {
    // Not even JSON: a parser that read it would answer 400.
    const big = `{"items": [${'"x",'.repeat(950_000)}`;
    expect(big.length).toBeGreaterThan(3_000_000);
    for (const authorization of [undefined, 'Bearer arr_forged', 'Basic eDp5']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/customers',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        payload: big,
      });
      expect(response.statusCode, String(authorization)).toBe(401);
    }
    // Console forms of a stranger: refused before the body too.
    const form = await t.app.inject({
      method: 'POST',
      url: '/console/customers/BODY-1/actions/note',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `text=${'x'.repeat(3_000_000)}%`,
    });
    expect(form.statusCode).toBe(401);
    // The sign-in form is the one console form a stranger may post: a small limit.
    const login = await t.app.inject({
      method: 'POST',
      url: '/console/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=${'x'.repeat(100_000)}`,
    });
    expect(login.statusCode).toBe(413);
  });
});
