import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../../../src/db/client.js';
import { refreshOverdue } from '../../../src/db/customer-balances.repository.js';
import { writeOffInvoices } from '../../../src/db/invoices.repository.js';
import { pgSql } from '../../../src/db/sql.js';
import { loadAgingReport } from '../../../src/reports/sources/reports.source.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import { IMPORT_NOW, importCsv } from './import-helpers.js';

// `customer_balances` (the worklist) and `customer_aging` (the aging report) are kept by triggers
// on invoices, by deltas per statement (migration 20261206192000_customer_balances_deltas). After
// imports that touch customers who already have invoices, written two small batches at a time so
// that concurrent transactions change the same customers, both must equal a computation from
// scratch.

const CUSTOMERS = ['AG-1', 'AG-2', 'AG-3', 'AG-4', 'AG-5'];
const ZONES = ['America/New_York', 'Pacific/Kiritimati', 'UTC', 'Pacific/Pago_Pago', 'Europe/Bucharest'];
const TODAY = IMPORT_NOW.toISOString().slice(0, 10);

const date = (day: number) => new Date(Date.UTC(2026, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
const money = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

interface Invoice {
  id: number;
  customer: number;
  amount: number;
  balance: number;
  issued: number;
  due: number;
}

function invoicesCsv(invoices: readonly Invoice[]): string {
  const lines = invoices.map(
    (i) => `AGI-${i.id},${CUSTOMERS[i.customer]},N-${i.id},USD,${money(i.amount)},${money(i.balance)},${date(i.issued)},${date(i.due)}`,
  );
  return ['external_id,customer_external_id,number,currency,amount,balance,issued_on,due_on', ...lines].join('\n') + '\n';
}

/** What `customer_balances` holds for each customer, computed from every invoice. */
const FROM_SCRATCH = `
  select c.external_id, c.currency::text, c.assigned_collector_id as collector_id,
         coalesce(sum(i.open_balance_minor) filter (where i.status = 'open' and i.open_balance_minor > 0), 0)::text as balance_minor,
         (count(*) filter (where i.status = 'open' and i.open_balance_minor > 0))::int as open_invoices,
         to_char(min(i.due_date) filter (where i.status = 'open' and i.open_balance_minor > 0), 'YYYY-MM-DD') as oldest_due_on,
         coalesce(sum(i.written_off_minor) filter (where i.status = 'written_off'), 0)::text as written_off_minor,
         coalesce(sum(i.open_balance_minor) filter (where i.status = 'open' and i.open_balance_minor > 0
                                                     and i.due_date < ($1::timestamptz at time zone c.time_zone)::date), 0)::text as overdue_minor
    from customers c join invoices i on i.customer_id = c.id
   group by c.id order by c.external_id`;

const STORED = `
  select c.external_id, b.currency::text, b.collector_id, b.balance_minor::text, b.open_invoices,
         to_char(b.oldest_due_on, 'YYYY-MM-DD') as oldest_due_on, b.written_off_minor::text, b.overdue_minor::text
    from customer_balances b join customers c on c.id = b.customer_id
   order by c.external_id`;

describe('the import keeps customer_balances and customer_aging exact', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let prisma: PrismaClient;
  const deps = () => ({ pool, prisma });

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    prisma = createPrisma(database.url);
    const customers = CUSTOMERS.map((id, n) => `${id},Aggregate ${n},ag${n}@example.com,,${ZONES[n]},en-US,USD,,no,default`);
    const { summary } = await importCsv(
      deps(),
      'customers',
      ['external_id,name,email,phone,timezone,locale,currency,credit_limit,sms_consent,policy', ...customers].join('\n') + '\n',
    );
    expect(summary).toMatchObject({ created: CUSTOMERS.length, rejected: 0 });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await pool?.end();
    await database?.drop();
  });

  /** The stored rows equal the computation from scratch, and the pre-aggregated aging the exact one. */
  async function expectExact(when: string) {
    const client = await pool.connect();
    try {
      await refreshOverdue(pgSql(client), IMPORT_NOW);
    } finally {
      client.release();
    }
    const [stored, truth] = await Promise.all([pool.query(STORED), pool.query(FROM_SCRATCH, [IMPORT_NOW.toISOString()])]);
    expect(truth.rows.length, when).toBe(CUSTOMERS.length);
    expect(stored.rows, when).toEqual(truth.rows);
    for (const asOf of [TODAY, date(100), date(200)]) {
      expect(await loadAgingReport(prisma, { asOf, today: TODAY }), `${when}: aging as of ${asOf}`).toEqual(
        await loadAgingReport(prisma, { asOf }),
      );
    }
  }

  // 60 invoices over the five customers, due from 2025-12 to 2026-05; every third one part paid.
  const first: Invoice[] = Array.from({ length: 60 }, (_, n) => {
    const amount = 10_000 + ((n * 7919) % 90_000);
    return {
      id: n,
      customer: n % CUSTOMERS.length,
      amount,
      balance: n % 3 === 0 ? Math.floor(amount / 2) : amount,
      issued: n * 2 - 60,
      due: n * 2 - 30,
    };
  });

  it('after a first import written two batches at a time', async () => {
    const { summary } = await importCsv(deps(), 'invoices', invoicesCsv(first), { batchSize: 4 });
    expect(summary).toMatchObject({ created: 60, rejected: 0 });
    await expectExact('first import');
  });

  it('after an import that pays, re-dates and changes existing invoices of the same customers and adds new ones', async () => {
    const changed = first.map((i): Invoice => {
      // Each customer's oldest open invoices are among the first ones: paid, moved later, or changed.
      if (i.id % 4 === 0) return { ...i, balance: 0 };
      if (i.id % 4 === 1) return { ...i, due: i.due + 90 };
      if (i.id % 4 === 2) return { ...i, amount: i.amount + 100, balance: i.balance + 100, due: i.due - 10 };
      return i;
    });
    const added = Array.from({ length: 15 }, (_, n): Invoice => ({
      id: 100 + n,
      customer: n % 3,
      amount: 5_000 + n,
      balance: 5_000 + n,
      issued: 40 + n,
      due: 70 + n * 3,
    }));
    const { summary } = await importCsv(deps(), 'invoices', invoicesCsv([...changed, ...added]), { batchSize: 4 });
    expect(summary).toMatchObject({ created: 15, updated: 45, unchanged: 15, rejected: 0 });
    await expectExact('second import');
  });

  it('after payments applied by the import, a write-off and a deleted invoice', async () => {
    const payments = CUSTOMERS.map((customer, n) => `AGP-${n},${customer},${money(20_000 + n * 15_000)},USD,2026-03-05,`);
    const { summary } = await importCsv(
      deps(),
      'payments',
      ['external_id,customer_external_id,amount,currency,received_on,reference', ...payments].join('\n') + '\n',
      { batchSize: 2 },
    );
    expect(summary).toMatchObject({ created: CUSTOMERS.length, rejected: 0 });
    expect(summary.cash?.invoicesPaid).toBeGreaterThan(0);
    await expectExact('payments');

    const oldest = await pool.query<{ id: string }>(
      `select distinct on (customer_id) id from invoices where status = 'open' and open_balance_minor > 0 order by customer_id, due_date, id`,
    );
    await writeOffInvoices(
      pgSql(pool),
      oldest.rows.slice(0, 2).map((r) => r.id),
      'test',
      'uncollectable',
      IMPORT_NOW,
    );
    await expectExact('write-off');
    // A customer's oldest open invoice that no payment touched (a delete keeps no allocation).
    await pool.query(
      `delete from invoices where id = (select i.id from invoices i
                                         where i.status = 'open' and i.open_balance_minor > 0
                                           and not exists (select 1 from payment_allocations a where a.invoice_id = i.id)
                                         order by i.due_date, i.id limit 1)`,
    );
    await expectExact('delete');
  });
});
