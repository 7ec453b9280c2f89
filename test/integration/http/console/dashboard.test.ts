import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertExchangeRates } from '../../../../src/db/exchange-rates.repository.js';
import { autoCommit } from '../../../../src/db/transaction.js';
import { PASSWORD, startTestHttpApp, type TestHttpApp } from '../../../support/http-app.js';
import { seedLedger } from '../../../support/ledger.js';

// The manager dashboard on a small ledger, with DASHBOARD_REFRESH_SECONDS=0 (the aggregates are
// refreshed before every view): labelled charts with grouped digits and the currency, "no data"
// states, the collection trend and collector performance per period.

const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, ' ');

describe('the manager dashboard', () => {
  let t: TestHttpApp;
  let cookie = '';
  const today = DateTime.now().setZone('Europe/Bucharest');
  const day = (offset: number) => today.plus({ days: offset }).toISODate()!;
  const thisMonth = today.toFormat('yyyy-LL');

  const get = async (url: string) => {
    const response = await t.app.inject({ method: 'GET', url, headers: { cookie } });
    return { status: response.statusCode, body: response.body, text: text(response.body) };
  };

  beforeAll(async () => {
    t = await startTestHttpApp({ DASHBOARD_REFRESH_SECONDS: '0' });
    const page = await t.app.inject({ method: 'GET', url: '/console/login' });
    const jar = [page.headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]!);
    const login = await t.app.inject({
      method: 'POST',
      url: '/console/login',
      headers: { cookie: jar.join('; '), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        _csrf: csrfIn(page.body),
        email: 'manager@example.com',
        password: PASSWORD,
        next: '/console/dashboard',
      }).toString(),
    });
    expect(login.statusCode).toBe(303);
    cookie = [login.headers['set-cookie'] ?? []]
      .flat()
      .map((c) => c.split(';')[0]!)
      .filter((c) => !c.endsWith('='))
      .join('; ');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('says "no data" where there is nothing to compute from', async () => {
    const page = await get('/console/dashboard');
    expect(page.status, page.body).toBe(200);
    expect(page.text).toContain('DSO No data no receivables and no credit sales yet');
    expect(page.text).toContain('CEI No data');
    expect(page.text).toContain('No receivables.');
    expect(page.text).toContain('No payments received in these months.');
    expect(page.text).toContain('No activity in this period.');
  });

  it('shows aging, DSO and CEI per currency with grouped digits, the trend and each collector’s period', async () => {
    const prisma = t.runtime.prisma;
    const ids = await seedLedger(prisma, [
      {
        externalId: 'D-1',
        name: 'Danube Foods SRL',
        currency: 'RON',
        invoices: [
          { number: 'R-1', amountMinor: 1_234_567_00, issuedOn: day(-50), dueOn: day(-20) },
          { number: 'R-2', amountMinor: 500_000_00, issuedOn: day(-5), dueOn: day(25) },
        ],
      },
      {
        externalId: 'D-2',
        name: 'Thames Paper Ltd',
        currency: 'GBP',
        invoices: [{ number: 'G-1', amountMinor: 80_000_00, issuedOn: day(-10), dueOn: day(20) }],
      },
    ]);
    const collector = t.users.collector.id;
    await prisma.customer.update({ where: { id: ids.get('D-1')! }, data: { assignedCollectorId: collector } });
    const d1 = ids.get('D-1')!;
    await prisma.payment.create({
      data: { externalId: 'PAY-1', customerId: d1, amountMinor: 250_000_00n, currency: 'RON', receivedOn: new Date(`${day(0)}T00:00:00Z`) },
    });
    const at = today.startOf('day').plus({ hours: 10 }).toJSDate();
    const contact = (key: string, channel: 'call' | 'email' | 'note', status: 'logged' | 'delivered' | 'bounced') => ({
      customerId: d1,
      channel,
      status,
      idempotencyKey: key,
      actor: channel === 'email' ? 'system' : collector,
      createdAt: at,
      sentAt: channel === 'email' ? at : null,
    });
    await prisma.contact.createMany({
      data: [
        contact('k1', 'call', 'logged'),
        contact('k2', 'call', 'logged'),
        contact('k3', 'email', 'delivered'),
        contact('k4', 'email', 'bounced'),
        contact('k5', 'note', 'logged'),
      ],
    });
    const promise = (status: 'kept' | 'broken' | 'open') => ({
      customerId: d1,
      amountMinor: 1000n,
      currency: 'RON',
      promisedOn: new Date(`${day(0)}T00:00:00Z`),
      status,
      createdBy: collector,
    });
    await prisma.promiseToPay.createMany({ data: [promise('kept'), promise('kept'), promise('broken'), promise('open')] });

    const page = await get('/console/dashboard');
    expect(page.status, page.body).toBe(200);
    // Aging: one chart per currency, the currency on the axis, digits grouped.
    expect(page.body).toContain('<title>Receivables by age (days past due), RON</title>');
    expect(page.body).toContain('<title>Receivables by age (days past due), GBP</title>');
    expect(page.body).toMatch(/>RON<\/text>/);
    expect(page.body).toMatch(/>2,000,000<\/text>/);
    expect(page.text).toContain('RON 1,234,567.00'); // 1-30 days past due
    expect(page.text).toContain('RON 1,734,567.00'); // RON total
    // DSO from 90 days of sales; CEI from the 6 months.
    expect(page.text).toMatch(/DSO, RON \(last 90 days\) \d+(\.\d+)? days/);
    expect(page.text).toContain('receivables RON 1,734,567.00 · sales RON 1,734,567.00');
    expect(page.text).toMatch(/CEI, GBP \(last 6 months\) (No data|[\d.]+%)/);
    // Trend: this month's payments, per currency.
    expect(page.body).toContain('<title>Payments received per month, RON</title>');
    expect(page.text).toContain(`${thisMonth}: RON 250,000.00`);
    // Collector performance this month: 4 contacts made (2 calls and a note logged, a delivered email; not the bounce), 2 calls,
    // 2 of 3 promises kept, 250,000.00 RON collected; the unassigned GBP customer did nothing.
    expect(page.text).toContain(`Collector performance, ${thisMonth}`);
    expect(page.text).toContain('Ana collector 4 2 67% (2 of 3) RON 250,000.00');
  });

  it('totals the aging summary in the base currency at the rates in force, naming a currency without one', async () => {
    const without = await get('/console/dashboard');
    expect(without.text).toContain('No rate to EUR for GBP, RON: left out of that row.');

    await upsertExchangeRates(
      autoCommit(t.runtime.prisma),
      'EUR',
      [
        { currency: 'RON', rateDate: day(-1), rate: '5', source: 'test' },
        { currency: 'GBP', rateDate: day(-3), rate: '0.8', source: 'test' },
      ],
      new Date(),
    );
    const page = await get('/console/dashboard');
    // current: RON 500,000 / 5 + GBP 80,000 / 0.8 = 200,000; 1-30: RON 1,234,567 / 5; all: 446,913.40.
    expect(page.text).toMatch(/All, in EUR €200,000\.00 €246,913\.40 €0\.00 €0\.00 €0\.00 €446,913\.40/);
    expect(page.text).toContain(`All currencies converted to EUR at the rates of ${day(-3)}, ${day(-1)}.`);
    expect(page.text).not.toContain('No rate to EUR');
    // The collector's takings in the base currency above the per-currency amounts.
    expect(page.text).toContain('Ana collector 4 2 67% (2 of 3) €50,000.00 in EUR RON 250,000.00');
  });

  it('shows earlier periods and weeks, and refuses what it does not know', async () => {
    const weeks = await get('/console/dashboard?unit=week');
    expect(weeks.status).toBe(200);
    expect(weeks.body).toContain('<title>Payments received per week, RON</title>');
    const earlier = today.minus({ months: 2 }).toFormat('yyyy-LL');
    const past = await get(`/console/dashboard?period=${earlier}`);
    expect(past.status).toBe(200);
    expect(past.text).toContain(`Collector performance, ${earlier}`);
    expect(past.text).toContain('No activity in this period.');
    const bad = await get('/console/dashboard?period=1999-01');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('period must be one of the last 6 months');
    expect((await get('/console/dashboard?unit=year')).status).toBe(400);
    expect((await get('/console/dashboard?sort=name')).text).toContain('Unknown parameter: sort');
  });
});
