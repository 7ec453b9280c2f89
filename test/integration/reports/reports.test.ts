import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../../../src/db/client.js';
import { agingReport } from '../../../src/reports/aging.report.js';
import { parsePeriodLength } from '../../../src/reports/periods.js';
import {
  loadAgingReport,
  loadCeiReport,
  loadCollectionsReport,
  loadDsoReport,
  loadPaymentPredictions,
  loadStatement,
} from '../../../src/reports/sources/reports.source.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import { startCli } from '../../support/processes.js';
import { AS_OF, INVOICES, PAYMENTS } from '../../unit/reports/ledger.fixture.js';

// The unit tests' ledger (test/unit/reports/ledger.fixture.ts), written to Postgres as payments
// and allocations, read back by the report sources. Open balances are today's (after G's
// payment on 04-10 and H's reversal), so only the allocations' dates can give the 03-31 figures.
const SEED = `
  insert into users (id, email, name, updated_at) values ('00000000-0000-0000-0000-0000000000a1', 'ana@example.test', 'Ana', now());
  insert into customers (id, external_id, name, time_zone, locale, currency, assigned_collector_id, updated_at) values
    ('00000000-0000-0000-0000-0000000000c1', 'C-1', 'Northwind', 'Europe/Bucharest', 'en', 'EUR', '00000000-0000-0000-0000-0000000000a1', now()),
    ('00000000-0000-0000-0000-0000000000c2', 'C-2', 'Contoso', 'Europe/Bucharest', 'ro-RO', 'EUR', null, now());
  insert into invoices (id, external_id, customer_id, number, currency, amount_minor, open_balance_minor, issue_date, due_date, status, updated_at)
  select ('00000000-0000-0000-0000-0000000001' || lpad(n::text, 2, '0'))::uuid, 'X-' || num, c.id, 'INV-' || num, cur, amount, balance, issued::date, due::date, st::invoice_status, now()
    from (values
      (1, 'A', 'C-1', 'EUR', 100000, 60000, '2025-12-10', '2026-01-09', 'open'),
      (2, 'B', 'C-1', 'EUR', 50000, 50000, '2026-01-20', '2026-02-19', 'open'),
      (3, 'C', 'C-1', 'EUR', 30000, 30000, '2026-02-25', '2026-03-27', 'open'),
      (4, 'D', 'C-1', 'EUR', 20000, 20000, '2026-03-20', '2026-04-19', 'open'),
      (5, 'F', 'C-1', 'EUR', 25000, 0, '2026-03-05', '2026-04-04', 'paid'),
      (6, 'E', 'C-2', 'EUR', 15001, 15001, '2025-10-01', '2025-10-31', 'open'),
      (7, 'G', 'C-2', 'EUR', 40000, 0, '2026-01-05', '2026-02-04', 'paid'),
      (8, 'H', 'C-2', 'EUR', 10000, 10000, '2026-02-01', '2026-03-03', 'open'),
      (9, 'U', 'C-2', 'USD', 7000, 7000, '2026-03-01', '2026-03-31', 'open'),
      (10, 'V', 'C-2', 'EUR', 999, 999, '2026-01-01', '2026-01-31', 'void')
    ) as v(n, num, cust, cur, amount, balance, issued, due, st)
    join customers c on c.external_id = v.cust;
  insert into payments (id, external_id, customer_id, amount_minor, currency, received_on, unapplied_minor)
  select ('00000000-0000-0000-0000-0000000002' || lpad(n::text, 2, '0'))::uuid, 'P-' || n, c.id, amount, cur, received::date, unapplied
    from (values
      (1, 'C-1', 40000, 'EUR', '2026-02-15', 0),
      (2, 'C-1', 25000, 'EUR', '2026-03-25', 0),
      (3, 'C-2', 40000, 'EUR', '2026-04-10', 0),
      (4, 'C-2', 10000, 'EUR', '2026-03-10', 10000),
      (9, 'C-2', 5000, 'EUR', '2026-03-28', 5000)
    ) as v(n, cust, amount, cur, received, unapplied)
    join customers c on c.external_id = v.cust;
  insert into payment_allocations (payment_id, invoice_id, amount_minor, reversed_at, reversed_by) values
    ('00000000-0000-0000-0000-000000000201', '00000000-0000-0000-0000-000000000101', 40000, null, null),
    ('00000000-0000-0000-0000-000000000202', '00000000-0000-0000-0000-000000000105', 25000, null, null),
    ('00000000-0000-0000-0000-000000000203', '00000000-0000-0000-0000-000000000107', 40000, null, null),
    ('00000000-0000-0000-0000-000000000204', '00000000-0000-0000-0000-000000000108', 10000, '2026-03-20T10:00:00+02', 'manager');
  insert into contacts (customer_id, channel, status, idempotency_key, sent_at, updated_at) values
    ('00000000-0000-0000-0000-0000000000c1', 'email', 'delivered', 'k1', '2026-03-02T08:00:00Z', now()),
    ('00000000-0000-0000-0000-0000000000c1', 'sms', 'sent', 'k2', '2026-03-09T08:00:00Z', now()),
    ('00000000-0000-0000-0000-0000000000c1', 'email', 'bounced', 'k3', '2026-03-10T08:00:00Z', now()),
    -- 22:30 UTC on 02-28 is already 03-01 in Bucharest
    ('00000000-0000-0000-0000-0000000000c2', 'email', 'sent', 'k4', '2026-02-28T22:30:00Z', now());
  insert into promises_to_pay (customer_id, amount_minor, currency, promised_date, status, created_by, updated_at) values
    ('00000000-0000-0000-0000-0000000000c1', 10000, 'EUR', '2026-02-20', 'kept', 'u', now()),
    ('00000000-0000-0000-0000-0000000000c2', 10000, 'EUR', '2026-03-15', 'broken', 'u', now());
`;

