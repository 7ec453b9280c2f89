// Cash application: payments to invoices. Every statement runs inside the caller's transaction
// with the invoices locked (`for update`, in id order so two writers never deadlock), so two
// imports or an import and the API applying at the same time cannot allocate the same balance
// twice.

import type { PrismaClient } from '../db/client.js';
import { requestReview } from '../db/cases.repository.js';
import { planAllocation, type Allocation, type OpenItem } from './allocate.js';
import { prismaSql, type Sql } from '../db/sql.js';

/** A payment with money left to apply, as read (and locked, or just inserted) by the caller. */
export interface PaymentToApply {
  id: string;
  customerId: string;
  currency: string;
  unappliedMinor: bigint;
  reference: string | null;
  /** `YYYY-MM-DD` */
  receivedOn: string;
}

export interface AppliedPayment {
  paymentId: string;
  customerId: string;
  currency: string;
  rule: 'reference' | 'age';
  allocations: Allocation[];
  appliedMinor: bigint;
  /** Left over after this application: the customer's credit from this payment. */
  unappliedMinor: bigint;
  /** Invoices this payment brought to a zero balance. */
  paidInvoiceIds: string[];
}

interface InvoiceRow {
  id: string;
  customer_id: string;
  number: string;
  currency: string;
  open_balance_minor: string;
  due_date: string;
  issue_date: string;
}

/**
 * Applies `payments` (oldest received first) to their customers' open invoices: writes one
 * `payment_allocations` row per invoice paid, lowers balances, marks invoices that reach zero
 * `paid` (at the start of the payment's day in the customer's time zone) and leaves the rest of
 * each payment as `unapplied_minor`. Must run in a transaction that holds the payments' rows.
 */
export async function applyPaymentsInTransaction(
  sql: Sql,
  payments: readonly PaymentToApply[],
  now: Date,
): Promise<AppliedPayment[]> {
  const pending = payments.filter((payment) => payment.unappliedMinor > 0n);
  if (pending.length === 0) return [];
  const customerIds = [...new Set(pending.map((payment) => payment.customerId))];
  const rows = await sql.query<InvoiceRow>(
    `select id, customer_id, number, currency, open_balance_minor::text, due_date::text, issue_date::text
       from invoices
      where customer_id = any($1::uuid[]) and status = 'open' and open_balance_minor > 0
      order by id
        for update`,
    [customerIds],
  );
  const openByCustomer = new Map<string, OpenItem[]>();
  for (const row of rows) {
    const items = openByCustomer.get(row.customer_id) ?? [];
    items.push({
      id: row.id, number: row.number, currency: row.currency, openBalanceMinor: BigInt(row.open_balance_minor),
      dueDate: row.due_date, issueDate: row.issue_date,
    });
    openByCustomer.set(row.customer_id, items);
  }

  const results: AppliedPayment[] = [];
  const touched = new Map<string, { item: OpenItem; paidOn: string | null }>();
  const ordered = [...pending].sort((a, b) => (a.receivedOn < b.receivedOn ? -1 : a.receivedOn > b.receivedOn ? 1 : 0));
  for (const payment of ordered) {
    const items = openByCustomer.get(payment.customerId) ?? [];
    const plan = planAllocation({ amountMinor: payment.unappliedMinor, currency: payment.currency, reference: payment.reference }, items);
    const paidInvoiceIds: string[] = [];
    for (const allocation of plan.allocations) {
      const item = items.find((candidate) => candidate.id === allocation.invoiceId)!;
      item.openBalanceMinor -= allocation.amountMinor;
      const paid = item.openBalanceMinor === 0n;
      if (paid) paidInvoiceIds.push(item.id);
      touched.set(item.id, { item, paidOn: paid ? payment.receivedOn : null });
    }
    results.push({
      paymentId: payment.id, customerId: payment.customerId, currency: payment.currency, rule: plan.rule,
      allocations: plan.allocations, appliedMinor: payment.unappliedMinor - plan.unappliedMinor,
      unappliedMinor: plan.unappliedMinor, paidInvoiceIds,
    });
  }

  const allocations = results.flatMap((result) => result.allocations.map((a) => ({ paymentId: result.paymentId, ...a })));
  if (allocations.length > 0) {
    await sql.query(
      `insert into payment_allocations (payment_id, invoice_id, amount_minor, allocated_at)
       select t.payment_id, t.invoice_id, t.amount_minor, $4::timestamptz
         from unnest($1::uuid[], $2::uuid[], $3::bigint[]) as t(payment_id, invoice_id, amount_minor)`,
      [allocations.map((a) => a.paymentId), allocations.map((a) => a.invoiceId), allocations.map((a) => a.amountMinor.toString()), now.toISOString()],
    );
    const changes = [...touched.values()];
    await sql.query(
      `update invoices i
          set open_balance_minor = t.balance,
              status = case when t.balance = 0 then 'paid'::invoice_status else i.status end,
              paid_at = case when t.balance = 0 then t.paid_on::timestamp at time zone c.time_zone else i.paid_at end,
              updated_at = $4::timestamptz
         from unnest($1::uuid[], $2::bigint[], $3::date[]) as t(id, balance, paid_on), customers c
        where i.id = t.id and c.id = i.customer_id`,
      [changes.map((c) => c.item.id), changes.map((c) => c.item.openBalanceMinor.toString()), changes.map((c) => c.paidOn), now.toISOString()],
    );
  }
  await sql.query(
    `update payments p set unapplied_minor = t.unapplied
       from unnest($1::uuid[], $2::bigint[]) as t(id, unapplied)
      where p.id = t.id`,
    [results.map((r) => r.paymentId), results.map((r) => r.unappliedMinor.toString())],
  );
  return results;
}

