import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../../../src/db/client.js';
import { dashboardRefreshedAt, refreshDashboardAggregates } from '../../../src/db/dashboard.repository.js';
import { loadPortfolioFigures } from '../../../src/reports/sources/dashboard.source.js';
import { loadLedgerInvoices } from '../../../src/db/reports.repository.js';
import { ceiReport } from '../../../src/reports/cei.report.js';
import { dsoReport } from '../../../src/reports/dso.report.js';
import { loadAgingReport, loadCeiReport, loadDsoReport } from '../../../src/reports/sources/reports.source.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';

// The dashboard reads receivables pre-aggregated per currency, issue date and due date
// (`receivable_groups`), the API's DSO and CEI the same grouping live; the aging report and the
// report modules fed every invoice one by one are the reference. All go through the same report
// modules, so per currency they must agree exactly — on any date, and again after payments,
// reversals, write-offs, voids and re-imported balances change the ledger and the view is refreshed.
const SEED = `
  insert into customers (id, external_id, name, time_zone, locale, currency, updated_at) values
    ('00000000-0000-0000-0000-0000000000c1', 'C-1', 'Northwind', 'Europe/Bucharest', 'en', 'EUR', now()),
    ('00000000-0000-0000-0000-0000000000c2', 'C-2', 'Contoso', 'America/New_York', 'en', 'EUR', now()),
    ('00000000-0000-0000-0000-0000000000c3', 'C-3', 'Tailspin', 'Asia/Tokyo', 'ja', 'JPY', now());
  insert into invoices (id, external_id, customer_id, number, currency, amount_minor, open_balance_minor, issue_date, due_date, status, created_at, updated_at)
  select ('00000000-0000-0000-0000-0000000001' || lpad(n::text, 2, '0'))::uuid, 'X-' || num, c.id, 'INV-' || num, c.currency, amount, balance,
         issued::date, due::date, st::invoice_status, '2026-01-02T10:00:00Z', now()
    from (values
      (1, 'A', 'C-1', 100000, 60000, '2025-12-10', '2026-01-09', 'open'),
      (2, 'B', 'C-1', 50000, 50000, '2026-01-20', '2026-02-19', 'open'),
      (3, 'C', 'C-1', 30000, 30000, '2026-02-25', '2026-03-27', 'open'),
      (4, 'D', 'C-2', 20000, 20000, '2026-02-25', '2026-03-27', 'open'),
      (5, 'E', 'C-2', 15001, 15001, '2025-10-01', '2025-10-31', 'open'),
      (6, 'F', 'C-2', 40000, 0, '2026-01-05', '2026-02-04', 'paid'),
      (7, 'G', 'C-2', 10000, 4000, '2026-02-01', '2026-03-03', 'open'),
      (8, 'J', 'C-3', 700000, 700000, '2026-03-01', '2026-03-31', 'open'),
      (9, 'K', 'C-3', 120000, 0, '2025-11-20', '2025-12-20', 'paid')
    ) as v(n, num, cust, amount, balance, issued, due, st)
    join customers c on c.external_id = v.cust;
  insert into payments (id, external_id, customer_id, amount_minor, currency, received_on, unapplied_minor) values
    ('00000000-0000-0000-0000-000000000201', 'P-1', '00000000-0000-0000-0000-0000000000c1', 40000, 'EUR', '2026-02-15', 0),
    ('00000000-0000-0000-0000-000000000202', 'P-2', '00000000-0000-0000-0000-0000000000c2', 40000, 'EUR', '2026-02-20', 0),
    ('00000000-0000-0000-0000-000000000203', 'P-3', '00000000-0000-0000-0000-0000000000c2', 10000, 'EUR', '2026-03-10', 10000),
    ('00000000-0000-0000-0000-000000000204', 'P-4', '00000000-0000-0000-0000-0000000000c3', 120000, 'JPY', '2026-01-10', 0);
  insert into payment_allocations (payment_id, invoice_id, amount_minor, reversed_at, reversed_by) values
    ('00000000-0000-0000-0000-000000000201', '00000000-0000-0000-0000-000000000101', 40000, null, null),
    ('00000000-0000-0000-0000-000000000202', '00000000-0000-0000-0000-000000000106', 40000, null, null),
    -- reversed at 03:00 UTC on 03-20: still 03-19 in New York
    ('00000000-0000-0000-0000-000000000203', '00000000-0000-0000-0000-000000000107', 10000, '2026-03-20T03:00:00Z', 'manager'),
    ('00000000-0000-0000-0000-000000000204', '00000000-0000-0000-0000-000000000109', 120000, null, null);
`;
// G's 6000 paid without an allocation (the ERP applied it): counted from the day Arrears knew.