describe('reports against Postgres', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    database = await createTestDatabase();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(SEED);
    await client.end();
    prisma = createPrisma(database.url);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await database?.drop();
  });

  it('aging: the same figures as the pure report over the same ledger', async () => {
    const fromDb = await loadAgingReport(prisma, { asOf: AS_OF });
    // The database also holds payment 4, whose allocation to H was reversed on 03-20: its
    // 10000 is unapplied credit again, beside payment 9's 5000.
    const reversedPayment = {
      id: 'P4',
      customerId: 'cus-2',
      currency: 'EUR',
      amountMinor: 10000,
      receivedOn: '2026-03-10',
      allocations: [{ amountMinor: 10000, reversedOn: '2026-03-20' }],
    };
    const customers = [
      { id: 'cus-1', externalId: 'C-1', name: 'Northwind' },
      { id: 'cus-2', externalId: 'C-2', name: 'Contoso' },
    ];
    const pure = agingReport({ asOf: AS_OF, customers, invoices: INVOICES, payments: [...PAYMENTS, reversedPayment] });
    expect(fromDb.currencies).toEqual(pure.currencies);
    expect(fromDb.currencies[0]).toMatchObject({
      currency: 'EUR',
      totalMinor: 225001,
      allowanceMinor: 32901,
      netRealisableMinor: 192100,
      unappliedCreditMinor: 15000,
    });
    expect(fromDb.customers.map((c) => [c.customer.externalId, c.currency, c.totalMinor])).toEqual(
      pure.customers.map((c) => [c.customer.externalId, c.currency, c.totalMinor]),
    );
  });

  it('dso and cei: the hand-computed figures', async () => {
    const dso = await loadDsoReport(prisma, { asOf: AS_OF, period: parsePeriodLength('90d') });
    expect(dso.currencies.find((c) => c.currency === 'EUR')).toMatchObject({
      dso: 115.71,
      countbackDso: 105.5,
      bestPossibleDso: 10.29,
      averageDaysDelinquent: 105.43,
      percentCurrent: 8.89,
    });
    const cei = await loadCeiReport(prisma, { asOf: AS_OF, months: 3 });
    const eur = cei.currencies.find((c) => c.currency === 'EUR');
    expect(eur?.months.map((m) => m.cei)).toEqual([0, 19.51, 10.87]);
    expect(eur?.span.cei).toBe(24.07);
  });

  it('statement of account for one customer', async () => {
    const statement = await loadStatement(prisma, { asOf: AS_OF, externalId: 'C-2' });
    expect(statement?.lines.map((l) => [l.number, l.balanceMinor, l.bucket])).toEqual([
      ['INV-E', 15001, '90+'],
      ['INV-G', 40000, '31-60'],
      ['INV-H', 10000, '1-30'],
      ['INV-U', 7000, 'current'],
    ]);
    expect(statement?.unappliedCredit).toEqual([{ currency: 'EUR', balanceMinor: 15000 }]);
    expect(await loadStatement(prisma, { asOf: AS_OF, externalId: 'nobody' })).toBeNull();
  });

  it('collections per month and collector, contacts on the customer’s local date', async () => {
    const report = await loadCollectionsReport(prisma, { asOf: AS_OF, unit: 'month', periods: 2 });
    const row = (period: string, collector: string) =>
      report.rows.find((r) => r.period.label === period && r.collector?.name === collector);
    expect(row('2026-02', 'Ana')).toMatchObject({ collectedMinor: { EUR: 40000 }, appliedMinor: { EUR: 40000 }, promisesKept: 1 });
    expect(row('2026-03', 'Ana')).toMatchObject({ collectedMinor: { EUR: 25000 }, remindersSent: { email: 1, sms: 1 } });
    // payment 4 counts as collected; its allocation was reversed by the as-of date
    expect(row('2026-03', 'unassigned')).toMatchObject({
      collectedMinor: { EUR: 15000 },
      appliedMinor: {},
      remindersSent: { email: 1 },
      promisesBroken: 1,
    });
  });

  it('predicted payment dates from the paid history', async () => {
    const predictions = await loadPaymentPredictions(prisma, { asOf: AS_OF });
    // Paid by 03-31: only F (due 04-04, paid 03-25: −10 days). Too little history for anyone, so
    // everyone takes the portfolio's −10; D (due 04-19) is expected on 04-09.
    const northwind = predictions.find((p) => p.externalId === 'C-1');
    expect(northwind).toMatchObject({ source: 'portfolio', paidInvoices: 1, expectedDaysToPay: -10 });
    expect(northwind?.invoices.find((i) => i.number === 'INV-D')?.expectedOn).toBe('2026-04-09');
  });

  it('the CLI prints JSON and CSV', async () => {
    const env = { DATABASE_URL: database.url, REDIS_URL: inject('redisUrl'), LOG_LEVEL: 'silent' };
    const json = startCli(['report', 'dso', '--as-of', AS_OF, '--json'], env);
    expect((await json.exit).code).toBe(0);
    const parsed = JSON.parse(json.output()) as { period: { days: number }; currencies: Array<{ currency: string; dso: number }> };
    expect(parsed.period.days).toBe(90);
    expect(parsed.currencies.find((c) => c.currency === 'EUR')?.dso).toBe(115.71);

    const csv = startCli(['report', 'aging', '--as-of', AS_OF, '--csv'], env);
    expect((await csv.exit).code).toBe(0);
    const lines = csv.output().split('\r\n');
    expect(lines[0]).toBe('scope,customer,name,currency,current,1-30,31-60,61-90,90+,total,allowance,net_realisable,unapplied_credit');
    expect(lines[1]).toBe('total,,,EUR,20000,40000,90000,60000,15001,225001,32901,192100,15000');
  });

  it('the CLI’s CEI: the dashboard’s pre-aggregate as of when it was computed, or computed now with --fresh', async () => {
    const env = { DATABASE_URL: database.url, REDIS_URL: inject('redisUrl'), LOG_LEVEL: 'silent' };
    interface Cei {
      computedAt: string;
      source: string;
      currencies: Array<{ currency: string; span: { cei: number } }>;
    }
    const cei = async (...extra: string[]) => {
      const cli = startCli(['report', 'cei', '--as-of', AS_OF, '--months', '3', '--json', ...extra], env);
      expect((await cli.exit).code, cli.output()).toBe(0);
      return JSON.parse(cli.output()) as Cei;
    };
    const eur = (r: Cei) => r.currencies.find((c) => c.currency === 'EUR')?.span.cei;
    // Never computed: computed first.
    const first = await cei();
    expect(first.source).toBe('preaggregate');
    expect(eur(first)).toBe(24.07);
    // A later write is not in it until a refresh (under a day old, the command reads it as it is) …
    await prisma.$executeRaw`update invoices set status = 'void', open_balance_minor = 0 where number = 'INV-E'`;
    expect(await cei()).toEqual(first);
    // … and is with --fresh.
    const fresh = await cei('--fresh');
    expect(fresh.source).toBe('live');
    expect(Date.parse(fresh.computedAt)).toBeGreaterThan(Date.parse(first.computedAt));
    expect(eur(fresh)).not.toBe(24.07);
  });
});
