import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestHttpApp, type TestHttpApp } from '../../../support/http-app.js';
import { seedLedger } from '../../../support/ledger.js';
import { browse as consoleBrowse, consoleSession, csrfIn, Jar } from '../../../support/console-session.js';

/** A date `n` days before today (UTC), so aging buckets hold whenever the test runs. */
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);

describe('the console', () => {
  let t: TestHttpApp;

  const browse = (jar: Jar, method: 'GET' | 'POST', url: string, form?: Record<string, string>) =>
    consoleBrowse(t.app, jar, method, url, form);

  /** A signed-in browser's cookie jar (test/support/console-session.ts). */
  const signIn = async (role: 'collector' | 'manager' | 'admin') => (await consoleSession(t.app, `${role}@example.com`)).jar;

  beforeAll(async () => {
    t = await startTestHttpApp();
    const ids = await seedLedger(t.runtime.prisma, [
      {
        externalId: 'SMALL-1',
        name: 'Small Debt SRL',
        invoices: [{ number: 'A-1', amountMinor: 100_00, issuedOn: '2025-12-01', dueOn: '2026-01-01' }],
      },
      {
        externalId: 'BIG-1',
        name: 'Big Debt SRL',
        invoices: [{ number: 'B-1', amountMinor: 90_000_00, issuedOn: '2025-12-01', dueOn: '2026-01-01' }],
      },
      {
        externalId: 'BROKE-1',
        name: 'Broken Promise SRL',
        invoices: [{ number: 'C-1', amountMinor: 10_00, issuedOn: daysAgo(40), dueOn: daysAgo(10) }],
      },
    ]);
    const prisma = t.runtime.prisma;
    await prisma.promiseToPay.create({
      data: {
        customerId: ids.get('BROKE-1')!,
        amountMinor: 1000n,
        currency: 'RON',
        promisedOn: new Date('2026-01-10'),
        status: 'broken',
        createdBy: t.users.collector.id,
      },
    });
    const contact = await prisma.contact.create({
      data: {
        customerId: ids.get('BIG-1')!,
        channel: 'email',
        status: 'delivered',
        subject: 'Invoice B-1 is overdue',
        bodyText: 'Dear customer, please pay <b>now</b>.',
        recipient: 'big-1@example.com',
        idempotencyKey: 'console-test-1',
        statusEvents: { create: [{ status: 'queued' }, { status: 'sent' }, { status: 'delivered', actor: 'webhook:test' }] },
      },
    });
    await prisma.contact.create({
      data: {
        customerId: ids.get('BIG-1')!,
        channel: 'call',
        status: 'logged',
        outcome: 'no_answer',
        notes: 'Left a voicemail',
        actor: t.users.collector.id,
        idempotencyKey: 'console-test-2',
      },
    });
    await prisma.legalHold.create({ data: { customerId: ids.get('BIG-1')!, reason: 'handed to agency', placedBy: t.users.manager.id } });
    await prisma.auditEvent.create({
      data: {
        entityType: 'customer',
        entityId: ids.get('BIG-1')!,
        action: 'case.paused',
        actor: t.users.manager.id,
        reason: 'manual review',
      },
    });
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
      statuses.push(
        (await browse(jar, 'POST', '/console/login', { _csrf: csrf, email: 'ratelimited@example.com', password: 'wrong password!' }))
          .statusCode,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('signs in, shows the worklist, and signs out', async () => {
    const jar = await signIn('collector');
    // Everyone's accounts (these have no collector); the legal-hold account is out of the default state filter.
    const worklist = await browse(jar, 'GET', '/console/worklist?collector=all&view=all');
    expect(worklist.statusCode).toBe(200);
    expect(worklist.body).toContain('Broken Promise SRL');
    expect(worklist.body).toContain('Small Debt SRL');
    expect(worklist.body).not.toContain('Big Debt SRL');
    expect(worklist.body).toContain('broken promise');
    const filtered = await browse(jar, 'GET', '/console/worklist?collector=all&view=all&state=any&bucket=1-30');
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
    expect(page.body).toContain('RON\u00a090,000.00');
    expect(page.body).toContain('EMAIL: Invoice B-1 is overdue');
    expect(page.body).toContain('Dear customer, please pay &lt;b&gt;now&lt;/b&gt;.');
    expect(page.body).toMatch(/queued .*→ sent .*→ delivered/s);
    expect(page.body).toContain('Call — no answer');
    expect(page.body).toContain('Left a voicemail');
    expect(page.body).toContain('Legal hold since');
    expect(page.body).toContain('Case paused');
    expect(page.body).toContain('manual review');
    expect(page.body).toContain('Ana manager');
  });

  it('keeps the dashboard for managers and the queues page for admins, the queue board to look at for managers', async () => {
    const collector = await signIn('collector');
    expect((await browse(collector, 'GET', '/console/dashboard')).statusCode).toBe(403);
    expect((await browse(collector, 'GET', '/console/queues')).statusCode).toBe(403);
    const manager = await signIn('manager');
    const dashboard = await browse(manager, 'GET', '/console/dashboard');
    expect(dashboard.statusCode, dashboard.body).toBe(200);
    expect(dashboard.body).toContain('<svg class="chart"');
    expect(dashboard.body).toContain('DSO, RON');
    expect((await browse(manager, 'GET', '/console/queues')).statusCode).toBe(403);
    const admin = await signIn('admin');
    const queues = await browse(admin, 'GET', '/console/queues');
    expect(queues.statusCode).toBe(200);
    expect(queues.body).toContain('deliver-email');
    const board = await browse(admin, 'GET', '/console/queues/board/');
    expect(board.statusCode).toBe(200);
    // The board itself: managers may look (only admins act on it), collectors not.
    expect((await browse(manager, 'GET', '/console/queues/board/')).statusCode).toBe(200);
    expect((await browse(collector, 'GET', '/console/queues/board/')).statusCode).toBe(403);
  });

  it('answers unknown console pages with an HTML 404 and unknown customers likewise', async () => {
    const jar = await signIn('collector');
    const missing = await browse(jar, 'GET', '/console/nowhere');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('text/html');
    expect((await browse(jar, 'GET', '/console/customers/NOPE')).statusCode).toBe(404);
  });

  describe('case-action forms on the customer page', () => {
    const inFuture = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const formCount = (channel: 'call' | 'note', customer: string) =>
      t.runtime.prisma.contact.count({ where: { channel, customer: { externalId: customer } } });

    beforeAll(async () => {
      await seedLedger(t.runtime.prisma, [
        {
          externalId: 'FORM-1',
          name: 'Forms Collector SRL',
          invoices: [{ number: 'FC-1', amountMinor: 1_500_00, issuedOn: '2025-12-01', dueOn: '2026-01-01' }],
        },
        {
          externalId: 'FORM-2',
          name: 'Forms Manager SRL',
          invoices: [{ number: 'FM-1', amountMinor: 2_500_00, issuedOn: '2025-12-01', dueOn: '2026-01-01' }],
        },
      ]);
    });

    it("gives a collector the collector's forms only, and refuses the manager's on the server", async () => {
      const jar = await signIn('collector');
      const page = await browse(jar, 'GET', '/console/customers/FORM-1');
      expect(page.statusCode).toBe(200);
      for (const form of ['Log a call', 'Record a promise to pay', 'Add a note', 'Open a dispute', 'Pause dunning'])
        expect(page.body).toContain(form);
      expect(page.body).toContain('<label for="call-outcome">Outcome</label>');
      expect(page.body).toContain('<label for="promise-amount">Amount</label>');
      for (const form of ['Manager actions', 'Place a legal hold', 'Place a credit hold', 'Record a bankruptcy filing', '/case-file'])
        expect(page.body).not.toContain(form);
      expect(page.body).not.toMatch(/<script|onclick=/i);
      const audits = await t.runtime.prisma.auditEvent.count();
      const refused = await browse(jar, 'POST', '/console/customers/FORM-1/actions/legal-hold', {
        _csrf: csrfIn(page.body),
        reason: 'trying',
      });
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain('manager role');
      expect((await browse(jar, 'GET', '/console/customers/FORM-1/case-file')).statusCode).toBe(403);
      expect(await t.runtime.prisma.legalHold.count({ where: { customer: { externalId: 'FORM-1' } } })).toBe(0);
      expect(await t.runtime.prisma.auditEvent.count()).toBe(audits);
    });

    it('logs a call, then shows the flash message and the call on the timeline', async () => {
      const jar = await signIn('collector');
      const page = await browse(jar, 'GET', '/console/customers/FORM-1');
      const posted = await browse(jar, 'POST', '/console/customers/FORM-1/actions/call', {
        _csrf: csrfIn(page.body),
        outcome: 'voicemail',
        notes: 'Left a message for accounts',
      });
      expect(posted.statusCode, posted.body).toBe(303);
      expect(posted.headers.location).toBe('/console/customers/FORM-1');
      const after = await browse(jar, 'GET', '/console/customers/FORM-1');
      expect(after.body).toContain('Call logged (voicemail).');
      expect(after.body).toContain('Call — voicemail');
      expect(after.body).toContain('Left a message for accounts');
      expect((await browse(jar, 'GET', '/console/customers/FORM-1')).body).not.toContain('Call logged (voicemail).');
    });

    it("shows a bad input's message next to its field, keeps what was typed, then records the promise", async () => {
      const jar = await signIn('collector');
      const page = await browse(jar, 'GET', '/console/customers/FORM-1');
      const bad = await browse(jar, 'POST', '/console/customers/FORM-1/actions/promise', {
        _csrf: csrfIn(page.body),
        amount: '1250.00',
        currency: 'RON',
        promisedOn: '2020-01-01',
      });
      expect(bad.statusCode).toBe(303);
      const shown = await browse(jar, 'GET', '/console/customers/FORM-1');
      expect(shown.body).toContain('Nothing was recorded');
      expect(shown.body).toMatch(
        /id="promise-date" name="promisedOn" type="date"[^>]*value="2020-01-01"[^>]*aria-invalid="true" aria-describedby="promise-date-error"/,
      );
      expect(shown.body).toMatch(/<p class="field-error" id="promise-date-error">must not be before today/);
      expect(shown.body).toMatch(/id="promise-amount"[^>]*value="1250.00"/);
      const badAmount = await browse(jar, 'POST', '/console/customers/FORM-1/actions/promise', {
        _csrf: csrfIn(shown.body),
        amount: '12,50',
        currency: 'RON',
        promisedOn: inFuture(3),
      });
      expect(badAmount.statusCode).toBe(303);
      expect((await browse(jar, 'GET', '/console/customers/FORM-1')).body).toMatch(
        /id="promise-amount-error">&quot;12,50&quot; is not a decimal amount/,
      );
      expect(await t.runtime.prisma.promiseToPay.count({ where: { customer: { externalId: 'FORM-1' } } })).toBe(0);
      const good = await browse(jar, 'POST', '/console/customers/FORM-1/actions/promise', {
        _csrf: csrfIn(shown.body),
        amount: '1250.00',
        currency: 'RON',
        promisedOn: inFuture(3),
      });
      expect(good.statusCode).toBe(303);
      const after = await browse(jar, 'GET', '/console/customers/FORM-1');
      expect(after.body).toContain(`Promise to pay recorded: 1250.00 RON by ${inFuture(3)}`);
      expect(after.body).toContain(`Promise to pay RON\u00a01,250.00 by ${inFuture(3)}`);
      expect(after.body).toContain(`<p><strong>RON\u00a01,250.00</strong> by ${inFuture(3)}</p>`);
      expect(after.body).not.toContain('field-error');
    });

    it('refuses collector and manager forms without the right CSRF token, writing nothing', async () => {
      const collector = await signIn('collector');
      const calls = await formCount('call', 'FORM-1');
      for (const csrf of [undefined, 'forged']) {
        const response = await browse(collector, 'POST', '/console/customers/FORM-1/actions/call', {
          ...(csrf ? { _csrf: csrf } : {}),
          outcome: 'paid',
          notes: 'forged',
        });
        expect(response.statusCode).toBe(403);
        expect(response.body).toContain('This form has expired');
      }
      expect(await formCount('call', 'FORM-1')).toBe(calls);
      const manager = await signIn('manager');
      const forged = await browse(manager, 'POST', '/console/customers/FORM-2/actions/legal-hold', {
        _csrf: csrfIn((await browse(collector, 'GET', '/console/worklist')).body),
        reason: 'forged',
      });
      expect(forged.statusCode).toBe(403);
      expect(await t.runtime.prisma.legalHold.count({ where: { customer: { externalId: 'FORM-2' } } })).toBe(0);
    });

    it('lets a manager place and release a legal hold, both on the timeline, and open the case file', async () => {
      const jar = await signIn('manager');
      const page = await browse(jar, 'GET', '/console/customers/FORM-2');
      expect(page.body).toContain('Manager actions');
      expect(page.body).toContain('<label for="legal-reason">Reason</label>');
      const placed = await browse(jar, 'POST', '/console/customers/FORM-2/actions/legal-hold', {
        _csrf: csrfIn(page.body),
        reason: 'Handed to the agency',
        agency: '',
      });
      expect(placed.statusCode).toBe(303);
      const held = await browse(jar, 'GET', '/console/customers/FORM-2');
      expect(held.body).toContain('Legal hold placed: all contact has stopped.');
      expect(held.body).toContain('<span class="tag bad">legal hold</span>');
      expect(held.body).toContain('Release the legal hold');
      expect(held.body).not.toContain('Place a legal hold');
      const again = await browse(jar, 'POST', '/console/customers/FORM-2/actions/legal-hold', {
        _csrf: csrfIn(held.body),
        reason: 'twice',
      });
      expect(again.statusCode).toBe(303);
      expect((await browse(jar, 'GET', '/console/customers/FORM-2')).body).toMatch(/class="flash error"[^>]*>legal_hold.place: /);
      const released = await browse(jar, 'POST', '/console/customers/FORM-2/actions/release-legal-hold', {
        _csrf: csrfIn(held.body),
        reason: 'Agency returned it',
      });
      expect(released.statusCode).toBe(303);
      const after = await browse(jar, 'GET', '/console/customers/FORM-2');
      expect(after.body).toContain('Legal hold released');
      expect(after.body).toContain('Handed to the agency');
      expect(after.body).toContain('Agency returned it');
      const file = await browse(jar, 'GET', '/console/customers/FORM-2/case-file');
      expect(file.statusCode).toBe(200);
      expect(file.body).toContain('Case file: Forms Manager SRL');
      expect(file.headers['content-security-policy']).toContain("style-src 'unsafe-inline'");
    });

    it('gives a manager (not a collector) the write-off and customer-settings forms; both write through the services', async () => {
      await seedLedger(t.runtime.prisma, [
        {
          externalId: 'FORM-3',
          name: 'Forms Lifecycle SRL',
          invoices: [
            { number: 'FL-1', amountMinor: 300_00, issuedOn: '2025-12-01', dueOn: '2026-01-01' },
            { number: 'FL-2', amountMinor: 700_00, issuedOn: '2025-12-01', dueOn: '2026-01-01' },
          ],
        },
      ]);
      const collector = await signIn('collector');
      const seen = await browse(collector, 'GET', '/console/customers/FORM-3');
      expect(seen.body).not.toContain('Write off');
      expect(seen.body).not.toContain('Customer settings');
      expect(
        (
          await browse(collector, 'POST', '/console/customers/FORM-3/actions/write-off', {
            _csrf: csrfIn(seen.body),
            invoice: 'FL-1',
            reason: 'x',
          })
        ).statusCode,
      ).toBe(403);
      expect(
        (await browse(collector, 'POST', '/console/customers/FORM-3/actions/settings', { _csrf: csrfIn(seen.body), doNotContact: 'yes' }))
          .statusCode,
      ).toBe(403);

      const jar = await signIn('manager');
      const page = await browse(jar, 'GET', '/console/customers/FORM-3');
      expect(page.body).toContain('<option value="*all" selected>Whole open balance</option>');
      expect(page.body).toContain('<option value="FL-1">FL-1 (300.00 RON)</option>');
      expect(page.body).toMatch(/id="settings-collector"[\s\S]*?<option value="\*none" selected>Unassigned<\/option>/);
      const wrote = await browse(jar, 'POST', '/console/customers/FORM-3/actions/write-off', {
        _csrf: csrfIn(page.body),
        invoice: 'FL-1',
        reason: 'Small balance, not worth chasing',
      });
      expect(wrote.statusCode).toBe(303);
      const after = await browse(jar, 'GET', '/console/customers/FORM-3');
      expect(after.body).toContain('Written off: 300.00 RON (FL-1).');
      expect(after.body).not.toContain('<td>FL-1</td>');
      expect(after.body).toContain('Small balance, not worth chasing');

      const bad = await browse(jar, 'POST', '/console/customers/FORM-3/actions/settings', {
        _csrf: csrfIn(after.body),
        collector: 'collector@example.com',
        profile: 'consumer',
        holidayCalendar: 'RO',
        doNotContact: 'yes',
        statementSchedule: 'weekly',
        salesContactEmail: 'not an email',
      });
      expect(bad.statusCode).toBe(303);
      const shown = await browse(jar, 'GET', '/console/customers/FORM-3');
      expect(shown.body).toMatch(/id="settings-sales-error">must be an email address/);
      const saved = await browse(jar, 'POST', '/console/customers/FORM-3/actions/settings', {
        _csrf: csrfIn(shown.body),
        collector: 'collector@example.com',
        profile: 'consumer',
        holidayCalendar: 'RO',
        doNotContact: 'yes',
        statementSchedule: 'weekly',
        salesContactEmail: 'sales@forms.example',
      });
      expect(saved.statusCode).toBe(303);
      const done = await browse(jar, 'GET', '/console/customers/FORM-3');
      expect(done.body).toContain(
        'Customer settings saved (collector, contact profile, holiday calendar, do not contact, statement schedule, sales contact).',
      );
      expect(done.body).toContain('<span class="tag bad">do not contact</span>');
      expect(done.body).toContain('<dt>Collector</dt><dd>Ana collector</dd>');
      expect(await t.runtime.prisma.customer.findUniqueOrThrow({ where: { externalId: 'FORM-3' } })).toMatchObject({
        assignedCollectorId: t.users.collector.id,
        profile: 'consumer',
        holidayCalendar: 'RO',
        doNotContact: true,
        statementSchedule: 'weekly',
        salesContactEmail: 'sales@forms.example',
      });
    });

    it('acknowledges an alert from the dashboard (managers only)', async () => {
      // The legal hold a manager placed on FORM-2 raised no open alert (their own action); the system raises this one.
      const customer = await t.runtime.prisma.customer.findUniqueOrThrow({ where: { externalId: 'FORM-2' } });
      const now = new Date();
      const alert = await t.runtime.prisma.managerAlert.create({
        data: {
          kind: 'balance_threshold',
          customerId: customer.id,
          message: 'Balance above the threshold',
          raisedAt: now,
          lastRaisedAt: now,
        },
      });
      const collector = await signIn('collector');
      const worklist = await browse(collector, 'GET', '/console/worklist');
      expect(
        (await browse(collector, 'POST', `/console/alerts/${alert.id}/acknowledge`, { _csrf: csrfIn(worklist.body) })).statusCode,
      ).toBe(403);
      const manager = await signIn('manager');
      const dashboard = await browse(manager, 'GET', '/console/dashboard');
      expect(dashboard.body).toContain(`action="/console/alerts/${alert.id}/acknowledge"`);
      const acked = await browse(manager, 'POST', `/console/alerts/${alert.id}/acknowledge`, { _csrf: csrfIn(dashboard.body) });
      expect(acked.statusCode).toBe(303);
      expect(acked.headers.location).toBe('/console/dashboard');
      const after = await browse(manager, 'GET', '/console/dashboard');
      expect(after.body).toContain('Alert acknowledged');
      expect(after.body).not.toContain(`/console/alerts/${alert.id}/acknowledge`);
      expect((await t.runtime.prisma.managerAlert.findUniqueOrThrow({ where: { id: alert.id } })).acknowledgedBy).toBe(t.users.manager.id);
    });
  });
});
