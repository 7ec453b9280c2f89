// Cash application: payments to invoices. Every statement runs inside the caller's transaction
// with the invoices locked (src/db/cash.repository.ts), so two imports or an import and the API
// applying at the same time cannot allocate the same balance twice.

import { appendAudit } from '../db/audit.repository.js';
import {
  findActiveAllocations,
  insertAllocations,
  lockInvoiceStatuses,
  lockOpenInvoices,
  lockPayment as lockPaymentRow,
  lowerInvoiceBalances,
  reverseAllocations,
  setUnapplied,
  type LockedPayment,
} from '../db/cash.repository.js';
import { requestReview } from '../db/cases.repository.js';
import type { PrismaClient } from '../db/client.js';
import type { Sql } from '../db/sql.js';
import { inTransaction } from '../db/transaction.js';
import { findUser } from '../db/users.repository.js';
import { planAllocation, type Allocation, type OpenItem } from './allocate.js';

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

/**
 * Applies `payments` (oldest received first) to their customers' open invoices: writes one
 * `payment_allocations` row per invoice paid, lowers balances, marks invoices that reach zero
 * `paid` (at the start of the payment's day in the customer's time zone) and leaves the rest of
 * each payment as `unapplied_minor`. Must run in a transaction that holds the payments' rows.
 */
export async function applyPaymentsInTransaction(sql: Sql, payments: readonly PaymentToApply[], now: Date): Promise<AppliedPayment[]> {
  const pending = payments.filter((payment) => payment.unappliedMinor > 0n);
  if (pending.length === 0) return [];
  const customerIds = [...new Set(pending.map((payment) => payment.customerId))];
  const openByCustomer = new Map<string, OpenItem[]>();
  for (const { customerId, ...item } of await lockOpenInvoices(sql, customerIds)) {
    const items = openByCustomer.get(customerId) ?? [];
    items.push(item);
    openByCustomer.set(customerId, items);
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
      paymentId: payment.id,
      customerId: payment.customerId,
      currency: payment.currency,
      rule: plan.rule,
      allocations: plan.allocations,
      appliedMinor: payment.unappliedMinor - plan.unappliedMinor,
      unappliedMinor: plan.unappliedMinor,
      paidInvoiceIds,
    });
  }

  const allocations = results.flatMap((result) => result.allocations.map((a) => ({ paymentId: result.paymentId, ...a })));
  await insertAllocations(sql, allocations, now);
  await lowerInvoiceBalances(
    sql,
    [...touched.values()].map(({ item, paidOn }) => ({ id: item.id, balanceMinor: item.openBalanceMinor, paidOn })),
    now,
  );
  await setUnapplied(
    sql,
    results.map((r) => ({ id: r.paymentId, unappliedMinor: r.unappliedMinor })),
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

async function lockPayment(sql: Sql, paymentId: string): Promise<LockedPayment> {
  const payment = await lockPaymentRow(sql, paymentId);
  if (payment === null) throw new PaymentNotFoundError(paymentId);
  return payment;
}

/**
 * Applies what is still unapplied of one payment (all of it for a new payment, its credit
 * otherwise) and asks for a fresh decision on the customer's case in the same transaction. A
 * payment with nothing left to apply is left alone, so calling this twice is harmless.
 */
export async function applyPayment(db: PrismaClient, paymentId: string, now: Date): Promise<AppliedPayment | null> {
  return inTransaction(db, async ({ sql }) => {
    const payment = await lockPayment(sql, paymentId);
    const [result] = await applyPaymentsInTransaction(sql, [payment], now);
    if (result === undefined) return null;
    if (result.allocations.length > 0) await requestReview(sql, [payment.customerId], now);
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
  return inTransaction(db, async ({ db: tx, sql }) => {
    const user = await findUser(tx, actor);
    if (user === null || user.id !== actor || !user.active || (user.role !== 'manager' && user.role !== 'admin')) {
      throw new NotAllowedError('only an active manager or admin can reverse a payment');
    }
    const payment = await lockPayment(sql, paymentId);
    const active = await findActiveAllocations(sql, paymentId);
    const reversed = active.map((row) => ({ invoiceId: row.invoiceId, amountMinor: row.amountMinor }));
    const restored = new Map<string, bigint>();
    for (const { invoiceId, amountMinor } of reversed) restored.set(invoiceId, (restored.get(invoiceId) ?? 0n) + amountMinor);
    const locked = await lockInvoiceStatuses(sql, [...restored.keys()]);
    const reopenedInvoiceIds = locked.filter((row) => row.status === 'paid').map((row) => row.id);
    await reverseAllocations(
      sql,
      active.map((row) => row.id),
      restored,
      actor,
      now,
    );
    const before = payment.unappliedMinor;
    const total = reversed.reduce((sum, a) => sum + a.amountMinor, 0n);
    const unappliedMinor = request.keepAsCredit === true ? before + total : 0n;
    await setUnapplied(sql, [{ id: paymentId, unappliedMinor }]);
    const snapshot = (allocations: Allocation[], unapplied: bigint) => ({
      unappliedMinor: unapplied.toString(),
      allocations: allocations.map((a) => ({ invoiceId: a.invoiceId, amountMinor: a.amountMinor.toString() })),
    });
    await appendAudit(sql, {
      entityType: 'payment',
      entityId: paymentId,
      action: 'payment.allocations_reversed',
      actor,
      reason,
      before: snapshot(reversed, before),
      after: snapshot([], unappliedMinor),
      at: now,
    });
    await requestReview(sql, [payment.customerId], now);
    return { paymentId, customerId: payment.customerId, reversed, reopenedInvoiceIds, unappliedMinor };
  });
}
