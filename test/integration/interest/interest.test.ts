import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { statementTable } from '../../../src/reports/report-tables.js';
import { loadInterestReport } from '../../../src/reports/sources/interest.source.js';
import { loadStatement } from '../../../src/reports/sources/reports.source.js';
import { renderText } from '../../../src/reports/table.js';
import type { InterestReport } from '../../../src/reports/interest.report.js';
import { consoleSession } from '../../support/console-session.js';
import { startTestHttpApp, type TestHttpApp } from '../../support/http-app.js';
import { startCli } from '../../support/processes.js';

// The CLI tests spawn `arrears` processes, which can take tens of seconds each on a busy machine.
const CLI_TIMEOUT = 240_000;

// One customer per rule, a consumer, a contractual rate; figures worked out in the unit tests'
// examples (test/unit/core/interest-claim.test.ts) and against the shipped reference rates.
const SEED = `
  insert into customers (id, external_id, name, time_zone, locale, currency, profile, interest_rule, interest_contract_rate_bp, updated_at) values
    ('00000000-0000-0000-0000-0000000000c1', 'UK-1', 'Brixton Ltd', 'Europe/London', 'en-GB', 'GBP', 'business', 'uk-late-payment', null, now()),
    ('00000000-0000-0000-0000-0000000000c2', 'EU-1', 'Lyon SA', 'Europe/Paris', 'fr', 'EUR', 'business', 'eu-late-payment', null, now()),
    ('00000000-0000-0000-0000-0000000000c3', 'RO-1', 'Cluj SRL', 'Europe/Bucharest', 'ro', 'RON', 'business', 'ro-law-72-2013', null, now()),
    ('00000000-0000-0000-0000-0000000000c4', 'TR-1', 'Izmir AŞ', 'Europe/Istanbul', 'tr', 'TRY', 'business', 'tr-ttk-1530', null, now()),
    ('00000000-0000-0000-0000-0000000000c5', 'CONS-1', 'A. Person', 'Europe/London', 'en-GB', 'GBP', 'consumer', 'uk-late-payment', null, now()),
    ('00000000-0000-0000-0000-0000000000c6', 'K-1', 'Contract GmbH', 'Europe/Berlin', 'de', 'EUR', 'business', null, 1000, now());
  insert into invoices (id, external_id, customer_id, number, currency, amount_minor, open_balance_minor, issue_date, due_date, status, updated_at) values
    ('00000000-0000-0000-0000-000000000101', 'X-UK', '00000000-0000-0000-0000-0000000000c1', 'UK-100', 'GBP', 500000, 0, '2025-01-01', '2025-01-31', 'paid', now()),
    ('00000000-0000-0000-0000-000000000102', 'X-EU', '00000000-0000-0000-0000-0000000000c2', 'EU-100', 'EUR', 1000000, 1000000, '2024-11-01', '2024-12-01', 'open', now()),
    ('00000000-0000-0000-0000-000000000103', 'X-RO', '00000000-0000-0000-0000-0000000000c3', 'RO-100', 'RON', 1000000, 1000000, '2024-12-01', '2024-12-31', 'open', now()),
    ('00000000-0000-0000-0000-000000000104', 'X-TR', '00000000-0000-0000-0000-0000000000c4', 'TR-100', 'TRY', 10000000, 10000000, '2024-11-15', '2024-12-15', 'open', now()),
    ('00000000-0000-0000-0000-000000000105', 'X-CONS', '00000000-0000-0000-0000-0000000000c5', 'C-100', 'GBP', 50000, 50000, '2024-11-01', '2024-12-01', 'open', now()),
    ('00000000-0000-0000-0000-000000000106', 'X-K', '00000000-0000-0000-0000-0000000000c6', 'K-100', 'EUR', 365000, 365000, '2024-12-01', '2025-01-01', 'open', now()),
    ('00000000-0000-0000-0000-000000000107', 'X-UK2', '00000000-0000-0000-0000-0000000000c1', 'UK-101', 'GBP', 100000, 0, '2025-01-01', '2025-01-31', 'paid', now());
  insert into payments (id, external_id, customer_id, amount_minor, currency, received_on, unapplied_minor) values
    ('00000000-0000-0000-0000-000000000201', 'P-UK', '00000000-0000-0000-0000-0000000000c1', 500000, 'GBP', '2025-03-12', 0),
    ('00000000-0000-0000-0000-000000000202', 'P-UK2', '00000000-0000-0000-0000-0000000000c1', 100000, 'GBP', '2025-01-30', 0);
  insert into payment_allocations (payment_id, invoice_id, amount_minor) values
    ('00000000-0000-0000-0000-000000000201', '00000000-0000-0000-0000-000000000101', 500000),
    ('00000000-0000-0000-0000-000000000202', '00000000-0000-0000-0000-000000000107', 100000);
  insert into exchange_rates (base_currency, currency, rate_date, rate, source, updated_at) values
    ('EUR', 'RON', '2024-12-31', 4.9743, 'test', now());
`;

