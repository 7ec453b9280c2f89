import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestArrears, testEnvironment, type TestArrears } from '../../../support/arrears.js';
import { testQueuePrefix } from '../../../support/databases.js';
import { startFakeTwilio, type LocalTwilioServer } from '../../../support/fake-twilio.js';
import { startTestHttpApp, type TestHttpApp } from '../../../support/http-app.js';
import { seedLedger } from '../../../support/ledger.js';
import { SmtpSink } from '../../../support/smtp-sink.js';
import { drain } from '../../cases/case-support.js';
import type { Jar } from '../../../support/console-session.js';
import { browse as consoleBrowse, consoleSession, csrfIn } from '../../../support/console-session.js';

// The customer page against real Postgres, Redis, a worker and an SMTP sink: the header's
// figures per currency, the timeline (one entry per event, filters, keyset pages), the promise
// sense checks and cancel form, and "send a message now" through the outbox.

const DAY = 86_400_000;
/**
 * A calendar day `n` days from today in Europe/Berlin (negative = before): MULTI-1's zone, in which
 * the page counts its days overdue. From UTC's today it was a day short from 23:00 UTC on.
 */
const day = (n: number) => DateTime.now().setZone('Europe/Berlin').plus({ days: n }).toISODate()!;
const NBSP = '\u00a0';
/** The timeline's entries (titles), in page order. */
const entries = (html: string) =>
  [
    ...(/<ol class="timeline"[^>]*>([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? '').matchAll(
      /<li class="[^"]*">\s*<div><strong>([^<]*)<\/strong>/g,
    ),
  ].map((m) => m[1]!);

describe('the customer page', () => {
  let t: TestHttpApp;
  let worker: TestArrears;
  let sink: SmtpSink;
  let twilio: LocalTwilioServer;
  let ids: Map<string, string>;

  const browse = (jar: Jar, method: 'GET' | 'POST', url: string, form?: Record<string, string>) =>
    consoleBrowse(t.app, jar, method, url, form);

  /** A signed-in browser's cookie jar (test/support/console-session.ts). */
  const signIn = async (role: 'collector' | 'manager') => (await consoleSession(t.app, `${role}@example.com`)).jar;

  /** Posts a customer-page form with the page's CSRF token; returns the page it redirects to. */
  async function post(jar: Jar, externalId: string, action: string, form: Record<string, string>) {
    const page = await browse(jar, 'GET', `/console/customers/${externalId}`);
    const posted = await browse(jar, 'POST', `/console/customers/${externalId}/actions/${action}`, { _csrf: csrfIn(page.body), ...form });
    expect(posted.statusCode, posted.body).toBe(303);
    return browse(jar, 'GET', String(posted.headers.location));
  }

  beforeAll(async () => {
    sink = await SmtpSink.start();
    twilio = await startFakeTwilio();
    const prefix = testQueuePrefix();
    const smtp = sink.settings();
    t = await startTestHttpApp({
      QUEUE_PREFIX: prefix,
      EMAIL_TRANSPORT: 'smtp',
      SMTP_HOST: smtp.host,
      SMTP_PORT: String(smtp.port),
      PROMISE_MAX_DAYS: '30',
    });
    // The worker that delivers what the console queues: same database, same queues.
    worker = await startTestArrears(testEnvironment(t.database.url, sink, twilio, { QUEUE_PREFIX: prefix, PROMISE_MAX_DAYS: '30' }));
    ids = await seedLedger(t.runtime.prisma, [
      {
        externalId: 'MULTI-1',
        name: 'Multi Currency GmbH',
        timeZone: 'Europe/Berlin',
        locale: 'en',
        currency: 'EUR',
        invoices: [
          { number: 'E-1', amountMinor: 1_000_00, balanceMinor: 600_00, issuedOn: day(-70), dueOn: day(-40) },
          { number: 'E-2', amountMinor: 250_00, issuedOn: day(-5), dueOn: day(25) },
        ],
      },
      {
        externalId: 'PROM-1',
        locale: 'en',
        currency: 'EUR',
        invoices: [{ number: 'P-1', amountMinor: 14_412_00, issuedOn: day(-60), dueOn: day(-20) }],
      },
      { externalId: 'LONG-1', locale: 'en', invoices: [{ number: 'L-1', amountMinor: 500_00, issuedOn: day(-60), dueOn: day(-20) }] },
      { externalId: 'SEND-1', locale: 'en', invoices: [{ number: 'S-1', amountMinor: 700_00, issuedOn: day(-60), dueOn: day(-20) }] },
      { externalId: 'DNC-1', locale: 'en', invoices: [{ number: 'D-1', amountMinor: 800_00, issuedOn: day(-60), dueOn: day(-20) }] },
    ]);
    const prisma = t.runtime.prisma;
    const multi = ids.get('MULTI-1')!;
    const usd = await prisma.invoice.create({
      data: {
        externalId: 'MULTI-1-U-1',
        customerId: multi,
        number: 'U-1',
        currency: 'USD',
        amountMinor: 3_000_00n,
        openBalanceMinor: 3_000_00n,
        issuedOn: new Date(`${day(-40)}T00:00:00Z`),
        dueOn: new Date(`${day(-10)}T00:00:00Z`),
      },
    });
    const e1 = await prisma.invoice.findFirstOrThrow({ where: { customerId: multi, number: 'E-1' } });
    await prisma.payment.create({
      data: {
        externalId: 'PAY-M-1',
        customerId: multi,
        amountMinor: 400_00n,
        currency: 'EUR',
        receivedOn: new Date(`${day(-3)}T00:00:00Z`),
        reference: 'E-1 part',
        allocations: { create: [{ invoiceId: e1.id, amountMinor: 400_00n }] },
      },
    });
    expect(usd.id).toBeDefined();
    await prisma.customer.update({ where: { id: ids.get('DNC-1') }, data: { doNotContact: true } });
  });

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await sink?.close();
    await twilio?.close();
  });

  it('heads the page with balance, overdue and oldest days overdue per currency, never summed across currencies', async () => {
    const jar = await signIn('collector');
    const page = await browse(jar, 'GET', '/console/customers/MULTI-1');
    expect(page.statusCode, page.body).toBe(200);
    const owed = /<h3>Owed<\/h3>([\s\S]*?)<\/table>/.exec(page.body)?.[1] ?? '';
    expect(owed).toContain(
      `<tr><td>EUR</td><td class="num">EUR${NBSP}850.00</td><td class="num">EUR${NBSP}600.00</td><td class="num">40 days</td><td class="num">2</td></tr>`,
    );
    expect(owed).toContain(
      `<tr><td>USD</td><td class="num">USD${NBSP}3,000.00</td><td class="num">USD${NBSP}3,000.00</td><td class="num">10 days</td><td class="num">1</td></tr>`,
    );
    expect(owed).not.toMatch(/3,850|3,600/);
    // The planner behind `arrears plan --explain` says where the case stands and what comes next.
    expect(page.body).toMatch(/Next planned action:\s*<strong>(email|sms|call task|credit hold)/);
    expect(page.body).toContain("customer's time (Europe/Berlin)");
    // The payment with its allocation, near the top.
    expect(page.body).toMatch(
      new RegExp(`<td>${day(-3)}</td><td class="num">EUR${NBSP}400.00</td><td>E-1 part</td>\\s*<td>E-1 EUR${NBSP}400.00</td>`),
    );
    expect(page.body.indexOf('id="promises-h"')).toBeLessThan(page.body.indexOf('id="actions-h"'));
  });

  it('answers bad query parameters with a 400 naming the parameter', async () => {
    const jar = await signIn('collector');
    for (const [query, parameter] of [
      ['show=everything', 'show'],
      ['before=not-a-cursor', 'before'],
      [`before=${Buffer.from('2026-01-01T00:00:00Z|x:1').toString('base64url')}`, 'before'],
      ['page=2', 'page'],
      ['show=calls&show=holds', 'show'],
    ] as const) {
      const response = await browse(jar, 'GET', `/console/customers/MULTI-1?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.body).toContain(`The ${parameter} parameter`);
    }
    expect((await browse(jar, 'GET', '/console/customers/MULTI-1/message?template=fax%7Cx')).statusCode).toBe(400);
  });

  it('shows each human action once on the timeline, with filters', async () => {
    const jar = await signIn('collector');
    await post(jar, 'MULTI-1', 'call', { outcome: 'promised', notes: 'Will pay the EUR part' });
    await post(jar, 'MULTI-1', 'promise', { amount: '600.00', currency: 'EUR', promisedOn: day(5) });
    await post(jar, 'MULTI-1', 'note', { text: 'Sent them the statement' });
    const page = await browse(jar, 'GET', '/console/customers/MULTI-1');
    const all = entries(page.body);
    expect(all.filter((e) => e.startsWith('Promise to pay'))).toEqual([`Promise to pay EUR${NBSP}600.00 by ${day(5)}`]);
    expect(all.filter((e) => e.startsWith('Call'))).toEqual(['Call — promised']);
    expect(all.filter((e) => e === 'Note')).toHaveLength(1);
    expect(all.some((e) => /logged|recorded/.test(e))).toBe(false);
    expect(page.body).not.toMatch(/60000\b/);
    expect(all.some((e) => e.startsWith('Payment received'))).toBe(true);

    const calls = entries((await browse(jar, 'GET', '/console/customers/MULTI-1?show=calls')).body);
    expect(calls).toEqual(['Note', 'Call — promised']);
    const promises = entries((await browse(jar, 'GET', '/console/customers/MULTI-1?show=promises')).body);
    expect(promises).toEqual([`Promise to pay EUR${NBSP}600.00 by ${day(5)}`]);
    const payments = entries((await browse(jar, 'GET', '/console/customers/MULTI-1?show=payments')).body);
    expect(payments).toEqual([`Payment received: EUR${NBSP}400.00 on ${day(-3)}`]);
    const messages = entries((await browse(jar, 'GET', '/console/customers/MULTI-1?show=messages')).body);
    expect(messages.every((e) => e.startsWith('EMAIL'))).toBe(true);

    const manager = await signIn('manager');
    await post(manager, 'MULTI-1', 'credit-hold', { reason: 'over the limit' });
    const holds = entries((await browse(jar, 'GET', '/console/customers/MULTI-1?show=holds')).body);
    expect(holds).toEqual(['Credit hold placed']);
  });

  it('pages a long timeline with keyset cursors: every event once, newest first', async () => {
    const prisma = t.runtime.prisma;
    const customerId = ids.get('LONG-1')!;
    const base = Date.now() - 10 * DAY;
    // 60 notes; pairs share an instant so the cursor's tiebreak (the entry's key) matters.
    await prisma.contact.createMany({
      data: Array.from({ length: 60 }, (_unused, i) => ({
        customerId,
        channel: 'note' as const,
        status: 'logged' as const,
        notes: `note ${i}`,
        createdAt: new Date(base + Math.floor(i / 2) * 60_000),
        idempotencyKey: `long-note-${i}`,
      })),
    });
    const jar = await signIn('collector');
    const seen: string[] = [];
    let url: string | null = '/console/customers/LONG-1?show=calls';
    let pages = 0;
    while (url) {
      const page = await browse(jar, 'GET', url);
      expect(page.statusCode, `${url} ${/<main[\s\S]*<\/main>/.exec(page.body)?.[0]}`).toBe(200);
      seen.push(...[...page.body.matchAll(/<div>(note \d+)<\/div>/g)].map((m) => m[1]!));
      // What a browser requests: entities decoded, no fragment.
      url =
        /<a href="([^"]+)" rel="next">/.exec(page.body)?.[1]?.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&').replace(/#.*$/, '') ??
        null;
      pages += 1;
      expect(pages).toBeLessThan(5);
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(60);
    expect(new Set(seen).size).toBe(60);
    const order = seen.map((s) => Number(s.slice(5)));
    for (let i = 1; i < order.length; i += 1) expect(Math.floor(order[i]! / 2)).toBeLessThanOrEqual(Math.floor(order[i - 1]! / 2));
  });

  describe('promise sense checks', () => {
    const promises = (status?: 'open' | 'cancelled') =>
      t.runtime.prisma.promiseToPay.findMany({ where: { customerId: ids.get('PROM-1'), ...(status ? { status } : {}) } });
    const errorOf = (html: string, id: string) => new RegExp(`id="${id}-error">([^<]*)<`).exec(html)?.[1];

    it('refuses an amount above the open balance unless confirmed', async () => {
      const jar = await signIn('collector');
      const refused = await post(jar, 'PROM-1', 'promise', { amount: '999999.00', currency: 'EUR', promisedOn: day(7) });
      expect(errorOf(refused.body, 'promise-amount')).toContain('is more than the open balance (14412.00 EUR)');
      expect(refused.body).toMatch(/id="promise-amount"[^>]*value="999999.00"/);
      expect(await promises()).toHaveLength(0);
      const confirmed = await post(jar, 'PROM-1', 'promise', {
        amount: '15000.00',
        currency: 'EUR',
        promisedOn: day(7),
        allowAboveBalance: 'yes',
      });
      expect(confirmed.body).toContain('Promise to pay recorded: 15000.00 EUR');
      expect((await promises('open')).map((p) => p.amountMinor)).toEqual([15_000_00n]);
    });

    it('refuses a date beyond PROMISE_MAX_DAYS and a second open promise unless it replaces the first', async () => {
      const jar = await signIn('collector');
      const far = await post(jar, 'PROM-1', 'promise', { amount: '100.00', currency: 'EUR', promisedOn: day(45) });
      expect(errorOf(far.body, 'promise-date')).toContain('must be within 30 days');
      const second = await post(jar, 'PROM-1', 'promise', { amount: '100.00', currency: 'EUR', promisedOn: day(10) });
      expect(errorOf(second.body, 'promise-replaces')).toContain('already has an open promise');
      expect(await promises()).toHaveLength(1);
      const [first] = await promises('open');
      const replaced = await post(jar, 'PROM-1', 'promise', {
        amount: '100.00',
        currency: 'EUR',
        promisedOn: day(10),
        replaces: first!.id,
      });
      expect(replaced.body).toContain('the earlier promise is cancelled');
      expect((await promises('open')).map((p) => p.amountMinor)).toEqual([100_00n]);
      expect((await promises('cancelled')).map((p) => p.id)).toEqual([first!.id]);
      const audit = await t.runtime.prisma.auditEvent.findFirstOrThrow({ where: { entityId: first!.id, action: 'promise.cancelled' } });
      expect(audit.reason).toContain('replaced by a promise of 100.00 EUR');
      // Each promise confirmed by email once: two promises, two confirmations.
      const confirmations = await t.runtime.prisma.contact.findMany({
        where: { customerId: ids.get('PROM-1'), templateId: 'promise-confirmation' },
      });
      expect(confirmations).toHaveLength(2);
      expect(new Set(confirmations.map((c) => c.idempotencyKey)).size).toBe(2);
    });

    it('cancels an open promise from the page, audited and on the timeline', async () => {
      const jar = await signIn('collector');
      const [open] = await promises('open');
      const missing = await post(jar, 'PROM-1', 'cancel-promise', { promiseId: open!.id, reason: '' });
      expect(missing.body).toContain('Nothing was recorded');
      const done = await post(jar, 'PROM-1', 'cancel-promise', { promiseId: open!.id, reason: 'customer withdrew it' });
      expect(done.body).toContain('Promise cancelled');
      expect(await promises('open')).toHaveLength(0);
      expect(await t.runtime.prisma.auditEvent.count({ where: { entityId: open!.id, action: 'promise.cancelled' } })).toBe(1);
      const timeline = entries((await browse(jar, 'GET', '/console/customers/PROM-1?show=promises')).body);
      expect(timeline[0]).toBe('Promise cancelled');
      expect(done.body).toMatch(/<h2 id="promises-h">Open promises<\/h2>\s*<p>None.<\/p>/);
    });
  });

  describe('send a message now', () => {
    const template = 'email|default/overdue-14';

    it('previews, then queues one contact through the outbox that the SMTP sink receives once', async () => {
      const jar = await signIn('collector');
      const page = await browse(jar, 'GET', '/console/customers/SEND-1');
      expect(page.body).toContain('<option value="email|default/overdue-14">');
      const requestId = /name="requestId" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      const preview = await browse(
        jar,
        'GET',
        `/console/customers/SEND-1/message?${new URLSearchParams({ template, requestId }).toString()}`,
      );
      expect(preview.statusCode, preview.body).toBe(200);
      expect(preview.body).toContain('send-1@example.com');
      expect(preview.body).toContain('S-1');
      expect(await t.runtime.prisma.contact.count({ where: { customerId: ids.get('SEND-1') } })).toBe(0);

      // Confirmed for outside the send window, so it runs at any hour (the window: send-window.test.ts).
      const form = { _csrf: csrfIn(preview.body), template, requestId, outsideWindow: 'yes' };
      const before = sink.messages.length;
      for (let i = 0; i < 2; i += 1) {
        const sent = await browse(jar, 'POST', '/console/customers/SEND-1/actions/message', form);
        expect(sent.statusCode).toBe(303);
      }
      const contacts = await t.runtime.prisma.contact.findMany({ where: { customerId: ids.get('SEND-1') } });
      expect(contacts).toHaveLength(1);
      expect(contacts[0]).toMatchObject({ idempotencyKey: `manual-${requestId}`, templateId: 'default/overdue-14', channel: 'email' });
      await drain(worker);
      const received = await sink.waitFor(before + 1, 15_000);
      expect(received.filter((m) => m.envelope.to.includes('send-1@example.com'))).toHaveLength(1);
      expect((await t.runtime.prisma.contact.findUniqueOrThrow({ where: { id: contacts[0]!.id } })).status).toBe('sent');
      const after = await browse(jar, 'GET', '/console/customers/SEND-1?show=messages');
      expect(entries(after.body)).toHaveLength(1);
    });

    it('refuses a do-not-contact customer with the reason, writing nothing', async () => {
      const jar = await signIn('collector');
      const page = await browse(jar, 'GET', '/console/customers/DNC-1');
      const requestId = /name="requestId" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      const preview = await browse(
        jar,
        'GET',
        `/console/customers/DNC-1/message?${new URLSearchParams({ template, requestId }).toString()}`,
      );
      expect(preview.body).toContain('This message cannot be sent.</strong> The customer is marked do not contact.');
      expect(preview.body).not.toContain('Send now</button>');
      const posted = await browse(jar, 'POST', '/console/customers/DNC-1/actions/message', {
        _csrf: csrfIn(page.body),
        template,
        requestId,
      });
      expect(posted.statusCode).toBe(303);
      const back = await browse(jar, 'GET', String(posted.headers.location));
      expect(back.body).toContain('The customer is marked do not contact.');
      expect(await t.runtime.prisma.contact.count({ where: { customerId: ids.get('DNC-1') } })).toBe(0);
    });
  });
});
