import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../../src/core/dates.js';
import { createPrisma, type PrismaClient } from '../../../src/db/client.js';
import { loadLedgerInvoices, loadLedgerPayments, loadReportCustomers } from '../../../src/db/reports.repository.js';
import { agingReport } from '../../../src/reports/aging.report.js';
import { ceiReport } from '../../../src/reports/cei.report.js';
import { dsoReport } from '../../../src/reports/dso.report.js';
import { pgDatabase } from '../../../src/db/sql.js';
import { loadAgingReport, loadAgingReportJson, loadCeiReport, loadDsoReport } from '../../../src/reports/sources/reports.source.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import { DEFAULT_SEED } from '../../support/generators.js';

// The aging, DSO and CEI reports are computed in SQL (open balances now, corrected by the
// settlements dated or reversed after the as-of date). The reference is the straightforward
// computation: every invoice with every settlement read one by one and run through the report
// modules. Generated ledgers cover what moves a balance between a past date and today: payments
// received after it, allocations reversed after it (in zones from UTC−11 to UTC+14, around
// midnight), write-offs, balances an import recorded without allocations (counted from the day
// Arrears knew of them), voids, overpayments and unapplied credit.

const ZONES = ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Tokyo', 'America/New_York', 'Europe/Bucharest', 'UTC'];
const CURRENCIES = ['EUR', 'USD'];
const START = '2026-01-01';

const day = (offset: number) => addDays(START, offset);
/** An instant near a day's boundaries, so that the customer's zone decides its local date. */
const instant = fc
  .record({ day: fc.integer({ min: 0, max: 200 }), hour: fc.constantFrom(0, 1, 10, 13, 22, 23), minute: fc.integer({ min: 0, max: 59 }) })
  .map(({ day: d, hour, minute }) => `${day(d)}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`);

/** A payment allocated to the invoice (received on its day), perhaps reversed some days later at an instant near midnight. */
const allocation = fc.record({
  received: fc.integer({ min: 0, max: 200 }),
  share: fc.integer({ min: 1, max: 120 }),
  reversed: fc.option(fc.record({ after: fc.integer({ min: 0, max: 40 }), hour: fc.constantFrom(0, 1, 10, 13, 22, 23) }), { freq: 2 }),
});

const invoice = fc.record({
  customer: fc.nat(3),
  currency: fc.constantFrom(...CURRENCIES),
  amount: fc.integer({ min: 0, max: 100_000 }),
  issued: fc.integer({ min: 0, max: 180 }),
  terms: fc.integer({ min: 0, max: 60 }),
  allocations: fc.array(allocation, { maxLength: 3 }),
  /** Paid in the ERP without an allocation (a recorded balance), percent of the amount; negative: owes more than allocations say. */
  recordedPaid: fc.constantFrom(0, 0, 0, 30, 100, -10),
  void: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  writtenOffAt: fc.option(instant, { freq: 5 }),
  createdAt: instant,
  paidAt: fc.option(instant, { freq: 3 }),
});

/**
 * Customers' external ids and names that test the report's order (Intl.Collator: case, accents,
 * digits, punctuation; 'é' and 'e' + U+0301 compare equal) and its JSON escapes.
 */
const EXTERNAL_IDS = ['C-0', 'C-1', 'c-2', 'C-10', 'C 3', 'é', 'e\u0301', 'Ä', 'a', 'Z-9', '-x', '10', '9'];
const name = fc.string({
  unit: fc.constantFrom('a', 'B', ' ', '"', '\\', '\n', '\t', '\u0001', '\u001f', '\u007f', 'ş', '€', '😀', '\u2028', '/', '<'),
  maxLength: 8,
});

const ledgerArb = fc.record({
  zones: fc.tuple(...[0, 1, 2, 3].map(() => fc.constantFrom(...ZONES))),
  externalIds: fc.uniqueArray(fc.constantFrom(...EXTERNAL_IDS), { minLength: 4, maxLength: 4 }),
  names: fc.tuple(name, name, name, name),
  /** Payments not allocated to anything (unapplied credit). */
  credits: fc.array(
    fc.record({ customer: fc.nat(3), received: fc.integer({ min: 0, max: 200 }), amount: fc.integer({ min: 1, max: 9_000 }) }),
    {
      maxLength: 2,
    },
  ),
  invoices: fc.array(invoice, { maxLength: 14 }),
  /** As-of dates: any day, or the UTC day of one of the ledger's instants or the day before (where zones disagree). */
  asOf: fc.array(
    fc.oneof(
      fc.integer({ min: -5, max: 210 }).map((d) => ({ day: d })),
      fc.record({ event: fc.nat(), before: fc.boolean() }),
    ),
    {
      minLength: 1,
      maxLength: 4,
    },
  ),
});