describe('late-payment interest: shipped rates, import, API and the report', () => {
  let t: TestHttpApp;
  let dir: string;

  beforeAll(async () => {
    t = await startTestHttpApp();
    dir = await mkdtemp(path.join(os.tmpdir(), 'arrears-interest-'));
    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    await client.query(SEED);
    await client.end();
  });
  afterAll(async () => t?.close());

  const env = () => ({ DATABASE_URL: t.database.url, REDIS_URL: inject('redisUrl'), LOG_LEVEL: 'warn' });
  const report = (asOf: string) =>
    loadInterestReport(t.runtime.prisma, { asOf, baseCurrency: 'EUR', settings: { defaultRule: null, allocation: 'principal-first' } });
  const claimOf = (r: InterestReport, invoice: string) => r.claims.find((c) => c.invoice === invoice);

  it('ships the known history of each reference rate', async () => {
    const rows = await t.runtime.prisma.referenceRate.findMany({ orderBy: [{ source: 'asc' }, { effectiveOn: 'asc' }] });
    const of = (source: string, day: string) => rows.find((r) => r.source === source && r.effectiveOn.toISOString().startsWith(day));
    expect(of('ecb-mro', '2024-06-12')?.rateBp).toBe(425);
    expect(of('boe-bank-rate', '2025-12-18')?.rateBp).toBe(375);
    expect(of('nbr-reference', '2023-01-11')?.rateBp).toBe(700);
    expect(of('tcmb-ttk-1530', '2026-01-01')).toMatchObject({ rateBp: 4300, fixedSumMinor: 202_000n, fixedSumCurrency: 'TRY' });
  });

  it('computes each rule’s claim from the ledger; consumers get none; a paid-late invoice keeps its claim', async () => {
    const r = await report('2025-01-14');
    expect(r.claims.map((c) => c.invoice).sort()).toEqual(['EU-100', 'K-100', 'RO-100', 'TR-100']);
    // EU: 12.25 % for December, 11.15 % from 1 January: 30 + 13 days on €10,000.
    expect(claimOf(r, 'EU-100')).toMatchObject({
      days_late: 44,
      periods: [
        { from: '2024-12-02', to: '2024-12-31', rate_bp: 1225 },
        { from: '2025-01-01', to: '2025-01-14', rate_bp: 1115 },
      ],
      // 10,000 × (12.25 % × 30 + 11.15 % × 14) / 365 = 100.6849 + 42.7671 → 143.45
      interest_minor: 14_345,
      compensation: { minor: 4_000, currency: 'EUR', converted_from: null },
    });
    // Romania: NBR rate of 1 January 2025 (6.50 %) + 8; €40 at the due date's rate.
    expect(claimOf(r, 'RO-100')).toMatchObject({
      rule: 'ro-law-72-2013',
      periods: [{ rate_bp: 1450, fixed_on: '2025-01-01', days: 14 }],
      // 10,000 × 14.5 % × 14 / 365 = 55.616… → 55.62
      interest_minor: 5_562,
      // 40 × 4.9743 = 198.972 → 198.97 lei
      compensation: { minor: 19_897, currency: 'RON', converted_from: { minor: 4_000, currency: 'EUR', rate_dates: ['2024-12-31'] } },
    });
    expect(claimOf(r, 'TR-100')).toMatchObject({ interest_minor: 414_658, compensation: { minor: 131_000, currency: 'TRY' } });
    expect(claimOf(r, 'K-100')).toMatchObject({ rule: 'contract', interest_minor: 1_300, compensation: null }); // 3,650 × 10 % × 13 / 365

    const later = await report('2025-06-30');
    expect(claimOf(later, 'UK-100')).toMatchObject({
      outstanding_minor: 0,
      days_late: 40,
      interest_minor: 6_986,
      compensation: { minor: 7_000 },
    });
    expect(claimOf(later, 'UK-101')).toBeUndefined(); // paid before it was due
    expect(later.totals.find((x) => x.currency === 'GBP')).toMatchObject({ interest_minor: 6_986, compensation_minor: 7_000 });
  });

  it('names a period whose reference rate is not known, and fills it once the API adds the rate', async () => {
    const before = await report('2026-01-10');
    expect(claimOf(before, 'EU-100')).toMatchObject({
      interest_minor: null,
      gaps: [expect.stringContaining('ecb-mro rate on 2026-01-01 unknown')],
    });
    expect(before.totals.find((x) => x.currency === 'EUR')?.claims_with_gaps).toBe(1);

    const post = async (payload: unknown) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/reference-rates',
        headers: { authorization: `Bearer ${await t.token('manager')}` },
        payload: payload as object,
      });
    const bad = await post({
      items: [
        { source: 'ecb-mro', effective_on: '2026-01-01', rate: '2.15' },
        { source: 'fed', effective_on: '2025-07-01', rate: '4.5' },
        { source: 'tcmb-ttk-1530', effective_on: '2027-02-30', rate: '-1', fixed_sum: '12.345', fixed_sum_currency: 'TRY' },
      ],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual([
      'items[1].source',
      'items[2].effective_on',
      'items[2].rate',
      'items[2].fixed_sum',
    ]);
    expect(claimOf(await report('2026-01-10'), 'EU-100')?.interest_minor).toBeNull(); // nothing was written

    // Test data: a row restating the rate on 1 January 2026.
    const good = await post({ items: [{ source: 'ecb-mro', effective_on: '2026-01-01', rate: '2.15' }] });
    expect(good.statusCode, good.body).toBe(200);
    expect(good.json()).toEqual({ created: 1, updated: 0, unchanged: 0 });
    const after = claimOf(await report('2026-01-10'), 'EU-100');
    expect(after?.interest_minor).not.toBeNull();
    expect(after?.periods.at(-1)).toMatchObject({ from: '2026-01-01', rate_bp: 1015, fixed_on: '2026-01-01' });
  });

  it('a manager waives a claim with a reason (audited): shown as waived, left out of the totals; a collector may not', async () => {
    const action = async (role: 'collector' | 'manager', customer: string, url: string, payload: object) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/cases/${customer}/${url}`,
        headers: { authorization: `Bearer ${await t.token(role)}` },
        payload,
      });
    expect((await action('collector', 'TR-1', 'waive-interest', { invoice: 'TR-100', reason: 'goodwill' })).statusCode).toBe(403);
    const missing = await action('manager', 'TR-1', 'waive-interest', { invoice: 'TR-100' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors).toEqual([expect.objectContaining({ field: 'reason' })]);
    const waived = await action('manager', 'TR-1', 'waive-interest', { invoice: 'TR-100', reason: 'goodwill: long-standing customer' });
    expect(waived.statusCode, waived.body).toBe(200);
    expect((await action('manager', 'TR-1', 'waive-interest', { invoice: 'TR-100', reason: 'again' })).statusCode).toBe(409);

    const r = await report('2025-01-14');
    expect(claimOf(r, 'TR-100')).toMatchObject({ interest_minor: 414_658, waived: { reason: 'goodwill: long-standing customer' } });
    expect(r.totals.find((x) => x.currency === 'TRY')).toMatchObject({ interest_minor: 0, compensation_minor: 0, waived_claims: 1 });
    const audit = await t.runtime.prisma.auditEvent.findFirst({ where: { action: 'interest.waived' } });
    expect(audit).toMatchObject({ entityId: '00000000-0000-0000-0000-0000000000c4', reason: 'goodwill: long-standing customer' });

    // A consumer accrues only at a contractual rate, set through the customer's settings.
    expect(claimOf(r, 'C-100')).toBeUndefined();
    const bad = await action('manager', 'CONS-1', 'settings', { interestContractRateBp: 4.5 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([expect.objectContaining({ field: 'interestContractRateBp' })]);
    expect((await action('manager', 'CONS-1', 'settings', { interestContractRateBp: 500, reason: 'contract' })).statusCode).toBe(200);
    // 500 × 5 % × 44 / 365 = 3.01…
    expect(claimOf(await report('2025-01-14'), 'C-100')).toMatchObject({ rule: 'contract', interest_minor: 301, compensation: null });
  });

  it('the case file lists each claim with its rule, legal basis, rates per period and the waiver with manager and reason', async () => {
    const get = async (format: 'json' | 'html') =>
      t.app.inject({
        method: 'GET',
        url: `/api/v1/cases/TR-1/file?format=${format}`,
        headers: { authorization: `Bearer ${await t.token('manager')}` },
      });
    const json = (await get('json')).json();
    const claim = json.interest.claims.find((c: { invoice: string }) => c.invoice === 'TR-100');
    expect(claim).toMatchObject({
      rule: 'tr-ttk-1530',
      legalBasis: expect.stringContaining('madde 1530'),
      waived: { reason: 'goodwill: long-standing customer' },
    });
    // Each period with its rate, the reference and the day it was read: the claim (counted to the
    // day of the export) is split at each new year.
    expect(claim.periods.slice(0, 2).map((p: { from: string; rateBp: number; fixedOn: string }) => [p.from, p.rateBp, p.fixedOn])).toEqual([
      ['2024-12-16', 4800, '2024-01-01'],
      ['2025-01-01', 5325, '2025-01-01'],
    ]);
    expect(json.interest.totals.find((x: { currency: string }) => x.currency === 'TRY')).toMatchObject({
      interestMinor: '0',
      waivedInterestMinor: claim.interestMinor ?? '0',
    });
    const html = (await get('html')).body;
    expect(html).toContain('<h2>Late-payment interest</h2>');
    expect(html).toContain('16 Dec 2024 – 31 Dec 2024: 48.00% (reference 48.00% read on 1 Jan 2024)');
    expect(html).toMatch(/waived by Ana manager on [^:]+:\d{2}: goodwill: long-standing customer/);
    expect(html).toContain('waived (not claimed): interest');
  });

  it(
    'a statement of account shows each invoice’s interest and compensation, totals per currency, a waived claim as waived',
    async () => {
      // UK-100 was paid 40 days late: no longer an open item, its claim survives.
      const uk = await loadStatement(t.runtime.prisma, {
        asOf: '2025-06-30',
        externalId: 'UK-1',
        interest: { settings: { defaultRule: null, allocation: 'principal-first' }, baseCurrency: 'EUR' },
      });
      expect(uk?.lines).toEqual([]);
      expect(uk?.interest).toMatchObject({
        lines: [{ invoice: 'UK-100', outstandingMinor: 0, daysLate: 40, interestMinor: 6_986, compensationMinor: 7_000, waived: null }],
        totals: [{ currency: 'GBP', interestMinor: 6_986, compensationMinor: 7_000, waivedInterestMinor: 0 }],
      });
      const text = renderText(statementTable(uk!));
      expect(text).toMatch(/UK-100\s+2025-01-31\s+paid late\s+GBP\s+5000\.00\s+0\.00\s+69\.86\s+70\.00\s+uk-late-payment 12\.75%, 40 days/);
      expect(text).toMatch(/total\s+GBP\s+0\.00\s+69\.86\s+70\.00/);

      // TR-100's claim was waived above: shown with its figures, marked waived, out of the total.
      const cli = startCli(['report', 'statement', '--customer', 'TR-1', '--as-of', '2025-01-14', '--csv'], env());
      expect((await cli.exit).code, cli.output()).toBe(0);
      const csv = cli.output().slice(cli.output().indexOf('invoice,'));
      expect(csv).toContain('invoice,issued_on,due_on,days_past_due,bucket,currency,amount,balance,interest,compensation,claim\r\n');
      expect(csv).toContain('TR-100,2024-11-15,2024-12-15,30,1-30,TRY,10000000,10000000,414658,131000,waived by ');
      expect(csv).toContain(': goodwill: long-standing customer\r\n');
      expect(csv).toContain('total,,,,,TRY,,10000000,0,0,\r\n');
      expect(csv).toContain('waived,,,,,TRY,,,414658,131000,"not claimed, not in the total"\r\n');
    },
    CLI_TIMEOUT,
  );

  it(
    'imports reference rates from CSV (bad lines named by number) and prints the report as JSON',
    async () => {
      const file = path.join(dir, 'reference-rates.csv');
      await writeFile(
        file,
        'source,effective_on,rate,fixed_sum,fixed_sum_currency\n' +
          'nbr-reference,2026-01-01,6.50,,\n' +
          'nbr-reference,2026-01-01,6.50,,\n' +
          'boe,2026-01-01,3.75,,\n' +
          'tcmb-ttk-1530,2027-01-01,40,2500.00,TRX\n',
      );
      const cli = startCli(['import', 'reference-rates', file, '--json'], env());
      expect((await cli.exit).code, cli.output()).toBe(3);
      expect(cli.output()).toContain('line 3: effective_on: nbr-reference on 2026-01-01 already appears on line 2');
      expect(cli.output()).toContain('line 4: source: "boe" is not one of');
      expect(cli.output()).toContain('line 5: fixed_sum_currency: "TRX" is not an ISO 4217 currency code');
      expect(JSON.parse(cli.output().trim().split('\n').at(-1)!)).toMatchObject({
        kind: 'reference-rates',
        lines: 4,
        rates: 1,
        created: 1,
        rejected: 3,
      });

      const printed = startCli(['report', 'interest', '--as-of', '2025-01-14', '--json'], env());
      expect((await printed.exit).code, printed.output()).toBe(0);
      const json = JSON.parse(printed.output().slice(printed.output().indexOf('{'))) as InterestReport;
      expect(json.asOf).toBe('2025-01-14');
      expect(json.totals.find((x) => x.currency === 'EUR')).toMatchObject({ interest_minor: 14_345 + 1_300, compensation_minor: 4_000 });
    },
    CLI_TIMEOUT,
  );

  // Last: it waives EU/contract claims and changes RO-1's settings, which the tests above read.
  it('the console: collectors read the claim, a manager waives it (reason, audited) and sets the rule or a contractual rate', async () => {
    const collector = await consoleSession(t.app, 'collector@example.com');
    const read = await collector.get('/console/customers/K-1');
    expect(read.statusCode).toBe(200);
    expect(read.body).toContain('<h2 id="interest-h">Late-payment interest</h2>');
    expect(read.body).toMatch(
      /<td>K-100<\/td><td class="num">\d+<\/td><td>contract<\/td><td>10\.00%<\/td>\s*<td class="num">EUR\s[\d,]+\.\d{2}<\/td>/,
    );
    expect(read.body).not.toContain('Waive late-payment interest');
    expect((await collector.post('/console/customers/K-1/actions/waive-interest', { invoice: 'K-100', reason: 'x' })).statusCode).toBe(403);

    const manager = await consoleSession(t.app, 'manager@example.com');
    const page = await manager.get('/console/customers/K-1');
    expect(page.body).toMatch(/id="waive-interest-invoice"[\s\S]*?<option value="K-100"/);
    const missing = await manager.post('/console/customers/K-1/actions/waive-interest', { invoice: 'K-100', reason: '' });
    expect(missing.statusCode).toBe(303);
    expect(manager.jar.flash()).toMatchObject({ error: true, form: { form: 'waive-interest', fields: { reason: expect.any(String) } } });
    const shown = await manager.get('/console/customers/K-1');
    expect(shown.body).toContain('id="waive-interest-reason-error"');
    const waived = await manager.post('/console/customers/K-1/actions/waive-interest', { invoice: 'K-100', reason: 'goodwill gesture' });
    expect(waived.statusCode).toBe(303);
    const after = await manager.get('/console/customers/K-1');
    expect(after.body).toContain('Late-payment interest and compensation on K-100 waived');
    expect(after.body).toContain('<span class="tag">waived by Ana manager: goodwill gesture</span>');
    expect(after.body).not.toContain('id="waive-interest-invoice"'); // nothing left to waive
    expect(
      await t.runtime.prisma.auditEvent.findFirst({
        where: { action: 'interest.waived', entityId: '00000000-0000-0000-0000-0000000000c6' },
      }),
    ).toMatchObject({
      reason: 'goodwill gesture',
      actor: t.users.manager.id,
    });

    const settings = {
      collector: '*none',
      profile: 'business',
      holidayCalendar: '',
      doNotContact: 'no',
      statementSchedule: 'monthly',
      salesContactEmail: '',
    };
    const ro = await manager.get('/console/customers/RO-1');
    expect(ro.body).toMatch(/id="settings-interest-rule"[\s\S]*?<option value="ro-law-72-2013" selected>/);
    const bad = await manager.post('/console/customers/RO-1/actions/settings', {
      ...settings,
      interestRule: 'none',
      interestContractRate: '8.5%',
    });
    expect(bad.statusCode).toBe(303);
    expect((await manager.get('/console/customers/RO-1')).body).toMatch(/id="settings-interest-rate-error">must be a percentage/);
    expect((await t.runtime.prisma.customer.findUniqueOrThrow({ where: { externalId: 'RO-1' } })).interestRule).toBe('ro-law-72-2013');

    await manager.post('/console/customers/RO-1/actions/settings', { ...settings, interestRule: 'none', interestContractRate: '' });
    const off = await manager.get('/console/customers/RO-1');
    expect(off.body).toContain('Customer settings saved (late-payment rule).');
    expect(off.body).toContain('No late-payment claim');
    await manager.post('/console/customers/RO-1/actions/settings', { ...settings, interestRule: 'none', interestContractRate: '7.25' });
    expect(await t.runtime.prisma.customer.findUniqueOrThrow({ where: { externalId: 'RO-1' } })).toMatchObject({
      interestRule: 'none',
      interestContractRateBp: 725,
    });
    expect((await manager.get('/console/customers/RO-1')).body).toMatch(
      /<td>RO-100<\/td><td class="num">\d+<\/td><td>contract<\/td><td>7\.25%<\/td>/,
    );
  });
});
