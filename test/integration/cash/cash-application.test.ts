import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPayment, NotAllowedError, reversePaymentAllocations } from '../../../src/cash/cash-application.js';
import { createPrisma, type PrismaClient } from '../../../src/db/client.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import { IMPORT_NOW, importCsv } from '../ingest/import-helpers.js';

const CUSTOMERS = 'external_id,name,email,phone,timezone,locale,currency,credit_limit,sms_consent,policy';
const INVOICES = 'external_id,customer_external_id,number,currency,amount,balance,issued_on,due_on';
const PAYMENTS = 'external_id,customer_external_id,amount,currency,received_on,reference';

describe('cash application', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let prisma: PrismaClient;
  const deps = () => ({ pool, prisma });
  let serial = 0;

  /** A customer in Bucharest (RON) with the given invoices; returns its external id. */
  async function aCustomerWithInvoices(invoices: Array<{ number: string; amount: string; due: string; issued?: string }>) {
    serial += 1;
    const id = `RO-${serial}`;
    await importCsv(deps(), 'customers', `${CUSTOMERS}\n${id},Client ${serial} SRL,,,Europe/Bucharest,ro-RO,RON,,,\n`);
    const rows = invoices.map((i) => `${id}-${i.number},${id},${i.number},RON,${i.amount},,${i.issued ?? '2026-01-02'},${i.due}`);
    await importCsv(deps(), 'invoices', [INVOICES, ...rows].join('\n'));
    await pool.query(`update collection_cases set next_look_at = null`);
    return id;
  }

  async function pay(customer: string, payments: Array<{ id: string; amount: string; reference?: string; on?: string }>) {
    const rows = payments.map((p) => `${p.id},${customer},${p.amount},RON,${p.on ?? '2026-03-02'},${p.reference ?? ''}`);
    return importCsv(deps(), 'payments', [PAYMENTS, ...rows].join('\n'));
  }

  async function invoicesOf(customer: string) {
    const result = await pool.query<{ number: string; balance: string; status: string; cycle: number; paid_at: Date | null }>(
      `select i.number, i.open_balance_minor::text as balance, i.status::text, i.dunning_cycle as cycle, i.paid_at
         from invoices i join customers c on c.id = i.customer_id where c.external_id = $1 order by i.number`,
      [customer],
    );
    return Object.fromEntries(result.rows.map((r) => [r.number, r]));
  }

  async function paymentOf(externalId: string) {
    return (
      await pool.query<{ id: string; unapplied: string }>(
        `select id, unapplied_minor::text as unapplied from payments where external_id = $1`,
        [externalId],
      )
    ).rows[0]!;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 6 });
    prisma = createPrisma(database.url);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await pool?.end();
    await database?.drop();
  });

  it('pays the invoices the reference names, in full, and marks them paid on the day received', async () => {
    const customer = await aCustomerWithInvoices([
      { number: 'F-100', amount: '500.00', due: '2026-01-31' },
      { number: 'F-101', amount: '300.00', due: '2026-02-28' },
    ]);
    const { summary } = await pay(customer, [{ id: 'P-REF', amount: '300.00', reference: 'Plata factura nr. f 101', on: '2026-03-02' }]);
    expect(summary.cash).toMatchObject({ allocations: 1, invoicesPaid: 1, byReference: 1, byAge: 0 });
    const invoices = await invoicesOf(customer);
    expect(invoices['F-100']).toMatchObject({ balance: '50000', status: 'open' });
    expect(invoices['F-101']).toMatchObject({ balance: '0', status: 'paid' });
    expect(invoices['F-101']?.paid_at?.toISOString()).toBe('2026-03-01T22:00:00.000Z'); // midnight in Bucharest
    expect((await paymentOf('P-REF')).unapplied).toBe('0');
  });

  it('pays the oldest open invoices first when the reference names none, partially if need be', async () => {
    const customer = await aCustomerWithInvoices([
      { number: 'A-3', amount: '100.00', due: '2026-02-10' },
      { number: 'A-1', amount: '100.00', due: '2026-02-01', issued: '2026-01-05' },
      { number: 'A-2', amount: '100.00', due: '2026-02-01', issued: '2026-01-03' },
    ]);
    await pay(customer, [{ id: 'P-AGE', amount: '150.00', reference: 'transfer' }]);
    const invoices = await invoicesOf(customer);
    expect([invoices['A-2']?.balance, invoices['A-1']?.balance, invoices['A-3']?.balance]).toEqual(['0', '5000', '10000']);
    const allocations = await pool.query(
      `select i.number, a.amount_minor::text from payment_allocations a join invoices i on i.id = a.invoice_id
         join payments p on p.id = a.payment_id where p.external_id = 'P-AGE' order by i.number`,
    );
    expect(allocations.rows).toEqual([
      { number: 'A-1', amount_minor: '5000' },
      { number: 'A-2', amount_minor: '10000' },
    ]);
  });

  it('keeps an overpayment as customer credit and shows it in the summary', async () => {
    const customer = await aCustomerWithInvoices([{ number: 'C-1', amount: '80.00', due: '2026-02-01' }]);
    const { summary } = await pay(customer, [{ id: 'P-OVER', amount: '100.00', reference: 'C-1' }]);
    expect(summary.cash?.totals).toEqual([{ currency: 'RON', appliedMinor: 8000n, unappliedMinor: 2000n }]);
    expect((await paymentOf('P-OVER')).unapplied).toBe('2000');
    expect((await invoicesOf(customer))['C-1']).toMatchObject({ status: 'paid', balance: '0' });
  });

  it('asks for a fresh decision on the customer as soon as a payment is applied', async () => {
    const customer = await aCustomerWithInvoices([{ number: 'R-1', amount: '10.00', due: '2026-02-01' }]);
    const now = new Date('2026-03-10T09:30:00Z');
    await importCsv(deps(), 'payments', `${PAYMENTS}\nP-REVIEW,${customer},10.00,RON,2026-03-09,R-1\n`, { now });
    const cases = await pool.query(
      `select cc.next_look_at from collection_cases cc join customers c on c.id = cc.customer_id where c.external_id = $1`,
      [customer],
    );
    expect(cases.rows).toEqual([{ next_look_at: now }]);
  });

  it('reverses a bounced payment: balances restored, paid invoices re-open in a new cycle, audited', async () => {
    const customer = await aCustomerWithInvoices([
      { number: 'B-1', amount: '100.00', due: '2026-02-01' },
      { number: 'B-2', amount: '100.00', due: '2026-02-15' },
    ]);
    await pay(customer, [{ id: 'P-BOUNCE', amount: '150.00' }]);
    const manager = await prisma.user.create({ data: { email: 'maria@example.ro', name: 'Maria Popescu', role: 'manager' } });
    const collector = await prisma.user.create({ data: { email: 'ion@example.ro', name: 'Ion Ionescu', role: 'collector' } });
    const payment = await paymentOf('P-BOUNCE');
    const now = new Date('2026-03-12T10:00:00Z');

    await expect(
      reversePaymentAllocations(prisma, { paymentId: payment.id, actor: collector.id, reason: 'bounced', now }),
    ).rejects.toBeInstanceOf(NotAllowedError);

    await pool.query(`update collection_cases set next_look_at = null`); // the tick has dealt with the payment
    const reversal = await reversePaymentAllocations(prisma, { paymentId: payment.id, actor: manager.id, reason: 'cheque bounced', now });
    expect(reversal.reversed.map((a) => a.amountMinor)).toEqual([10000n, 5000n]);
    expect(reversal.unappliedMinor).toBe(0n);
    const invoices = await invoicesOf(customer);
    expect(invoices['B-1']).toMatchObject({ balance: '10000', status: 'open', cycle: 2, paid_at: null });
    expect(invoices['B-2']).toMatchObject({ balance: '10000', status: 'open', cycle: 1 });
    const allocations = await pool.query(
      `select reversed_at, reversed_by from payment_allocations a join payments p on p.id = a.payment_id where p.external_id = 'P-BOUNCE'`,
    );
    expect(allocations.rows).toEqual([
      { reversed_at: now, reversed_by: manager.id },
      { reversed_at: now, reversed_by: manager.id },
    ]);
    const audit = await pool.query(
      `select action, actor, reason, before->>'unappliedMinor' as before from audit_events where entity_id = $1`,
      [payment.id],
    );
    expect(audit.rows).toEqual([{ action: 'payment.allocations_reversed', actor: manager.id, reason: 'cheque bounced', before: '0' }]);
    const cases = await pool.query(
      `select cc.next_look_at from collection_cases cc join customers c on c.id = cc.customer_id where c.external_id = $1`,
      [customer],
    );
    expect(cases.rows).toEqual([{ next_look_at: now }]);

    // Re-importing the reversed payment does not apply it again.
    const again = await pay(customer, [{ id: 'P-BOUNCE', amount: '150.00' }]);
    expect(again.summary).toMatchObject({ unchanged: 1, cash: { allocations: 0 } });
    expect((await invoicesOf(customer))['B-1']).toMatchObject({ balance: '10000', status: 'open' });
  });

  it('re-applies a misapplied payment kept as credit, through applyPayment, once', async () => {
    const customer = await aCustomerWithInvoices([
      { number: 'M-1', amount: '40.00', due: '2026-02-01' },
      { number: 'M-2', amount: '60.00', due: '2026-02-15' },
    ]);
    await pay(customer, [{ id: 'P-MIS', amount: '60.00', reference: 'M-1' }]);
    const manager = await prisma.user.create({ data: { email: 'ana@example.ro', name: 'Ana Pop', role: 'admin' } });
    const payment = await paymentOf('P-MIS');
    const now = new Date('2026-03-13T10:00:00Z');
    const reversal = await reversePaymentAllocations(prisma, {
      paymentId: payment.id,
      actor: manager.id,
      reason: 'meant for M-2',
      now,
      keepAsCredit: true,
    });
    expect(reversal.unappliedMinor).toBe(6000n);
    await pool.query(`update payments set reference = 'M-2' where id = $1`, [payment.id]);
    const applied = await applyPayment(prisma, payment.id, now);
    expect(applied).toMatchObject({ rule: 'reference', appliedMinor: 6000n, unappliedMinor: 0n });
    expect(await applyPayment(prisma, payment.id, now)).toBeNull();
    const invoices = await invoicesOf(customer);
    expect(invoices['M-1']).toMatchObject({ balance: '4000', status: 'open', cycle: 2 });
    expect(invoices['M-2']).toMatchObject({ balance: '0', status: 'paid' });
  });

  it('never allocates the same balance twice when two imports apply payments at once', async () => {
    const customer = await aCustomerWithInvoices([
      { number: 'Z-1', amount: '100.00', due: '2026-02-01' },
      { number: 'Z-2', amount: '100.00', due: '2026-02-15' },
    ]);
    const file = (prefix: string) =>
      [PAYMENTS, ...Array.from({ length: 5 }, (_, i) => `${prefix}-${i},${customer},30.00,RON,2026-03-0${i + 1},`)].join('\n');
    const [a, b, c] = await Promise.all([
      importCsv(deps(), 'payments', file('PA'), { batchSize: 2 }),
      importCsv(deps(), 'payments', file('PB'), { batchSize: 3 }),
      importCsv(deps(), 'payments', file('PA'), { batchSize: 5 }),
    ]);
    expect(a!.summary.created + c!.summary.created).toBe(5);
    expect(b!.summary.created).toBe(5);
    const totals = await pool.query<{ allocated: string; credit: string }>(
      `select (select sum(a.amount_minor) from payment_allocations a join payments p on p.id = a.payment_id
                where p.customer_id = c.id)::text as allocated,
              (select sum(unapplied_minor) from payments p where p.customer_id = c.id)::text as credit
         from customers c where c.external_id = $1`,
      [customer],
    );
    expect(totals.rows[0]).toEqual({ allocated: '20000', credit: '10000' });
    const invoices = await invoicesOf(customer);
    expect([invoices['Z-1']?.balance, invoices['Z-2']?.balance]).toEqual(['0', '0']);
  });

  it('keeps imported invoice balances net of payments applied in Arrears', async () => {
    const customer = await aCustomerWithInvoices([{ number: 'N-1', amount: '100.00', due: '2026-02-01' }]);
    await pay(customer, [{ id: 'P-NET', amount: '25.00' }]);
    const reimport = await importCsv(
      deps(),
      'invoices',
      `${INVOICES}\n${customer}-N-1,${customer},N-1,RON,100.00,,2026-01-02,2026-02-01\n`,
      {
        now: IMPORT_NOW,
      },
    );
    expect(reimport.summary).toMatchObject({ unchanged: 1 });
    const lowered = await importCsv(
      deps(),
      'invoices',
      `${INVOICES}\n${customer}-N-1,${customer},N-1,RON,100.00,60.00,2026-01-02,2026-02-01\n`,
    );
    expect(lowered.summary).toMatchObject({ updated: 1 });
    expect((await invoicesOf(customer))['N-1']).toMatchObject({ balance: '3500', status: 'open' });
  });
});