const DATES = ['2025-12-31', '2026-01-31', '2026-02-19', '2026-03-19', '2026-03-31', '2026-04-30'];

describe('the dashboard’s pre-aggregated receivables', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(SEED);
    prisma = createPrisma(database.url);
  });

  afterAll(async () => {
    await client?.end();
    await prisma?.$disconnect();
    await database?.drop();
  });

  async function expectSameAsReports(asOf: string) {
    const portfolio = await loadPortfolioFigures(prisma, { asOf, dsoPeriod: { unit: 'days', count: 90 }, ceiMonths: 3 });
    const [aging, dso, cei] = await Promise.all([
      loadAgingReport(prisma, { asOf }),
      loadDsoReport(prisma, { asOf, period: { unit: 'days', count: 90 } }),
      loadCeiReport(prisma, { asOf, months: 3 }),
    ]);
    const everyInvoice = await loadLedgerInvoices(prisma, { since: '1900-01-01', until: '2100-01-01' });
    const perCurrency = (r: typeof aging) => r.currencies.map(({ unappliedCreditMinor: _credit, ...rest }) => rest);
    expect(perCurrency(portfolio.aging), `aging on ${asOf}`).toEqual(perCurrency(aging));
    expect(portfolio.dso, `DSO on ${asOf}`).toEqual(dsoReport(everyInvoice, asOf, { unit: 'days', count: 90 }));
    expect(portfolio.cei, `CEI on ${asOf}`).toEqual(ceiReport(everyInvoice, asOf, 3));
    // The API's live grouping: the same, before any refresh.
    expect(dso, `API DSO on ${asOf}`).toEqual(dsoReport(everyInvoice, asOf, { unit: 'days', count: 90 }));
    expect(cei, `API CEI on ${asOf}`).toEqual(ceiReport(everyInvoice, asOf, 3));
    return portfolio;
  }

  it('agrees with the reports on every date, once refreshed', async () => {
    expect(await dashboardRefreshedAt(prisma)).toBeNull();
    expect(await refreshDashboardAggregates(prisma, () => new Date('2026-04-01T00:00:00Z'))).toBe(true);
    expect(await dashboardRefreshedAt(prisma)).toEqual(new Date('2026-04-01T00:00:00Z'));
    for (const asOf of DATES) await expectSameAsReports(asOf);
    const { aging, dso } = await expectSameAsReports('2026-03-31');
    expect(aging.currencies.map((c) => [c.currency, c.totalMinor])).toEqual([
      ['EUR', 60000 + 50000 + 30000 + 20000 + 15001 + 4000],
      ['JPY', 700000],
    ]);
    expect(dso.currencies.find((c) => c.currency === 'JPY')).toMatchObject({ receivablesMinor: 700000, creditSalesMinor: 700000, dso: 90 });
  });

  it('stays right when payments and invoices change, after a refresh', async () => {
    await client.query(`
      -- a payment for C and a part payment for D, received in March
      insert into payments (id, external_id, customer_id, amount_minor, currency, received_on, unapplied_minor) values
        ('00000000-0000-0000-0000-000000000205', 'P-5', '00000000-0000-0000-0000-0000000000c1', 30000, 'EUR', '2026-03-28', 0),
        ('00000000-0000-0000-0000-000000000206', 'P-6', '00000000-0000-0000-0000-0000000000c2', 5000, 'EUR', '2026-03-29', 0);
      insert into payment_allocations (payment_id, invoice_id, amount_minor) values
        ('00000000-0000-0000-0000-000000000205', '00000000-0000-0000-0000-000000000103', 30000),
        ('00000000-0000-0000-0000-000000000206', '00000000-0000-0000-0000-000000000104', 5000);
      update invoices set open_balance_minor = 0, status = 'paid', paid_at = '2026-03-28T09:00:00Z' where number = 'INV-C';
      update invoices set open_balance_minor = 15000 where number = 'INV-D';
      -- F's payment reversed on 03-25 (New York)
      update payment_allocations set reversed_at = '2026-03-25T12:00:00Z', reversed_by = 'manager'
       where invoice_id = '00000000-0000-0000-0000-000000000106';
      update invoices set open_balance_minor = 40000, status = 'open', paid_at = null where number = 'INV-F';
      -- E written off on 03-30, B voided, a new invoice issued in April
      update invoices set status = 'written_off', written_off_at = '2026-03-30T10:00:00Z', written_off_by = 'manager',
             written_off_minor = 15001, write_off_reason = 'bankrupt', open_balance_minor = 0 where number = 'INV-E';
      update invoices set status = 'void', open_balance_minor = 0 where number = 'INV-B';
      insert into invoices (external_id, customer_id, number, currency, amount_minor, open_balance_minor, issue_date, due_date, updated_at)
      values ('X-N', '00000000-0000-0000-0000-0000000000c3', 'INV-N', 'JPY', 50000, 50000, '2026-04-02', '2026-05-02', now());
    `);
    // Before the refresh the view still shows the old ledger: the refresh is what keeps it right.
    const stale = await loadPortfolioFigures(prisma, { asOf: '2026-04-30', dsoPeriod: { unit: 'days', count: 90 }, ceiMonths: 3 });
    const live = await loadAgingReport(prisma, { asOf: '2026-04-30' });
    expect(stale.aging.currencies.map((c) => c.totalMinor)).not.toEqual(live.currencies.map((c) => c.totalMinor));

    await refreshDashboardAggregates(prisma, () => new Date('2026-04-30T00:00:00Z'));
    for (const asOf of DATES) await expectSameAsReports(asOf);
    const { aging } = await expectSameAsReports('2026-04-30');
    expect(aging.currencies.map((c) => [c.currency, c.totalMinor])).toEqual([
      ['EUR', 60000 + 15000 + 40000 + 4000],
      ['JPY', 750000],
    ]);
  });

  it('refreshes one process at a time: waits for another refresh when asked to, then only what is still stale', async () => {
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      // Another process refreshing: holds the advisory lock ("dash").
      await other.query('begin');
      await other.query(`select pg_advisory_xact_lock(${0x64617368})`);
      const at = (iso: string) => () => new Date(iso);
      expect(await refreshDashboardAggregates(prisma, at('2026-05-01T00:00:00Z'))).toBe(false);
      let done = false;
      const waiting = refreshDashboardAggregates(prisma, at('2026-05-02T00:00:00Z'), {
        views: ['receivable_groups'],
        staleBefore: new Date('2026-05-01T12:00:00Z'),
        wait: true,
      }).then(() => (done = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(done).toBe(false);
      // It refreshed activity_daily after the caller decided, and receivable_groups only up to 04-30.
      await other.query(`update aggregate_refreshes set refreshed_at = '2026-05-01T18:00:00Z' where view = 'activity_daily'`);
      await other.query('commit');
      await waiting;
      const times = await prisma.aggregateRefresh.findMany({ orderBy: { view: 'asc' } });
      expect(times.map((r) => [r.view, r.refreshedAt.toISOString()])).toEqual([
        ['activity_daily', '2026-05-01T18:00:00.000Z'],
        ['receivable_groups', '2026-05-02T00:00:00.000Z'],
      ]);
      // Nothing stale any more: nothing refreshed.
      await refreshDashboardAggregates(prisma, at('2026-05-03T00:00:00Z'), { staleBefore: new Date('2026-05-01T12:00:00Z') });
      expect(await dashboardRefreshedAt(prisma)).toEqual(new Date('2026-05-01T18:00:00Z'));
      expect(await dashboardRefreshedAt(prisma, ['receivable_groups'])).toEqual(new Date('2026-05-02T00:00:00Z'));
    } finally {
      await other.end();
    }
  });
});
