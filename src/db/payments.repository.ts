import type { Sql } from './sql.js';

/**
 * `payments`: recorded by the ledger import and the payments API (`upsertPayments`); the cash
 * application then sets what is left unapplied (cash.repository.ts).
 */

/** The payments with these external ids, as recorded. */
export async function findPaymentsByExternalIds(
  sql: Sql,
  externalIds: readonly string[],
): Promise<Map<string, { customerId: string; amountMinor: bigint; currency: string }>> {
  const rows = await sql.query<{ external_id: string; customer_id: string; amount_minor: string; currency: string }>(
    `select external_id, customer_id, amount_minor::text, currency from payments where external_id = any($1::text[])`,
    [externalIds],
  );
  return new Map(
    rows.map((row) => [row.external_id, { customerId: row.customer_id, amountMinor: BigInt(row.amount_minor), currency: row.currency }]),
  );
}

export interface PaymentToUpsert {
  externalId: string;
  customerId: string;
  amountMinor: bigint;
  currency: string;
  receivedOn: string;
  reference: string | null;
}

export interface UpsertedPayment {
  id: string;
  customerId: string;
  currency: string;
  unappliedMinor: bigint;
  reference: string | null;
  receivedOn: string;
  inserted: boolean;
}

/**
 * Inserts new payments (all of it unapplied) and corrects the date and reference of recorded
 * ones; customer, amount and currency of a recorded payment never change here. Returns the rows
 * written (inserted or changed).
 */
export async function upsertPayments(sql: Sql, payments: readonly PaymentToUpsert[]): Promise<UpsertedPayment[]> {
  const rows = await sql.query<Omit<UpsertedPayment, 'unappliedMinor'> & { unappliedMinor: string }>(
    `insert into payments as p (external_id, customer_id, amount_minor, currency, received_on, reference, unapplied_minor)
     select t.external_id, t.customer_id, t.amount, t.currency, t.received_on, t.reference, t.amount
       from unnest($1::text[], $2::uuid[], $3::bigint[], $4::text[], $5::date[], $6::text[])
            as t(external_id, customer_id, amount, currency, received_on, reference)
     on conflict (external_id) do update
        set received_on = excluded.received_on, reference = excluded.reference
      where (p.received_on, p.reference) is distinct from (excluded.received_on, excluded.reference)
     returning p.id, p.customer_id as "customerId", p.currency, p.unapplied_minor::text as "unappliedMinor", p.reference,
               p.received_on::text as "receivedOn", (xmax = 0) as inserted`,
    [
      payments.map((p) => p.externalId),
      payments.map((p) => p.customerId),
      payments.map((p) => p.amountMinor.toString()),
      payments.map((p) => p.currency),
      payments.map((p) => p.receivedOn),
      payments.map((p) => p.reference),
    ],
  );
  return rows.map((row) => ({ ...row, unappliedMinor: BigInt(row.unappliedMinor) }));
}
