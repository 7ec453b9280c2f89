import { applyPaymentsInTransaction, type AppliedPayment } from '../cash/cash-application.js';
import { findPaymentsByExternalIds, upsertPayments } from '../db/payments.repository.js';
import { countReturned, resolveCustomers, type BatchOutcome, type BatchWriter } from './batch.js';
import { toMajorString } from '../core/money.js';
import type { PaymentRow } from './rows.js';

export interface PaymentBatchOutcome extends BatchOutcome {
  /** Cash application of the payments this batch created. */
  applied: AppliedPayment[];
}

/**
 * Inserts new payments and applies them to invoices in the same transaction; a payment already
 * imported is never applied again (even if a manager has since reversed it). Its date and
 * reference may be corrected by a later file; a different customer, amount or currency is
 * rejected, because money already allocated would no longer add up — reverse it instead.
 */
export const writePayments: BatchWriter<PaymentRow, PaymentBatchOutcome> = async (sql, batch, now) => {
  const { resolved, rejected } = await resolveCustomers(sql, batch);
  const previous = await findPaymentsByExternalIds(
    sql,
    resolved.map((c) => c.row.externalId),
  );
  const accepted = resolved.filter((candidate) => {
    const before = previous.get(candidate.row.externalId);
    if (before === undefined) return true;
    const { row, customer } = candidate;
    if (before.customerId === customer.id && before.amountMinor === row.amountMinor && before.currency === row.currency) {
      return true;
    }
    rejected.push({
      line: candidate.line,
      raw: candidate.raw,
      reason:
        `external_id: payment ${row.externalId} was imported before as ${toMajorString(before.amountMinor, before.currency)} ` +
        `${before.currency}${before.customerId === customer.id ? '' : ' from another customer'}; ` +
        'a changed payment must be reversed in Arrears, not re-imported',
    });
    return false;
  });
  if (accepted.length === 0) return { created: 0, updated: 0, unchanged: 0, rejected, changedCustomerIds: [], applied: [] };

  const returned = await upsertPayments(
    sql,
    accepted.map((c) => ({
      externalId: c.row.externalId,
      customerId: c.customer.id,
      amountMinor: c.row.amountMinor,
      currency: c.row.currency,
      receivedOn: c.row.receivedOn,
      reference: c.row.reference,
    })),
  );
  const created = returned.filter((row) => row.inserted);
  const applied = await applyPaymentsInTransaction(sql, created, now);
  return {
    ...countReturned(returned, accepted.length),
    rejected,
    changedCustomerIds: [...new Set(created.map((row) => row.customerId))],
    applied,
  };
};
