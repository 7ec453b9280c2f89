import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestHttpApp, type TestHttpApp } from '../../../support/http-app.js';
import { seedLedger } from '../../../support/ledger.js';

/** A browser's cookie jar, enough for the console: name=value pairs from Set-Cookie. */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(setCookie: string | string[] | undefined): void {
    for (const line of [setCookie ?? []].flat()) {
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      const value = pair.slice(index + 1);
      if (/Max-Age=0/i.test(line) || value === '') this.cookies.delete(pair.slice(0, index));
      else this.cookies.set(pair.slice(0, index), value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** A date `n` days before today (UTC), so aging buckets hold whenever the test runs. */
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe('the console', () => {
  let t: TestHttpApp;

  async function browse(jar: Jar, method: 'GET' | 'POST', url: string, form?: Record<string, string>) {
    const response = await t.app.inject({
      method, url, headers: { cookie: jar.header(), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
    });
    jar.take(response.headers['set-cookie']);
    return response;
  }

  async function signIn(role: 'collector' | 'manager' | 'admin') {
    const jar = new Jar();
    const page = await browse(jar, 'GET', '/console/login');
    const response = await browse(jar, 'POST', '/console/login', { _csrf: csrfIn(page.body), email: `${role}@example.com`, password: PASSWORD, next: '/console/worklist' });
    expect(response.statusCode, response.body).toBe(303);
    return jar;
  }

  beforeAll(async () => {
    t = await startTestHttpApp();
    const ids = await seedLedger(t.runtime.prisma, [
      { externalId: 'SMALL-1', name: 'Small Debt SRL', invoices: [{ number: 'A-1', amountMinor: 100_00, issuedOn: '2025-12-01', dueOn: '2026-01-01' }] },
      { externalId: 'BIG-1', name: 'Big Debt SRL', invoices: [{ number: 'B-1', amountMinor: 90_000_00, issuedOn: '2025-12-01', dueOn: '2026-01-01' }] },
      { externalId: 'BROKE-1', name: 'Broken Promise SRL', invoices: [{ number: 'C-1', amountMinor: 10_00, issuedOn: daysAgo(40), dueOn: daysAgo(10) }] },
    ]);
    const prisma = t.runtime.prisma;
    await prisma.promiseToPay.create({ data: { customerId: ids.get('BROKE-1')!, amountMinor: 1000n, currency: 'RON', promisedDate: new Date('2026-01-10'), status: 'broken', createdBy: t.users.collector.id } });
    const contact = await prisma.contact.create({
      data: {
        customerId: ids.get('BIG-1')!, channel: 'email', status: 'delivered', subject: 'Invoice B-1 is overdue', bodyText: 'Dear customer, please pay <b>now</b>.',
        recipient: 'big-1@example.com', idempotencyKey: 'console-test-1',
        statusEvents: { create: [{ status: 'queued' }, { status: 'sent' }, { status: 'delivered', actor: 'webhook:test' }] },
      },
    });
    await prisma.contact.create({ data: { customerId: ids.get('BIG-1')!, channel: 'call', status: 'logged', outcome: 'no_answer', notes: 'Left a voicemail', actor: t.users.collector.id, idempotencyKey: 'console-test-2' } });
    await prisma.legalHold.create({ data: { customerId: ids.get('BIG-1')!, reason: 'handed to agency', placedBy: t.users.manager.id } });
    await prisma.auditEvent.create({ data: { entityType: 'customer', entityId: ids.get('BIG-1')!, action: 'case.paused', actor: t.users.manager.id, reason: 'manual review' } });
    expect(contact.id).toBeDefined();
  });
  afterAll(async () => t?.close());

  it('sends visitors to the login page, which sets a session cookie (HttpOnly, SameSite=Lax) and security headers', async () => {
    const jar = new Jar();
    const redirect = await browse(jar, 'GET', '/console/worklist');
    expect(redirect.statusCode).toBe(303);
    expect(redirect.headers.location).toBe('/console/login?next=%2Fconsole%2Fworklist');
    const login = await browse(jar, 'GET', '/console/login');
    expect(login.statusCode).toBe(200);
    expect(String(login.headers['set-cookie'])).toMatch(/arrears_session=.+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax/);
    expect(login.headers['content-security-policy']).toContain("script-src 'self'");
    expect(login.headers['x-frame-options']).toBe('DENY');
    expect(login.headers['x-content-type-options']).toBe('nosniff');
    expect(login.headers['referrer-policy']).toBe('same-origin');
    expect(login.body).toContain('<label for="email">Email</label>');
    expect(login.body).not.toMatch(/<script/i);
  });

  it('refuses a wrong password, a form without the CSRF token, and too many attempts', async () => {
    const jar = new Jar();
    const page = await browse(jar, 'GET', '/console/login');
    const csrf = csrfIn(page.body);
    const noToken = await browse(jar, 'POST', '/console/login', { email: 'collector@example.com', password: PASSWORD });
    expect(noToken.statusCode).toBe(403);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      statuses.push((await browse(jar, 'POST', '/console/login', { _csrf: csrf, email: 'ratelimited@example.com', password: 'wrong password!' })).statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('signs in, shows the worklist by priority, and signs out', async () => {
    const jar = await signIn('collector');
    const worklist = await browse(jar, 'GET', '/console/worklist');
    expect(worklist.statusCode).toBe(200);
    const order = ['Broken Promise SRL', 'Big Debt SRL', 'Small Debt SRL'].map((name) => worklist.body.indexOf(name));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(worklist.body).toContain('broken promise');
    const filtered = await browse(jar, 'GET', '/console/worklist?bucket=1-30');
    expect(filtered.body).toContain('Broken Promise SRL');
    expect(filtered.body).not.toContain('Big Debt SRL');
    const logout = await browse(jar, 'POST', '/console/logout', { _csrf: csrfIn(worklist.body) });
    expect(logout.statusCode).toBe(303);
    expect((await browse(jar, 'GET', '/console/worklist')).statusCode).toBe(303);
  });

  it('refuses a state-changing form with a wrong CSRF token even when signed in', async () => {
    const jar = await signIn('collector');
    const response = await browse(jar, 'POST', '/console/logout', { _csrf: 'forged' });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('This form has expired');
  });

  it("shows a customer's open invoices with aging and the whole contact-log timeline", async () => {
    const jar = await signIn('collector');
    const page = await browse(jar, 'GET', '/console/customers/BIG-1');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('B-1');
    expect(page.body).toContain('90000.00 RON');
    expect(page.body).toContain('EMAIL: Invoice B-1 is overdue');
    expect(page.body).toContain('Dear customer, please pay &lt;b&gt;now&lt;/b&gt;.');
    expect(page.body).toMatch(/queued .*→ sent .*→ delivered/s);
    expect(page.body).toContain('Call — no answer');
    expect(page.body).toContain('Left a voicemail');
    expect(page.body).toContain('Legal hold placed');
    expect(page.body).toContain('case.paused');
    expect(page.body).toContain('Ana manager');
  });

  it('keeps the dashboard for managers and the queues page for admins', async () => {
    const collector = await signIn('collector');
    expect((await browse(collector, 'GET', '/console/dashboard')).statusCode).toBe(403);
    expect((await browse(collector, 'GET', '/console/queues')).statusCode).toBe(403);
    const manager = await signIn('manager');
    const dashboard = await browse(manager, 'GET', '/console/dashboard');
    expect(dashboard.statusCode, dashboard.body).toBe(200);
    expect(dashboard.body).toContain('<svg class="chart"');
    expect(dashboard.body).toContain('RON DSO');
    expect((await browse(manager, 'GET', '/console/queues')).statusCode).toBe(403);
    const admin = await signIn('admin');
    const queues = await browse(admin, 'GET', '/console/queues');
    expect(queues.statusCode).toBe(200);
    expect(queues.body).toContain('deliver-email');
    const board = await browse(admin, 'GET', '/console/queues/board/');
    expect(board.statusCode).toBe(200);
    expect((await browse(manager, 'GET', '/console/queues/board/')).statusCode).toBe(403);
  });

  it('answers unknown console pages with an HTML 404 and unknown customers likewise', async () => {
    const jar = await signIn('collector');
    const missing = await browse(jar, 'GET', '/console/nowhere');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('text/html');
    expect((await browse(jar, 'GET', '/console/customers/NOPE')).statusCode).toBe(404);
  });
});
