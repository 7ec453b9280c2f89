import { applyPaymentsInTransaction, type AppliedPayment } from '../cash/cash-application.js';
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
  const previous = new Map(
    (
      await sql.query<{ external_id: string; customer_id: string; amount_minor: string; currency: string }>(
        `select external_id, customer_id, amount_minor::text, currency from payments where external_id = any($1::text[])`,
        [resolved.map((c) => c.row.externalId)],
      )
    ).map((row) => [row.external_id, row]),
  );
  const accepted = resolved.filter((candidate) => {
    const before = previous.get(candidate.row.externalId);
    if (before === undefined) return true;
    const { row, customer } = candidate;
    if (before.customer_id === customer.id && BigInt(before.amount_minor) === row.amountMinor && before.currency === row.currency) {
      return true;
    }
    rejected.push({
      line: candidate.line,
      raw: candidate.raw,
      reason:
        `external_id: payment ${row.externalId} was imported before as ${toMajorString(BigInt(before.amount_minor), before.currency)} ` +
        `${before.currency}${before.customer_id === customer.id ? '' : ' from another customer'}; ` +
        'a changed payment must be reversed in Arrears, not re-imported',
    });
    return false;
  });
  if (accepted.length === 0) return { created: 0, updated: 0, unchanged: 0, rejected, changedCustomerIds: [], applied: [] };

  const returned = await sql.query<{
    id: string;
    customer_id: string;
    currency: string;
    unapplied_minor: string;
    reference: string | null;
    received_on: string;
    inserted: boolean;
  }>(
    `insert into payments as p (external_id, customer_id, amount_minor, currency, received_on, reference, unapplied_minor)
     select t.external_id, t.customer_id, t.amount, t.currency, t.received_on, t.reference, t.amount
       from unnest($1::text[], $2::uuid[], $3::bigint[], $4::text[], $5::date[], $6::text[])
            as t(external_id, customer_id, amount, currency, received_on, reference)
     on conflict (external_id) do update
        set received_on = excluded.received_on, reference = excluded.reference
      where (p.received_on, p.reference) is distinct from (excluded.received_on, excluded.reference)
     returning p.id, p.customer_id, p.currency, p.unapplied_minor::text, p.reference, p.received_on::text, (xmax = 0) as inserted`,
    [
      accepted.map((c) => c.row.externalId),
      accepted.map((c) => c.customer.id),
      accepted.map((c) => c.row.amountMinor.toString()),
      accepted.map((c) => c.row.currency),
      accepted.map((c) => c.row.receivedOn),
      accepted.map((c) => c.row.reference),
    ],
  );
  const created = returned.filter((row) => row.inserted);
  const applied = await applyPaymentsInTransaction(
    sql,
    created.map((row) => ({
      id: row.id,
      customerId: row.customer_id,
      currency: row.currency,
      unappliedMinor: BigInt(row.unapplied_minor),
      reference: row.reference,
      receivedOn: row.received_on,
    })),
    now,
  );
  return {
    ...countReturned(returned, accepted.length),
    rejected,
    changedCustomerIds: [...new Set(created.map((row) => row.customer_id))],
    applied,
  };
};