type Ledger = typeof ledgerArb extends fc.Arbitrary<infer T> ? T : never;

const uuid = (kind: number, n: number) => `00000000-0000-0000-0000-${String(kind).padStart(4, '0')}${String(n).padStart(8, '0')}`;

/** Writes a generated ledger as the writers would leave it: open balances after allocations and write-offs, unapplied remainders. */
function ledgerSql(ledger: Ledger): { text: string; values: unknown[] }[] {
  const statements: { text: string; values: unknown[] }[] = [
    { text: 'truncate payment_allocations, payments, invoices, customers cascade', values: [] },
  ];
  ledger.zones.forEach((zone, i) => {
    statements.push({
      text: `insert into customers (id, external_id, name, time_zone, locale, currency, updated_at) values ($1, $2, $3, $4, 'en', 'EUR', now())`,
      values: [uuid(1, i), ledger.externalIds[i], ledger.names[i], zone],
    });
  });
  const payments: { customer: number; currency: string; received: string; amount: number; unapplied: number }[] = [];
  const allocations: { payment: number; invoice: number; amount: number; reversedAt: string | null }[] = [];
  for (const credit of ledger.credits) {
    payments.push({
      customer: credit.customer,
      currency: 'EUR',
      received: day(credit.received),
      amount: credit.amount,
      unapplied: credit.amount,
    });
  }
  ledger.invoices.forEach((inv, n) => {
    let open = inv.amount;
    for (const a of inv.allocations) {
      const amount = Math.round((inv.amount * a.share) / 100);
      const reversedAt =
        a.reversed === null ? null : `${day(a.received + a.reversed.after)}T${String(a.reversed.hour).padStart(2, '0')}:30:00Z`;
      // A reversed allocation leaves its money unapplied on the payment.
      payments.push({
        customer: inv.customer,
        currency: inv.currency,
        received: day(a.received),
        amount,
        unapplied: reversedAt === null ? 0 : amount,
      });
      allocations.push({ payment: payments.length - 1, invoice: n, amount, reversedAt });
      if (reversedAt === null) open -= amount;
    }
    open -= Math.round((inv.amount * inv.recordedPaid) / 100);
    const writtenOff = inv.writtenOffAt !== null && !inv.void && open > 0 ? open : null;
    if (writtenOff !== null) open = 0;
    const status = inv.void ? 'void' : writtenOff !== null ? 'written_off' : open === 0 ? 'paid' : 'open';
    statements.push({
      text: `insert into invoices (id, external_id, customer_id, number, currency, amount_minor, open_balance_minor, issue_date, due_date, status,
                                   paid_at, created_at, written_off_at, written_off_by, written_off_minor, write_off_reason, updated_at)
             values ($1, $2, $3, $2, $4, $5, $6, $7::date, $8::date, $9::invoice_status, $10, $11, $12, $13, $14, $15, now())`,
      values: [
        uuid(2, n),
        `INV-${n}`,
        uuid(1, inv.customer),
        inv.currency,
        inv.amount,
        inv.void ? 0 : open,
        day(inv.issued),
        day(inv.issued + inv.terms),
        status,
        status === 'paid' ? inv.paidAt : null,
        inv.createdAt,
        writtenOff === null ? null : inv.writtenOffAt,
        writtenOff === null ? null : 'manager',
        writtenOff,
        writtenOff === null ? null : 'uncollectable',
      ],
    });
  });
  payments.forEach((p, i) => {
    statements.push({
      text: `insert into payments (id, external_id, customer_id, amount_minor, currency, received_on, unapplied_minor) values ($1, $2, $3, $4, $5, $6::date, $7)`,
      values: [uuid(3, i), `P-${i}`, uuid(1, p.customer), p.amount, p.currency, p.received, p.unapplied],
    });
  });
  for (const a of allocations) {
    statements.push({
      text: `insert into payment_allocations (payment_id, invoice_id, amount_minor, reversed_at, reversed_by) values ($1, $2, $3, $4, $5)`,
      values: [uuid(3, a.payment), uuid(2, a.invoice), a.amount, a.reversedAt, a.reversedAt === null ? null : 'manager'],
    });
  }
  return statements;
}