/** No payment has this id. */
export class PaymentNotFoundError extends Error {
  constructor(readonly paymentId: string) {
    super(`payment ${paymentId} does not exist`);
    this.name = 'PaymentNotFoundError';
  }
}

/** The actor may not do this (only an active manager or admin reverses allocations). */
export class NotAllowedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAllowedError';
  }
}

interface PaymentRow {
  id: string;
  customer_id: string;
  currency: string;
  amount_minor: string;
  unapplied_minor: string;
  reference: string | null;
  received_on: string;
}

const PAYMENT_COLUMNS = 'id, customer_id, currency, amount_minor::text, unapplied_minor::text, reference, received_on::text';

async function lockPayment(sql: Sql, paymentId: string): Promise<PaymentRow> {
  const [payment] = UUID.test(paymentId)
    ? await sql.query<PaymentRow>(`select ${PAYMENT_COLUMNS} from payments where id = $1::uuid for update`, [paymentId])
    : [];
  if (payment === undefined) throw new PaymentNotFoundError(paymentId);
  return payment;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Applies what is still unapplied of one payment (all of it for a new payment, its credit
 * otherwise) and asks for a fresh decision on the customer's case in the same transaction. A
 * payment with nothing left to apply is left alone, so calling this twice is harmless.
 */
export async function applyPayment(db: PrismaClient, paymentId: string, now: Date): Promise<AppliedPayment | null> {
  return db.$transaction(async (tx) => {
    const sql = prismaSql(tx);
    const payment = await lockPayment(sql, paymentId);
    const [result] = await applyPaymentsInTransaction(
      sql,
      [{
        id: payment.id, customerId: payment.customer_id, currency: payment.currency, unappliedMinor: BigInt(payment.unapplied_minor),
        reference: payment.reference, receivedOn: payment.received_on,
      }],
      now,
    );
    if (result === undefined) return null;
    if (result.allocations.length > 0) await requestReview(tx, [payment.customer_id], now);
    return result;
  });
}

export interface ReversalRequest {
  paymentId: string;
  /** Id of the manager (or admin) reversing. */
  actor: string;
  reason: string;
  now: Date;
  /**
   * `false` (default): the payment failed (bounced, charged back) — its money is gone, so
   * nothing of it stays as credit. `true`: it was applied to the wrong invoices — the amounts go
   * back to the payment's credit, ready for `applyPayment` or a manual allocation.
   */
  keepAsCredit?: boolean;
}

export interface Reversal {
  paymentId: string;
  customerId: string;
  reversed: Allocation[];
  /** Invoices that were paid and are open again, in a new dunning cycle. */
  reopenedInvoiceIds: string[];
  unappliedMinor: bigint;
}

/**
 * Reverses every active allocation of a payment: balances are restored, paid invoices re-open
 * with their dunning cycle incremented (a bounced payment starts the sequence afresh rather than
 * resuming a cycle whose steps already ran), the allocations are marked reversed (kept, not
 * deleted), an audit event records who and why, and the case is re-evaluated.
 */
export async function reversePaymentAllocations(db: PrismaClient, request: ReversalRequest): Promise<Reversal> {
  const { paymentId, actor, reason, now } = request;
  if (reason.trim() === '') throw new Error('a reason is required to reverse a payment');
  return db.$transaction(async (tx) => {
    const sql = prismaSql(tx);
    const [user] = UUID.test(actor)
      ? await sql.query<{ role: string }>(`select role::text from users where id = $1::uuid and active`, [actor])
      : [];
    if (user === undefined || (user.role !== 'manager' && user.role !== 'admin')) {
      throw new NotAllowedError('only an active manager or admin can reverse a payment');
    }
    const payment = await lockPayment(sql, paymentId);
    const active = await sql.query<{ id: string; invoice_id: string; amount_minor: string }>(
      `select a.id, a.invoice_id, a.amount_minor::text
         from payment_allocations a join invoices i on i.id = a.invoice_id
        where a.payment_id = $1::uuid and a.reversed_at is null
        order by a.allocated_at, i.due_date, i.issue_date, i.number`,
      [paymentId],
    );
    const reversed = active.map((row) => ({ invoiceId: row.invoice_id, amountMinor: BigInt(row.amount_minor) }));
    const restored = new Map<string, bigint>();
    for (const { invoiceId, amountMinor } of reversed) restored.set(invoiceId, (restored.get(invoiceId) ?? 0n) + amountMinor);
    const invoiceIds = [...restored.keys()];
    const locked = await sql.query<{ id: string; status: string }>(
      `select id, status::text from invoices where id = any($1::uuid[]) order by id for update`,
      [invoiceIds],
    );
    const reopenedInvoiceIds = locked.filter((row) => row.status === 'paid').map((row) => row.id);
    if (active.length > 0) {
      await sql.query(
        `update payment_allocations set reversed_at = $2::timestamptz, reversed_by = $3 where id = any($1::uuid[])`,
        [active.map((row) => row.id), now.toISOString(), actor],
      );
      await sql.query(
        `update invoices i
            set open_balance_minor = i.open_balance_minor + t.restored,
                status = case when i.status = 'paid' then 'open'::invoice_status else i.status end,
                paid_at = case when i.status = 'paid' then null else i.paid_at end,
                dunning_cycle = case when i.status = 'paid' then i.dunning_cycle + 1 else i.dunning_cycle end,
                updated_at = $3::timestamptz
           from unnest($1::uuid[], $2::bigint[]) as t(id, restored)
          where i.id = t.id`,
        [invoiceIds, invoiceIds.map((id) => restored.get(id)!.toString()), now.toISOString()],
      );
    }
    const before = BigInt(payment.unapplied_minor);
    const total = reversed.reduce((sum, a) => sum + a.amountMinor, 0n);
    const unappliedMinor = request.keepAsCredit === true ? before + total : 0n;
    await sql.query(`update payments set unapplied_minor = $2::bigint where id = $1::uuid`, [paymentId, unappliedMinor.toString()]);
    const json = (allocations: Allocation[], unapplied: bigint) =>
      JSON.stringify({
        unappliedMinor: unapplied.toString(),
        allocations: allocations.map((a) => ({ invoiceId: a.invoiceId, amountMinor: a.amountMinor.toString() })),
      });
    await sql.query(
      `insert into audit_events (entity_type, entity_id, action, actor, reason, before, after, at)
       values ('payment', $1, 'payment.allocations_reversed', $2, $3, $4::jsonb, $5::jsonb, $6::timestamptz)`,
      [paymentId, actor, reason, json(reversed, before), json([], unappliedMinor), now.toISOString()],
    );
    await requestReview(tx, [payment.customer_id], now);
    return { paymentId, customerId: payment.customer_id, reversed, reopenedInvoiceIds, unappliedMinor };
  });
}
