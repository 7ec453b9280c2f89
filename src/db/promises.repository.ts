import type { Sql } from './sql.js';
import type { Db } from './transaction.js';

/** `promises_to_pay`: recorded by a collector, kept by payments, broken by the policy step, cancelled by hand or a write-off. */

/** Records an open promise; returns its id. */
export async function insertPromise(
  sql: Sql,
  promise: {
    customerId: string;
    caseId: string;
    amountMinor: bigint;
    currency: string;
    promisedOn: string;
    channel: 'email' | 'sms' | 'call' | 'note' | 'letter' | null;
    contactId: string | null;
    by: string;
    at: Date;
  },
): Promise<string> {
  const [row] = await sql.query<{ id: string }>(
    `insert into promises_to_pay (customer_id, case_id, amount_minor, currency, promised_date, channel, contact_id,
                                  created_by, created_at, updated_at)
     values ($1::uuid, $2::uuid, $3::bigint, $4, $5::date, $6::contact_channel, $7::uuid, $8, $9::timestamptz, now())
     returning id::text`,
    [
      promise.customerId,
      promise.caseId,
      promise.amountMinor.toString(),
      promise.currency,
      promise.promisedOn,
      promise.channel,
      promise.contactId,
      promise.by,
      promise.at.toISOString(),
    ],
  );
  return row!.id;
}

/** A customer's open promises, earliest promised day first. */
export async function findOpenPromises(
  db: Db,
  customerId: string,
): Promise<Array<{ id: string; amountMinor: bigint; currency: string; promisedOn: string }>> {
  const rows = await db.$queryRaw<Array<{ id: string; amountMinor: string; currency: string; promisedOn: string }>>`
    select p.id::text, p.amount_minor::text as "amountMinor", p.currency::text, p.promised_date::text as "promisedOn"
      from promises_to_pay p
     where p.customer_id = ${customerId}::uuid and p.status = 'open'
     order by p.promised_date, p.created_at`;
  return rows.map((row) => ({ ...row, amountMinor: BigInt(row.amountMinor) }));
}

export function findPromise(db: Db, id: string) {
  return db.promiseToPay.findUnique({ where: { id } });
}

/**
 * Closes open promises — these (`ids`) or every open one of a customer — as kept, broken or
 * cancelled; returns the ids closed. A promise no longer open is left as it is.
 */
export async function closePromises(
  sql: Sql,
  which: { ids: readonly string[] } | { customerId: string },
  status: 'kept' | 'broken' | 'cancelled',
  at: Date,
): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(
    `update promises_to_pay set status = $3::promise_status, evaluated_at = $4::timestamptz, updated_at = now()
      where status = 'open' and (id = any($1::uuid[]) or customer_id = $2::uuid)
      returning id::text`,
    'ids' in which ? [[...which.ids], null, status, at.toISOString()] : [[], which.customerId, status, at.toISOString()],
  );
  return rows.map((row) => row.id);
}

/**
 * Open promises covered by payments: allocations (not reversed) made after the promise was
 * recorded, from payments received by the promised date + grace, in the promise's currency,
 * summing to at least the amount.
 */
export async function findKeptPromises(
  db: Db,
  graceDays: number,
  customerId: string | null,
): Promise<Array<{ id: string; customerId: string; paidMinor: string; currency: string }>> {
  return db.$queryRaw`
    select p.id::text, p.customer_id::text as "customerId", coalesce(sum(a.amount_minor), 0)::text as "paidMinor", p.currency::text
      from promises_to_pay p
      join payments pay on pay.customer_id = p.customer_id and pay.currency = p.currency
                       and pay.received_on <= p.promised_date + ${graceDays}::int
      join payment_allocations a on a.payment_id = pay.id and a.reversed_at is null and a.allocated_at >= p.created_at
     where p.status = 'open' and (${customerId}::uuid is null or p.customer_id = ${customerId}::uuid)
     group by p.id, p.customer_id, p.amount_minor, p.currency
    having sum(a.amount_minor) >= p.amount_minor`;
}