describe('set-based reports agree with the invoice-by-invoice computation', () => {
  let database: TestDatabase;
  let prisma: PrismaClient;
  let client: pg.Client;
  let pool: pg.Pool;
  let copy: ReturnType<typeof pgDatabase>;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    prisma = createPrisma(database.url);
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    copy = pgDatabase(pool);
  });

  afterAll(async () => {
    await client?.end();
    await pool?.end();
    await prisma?.$disconnect();
    await database?.drop();
  });

  it('aging, DSO and CEI on generated ledgers, on past, present and future dates', async () => {
    await fc.assert(
      fc.asyncProperty(ledgerArb, async (ledger) => {
        for (const statement of ledgerSql(ledger)) await client.query(statement.text, statement.values);
        const everyInvoice = await loadLedgerInvoices(prisma, { since: '1900-01-01', until: '2100-01-01' });
        // With their locale and zone, as the API has always shown them.
        const customers = await loadReportCustomers(
          prisma,
          ledger.zones.map((_, i) => uuid(1, i)),
        );
        const instants = ledger.invoices.flatMap((i) => [
          ...i.allocations.map((a) => (a.reversed === null ? null : day(a.received + a.reversed.after))),
          i.writtenOffAt,
          i.createdAt,
          i.paidAt,
        ]);
        const events = instants.filter((t): t is string => t !== null).map((t) => t.slice(0, 10));
        for (const pick of ledger.asOf) {
          const at = 'day' in pick ? day(pick.day) : (events[pick.event % Math.max(1, events.length)] ?? START);
          const asOf = 'before' in pick && pick.before ? addDays(at, -1) : at;
          const payments = await loadLedgerPayments(prisma, { asOf });
          const expected = agingReport({ asOf, customers, invoices: everyInvoice, payments });
          expect(await loadAgingReport(prisma, { asOf }), `aging on ${asOf}`).toEqual(expected);
          const invoiceBasis = { basis: 'invoice' as const, edges: [15, 45] };
          expect(await loadAgingReport(prisma, { asOf, config: invoiceBasis }), `aging by invoice date on ${asOf}`).toEqual(
            agingReport({ asOf, customers, invoices: everyInvoice, payments, config: invoiceBasis }),
          );
          expect(await loadDsoReport(prisma, { asOf, period: { unit: 'days', count: 60 } }), `DSO on ${asOf}`).toEqual(
            dsoReport(everyInvoice, asOf, { unit: 'days', count: 60 }),
          );
          expect(await loadCeiReport(prisma, { asOf, months: 3 }), `CEI on ${asOf}`).toEqual(ceiReport(everyInvoice, asOf, 3));
        }
      }),
      { numRuns: 30, seed: DEFAULT_SEED },
    );
  }, 600_000);

  it('the pre-aggregated aging (customer_aging) equals the exact path on any date, in any order, after changes', async () => {
    await fc.assert(
      fc.asyncProperty(
        ledgerArb,
        fc.array(fc.integer({ min: -5, max: 260 }), { minLength: 1, maxLength: 5 }),
        fc.nat(),
        async (ledger, days, pick) => {
          for (const statement of ledgerSql(ledger)) await client.query(statement.text, statement.values);
          // `today: asOf` takes the pre-aggregate; without `today` the report reads every open invoice.
          // The API's bytes (the stored rows' JSON passed through, by COPY or through Prisma) are
          // JSON.stringify's of the exact path's report.
          const agree = async (asOf: string, when: string) => {
            const exact = await loadAgingReport(prisma, { asOf });
            expect(await loadAgingReport(prisma, { asOf, today: asOf }), `${when}, as of ${asOf}`).toEqual(exact);
            const bytes = (await loadAgingReportJson(prisma, { asOf, today: asOf, copy })).toString('utf8');
            expect(bytes, `${when}, as of ${asOf}, by COPY`).toBe(JSON.stringify(exact));
            expect((await loadAgingReportJson(prisma, { asOf, today: asOf })).toString('utf8'), `${when}, through Prisma`).toBe(bytes);
          };
          for (const d of days) await agree(day(d), 'stored rows reused or refreshed');
          for (const d of days) await agree(day(d), 'again');
          const last = day(days.at(-1)!);
          // A writer changes an invoice, a customer's name, adds an invoice: the rows go stale.
          await client.query(
            `update invoices set open_balance_minor = open_balance_minor - 1
              where id = (select id from invoices where open_balance_minor > 0 and status = 'open' order by id offset $1 limit 1)`,
            [pick % Math.max(1, ledger.invoices.length)],
          );
          await agree(last, 'after a part payment');
          await client.query(`update customers set name = 'Renamed "' || name where external_id = $1`, [ledger.externalIds[pick % 4]]);
          await agree(last, 'after a rename');
          await client.query(
            `insert into invoices (id, external_id, customer_id, number, currency, amount_minor, open_balance_minor, issue_date, due_date, status, updated_at)
             values (gen_random_uuid(), 'NEW-1', $1, 'NEW-1', 'USD', 500, 500, $2::date, $3::date, 'open', now())`,
            [uuid(1, pick % 4), day(pick % 200), day((pick % 200) + 30)],
          );
          for (const d of days) await agree(day(d), 'after a new invoice');
        },
      ),
      { numRuns: 30, seed: DEFAULT_SEED },
    );
  }, 600_000);
});
