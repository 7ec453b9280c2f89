import type { Sql } from './sql.js';

/**
 * The cash application's statements (`payment_allocations`, invoice balances, `payments.unapplied_minor`).
 * Every one runs inside the caller's transaction, with the rows locked (`for update`, in id order
 * so two writers never deadlock): two imports, or an import and the API, applying at the same
 * time cannot allocate the same balance twice.
 */

export interface LockedOpenInvoice {
  id: string;
  customerId: string;
  number: string;
  currency: string;
  openBalanceMinor: bigint;
  /** `YYYY-MM-DD` */
  dueOn: string;
  issuedOn: string;
}

/** The open invoices (with a balance) of these customers, locked. */
export async function lockOpenInvoices(sql: Sql, customerIds: readonly string[]): Promise<LockedOpenInvoice[]> {
  const rows = await sql.query<Omit<LockedOpenInvoice, 'openBalanceMinor'> & { openBalanceMinor: string }>(
    `select id::text, customer_id::text as "customerId", number, currency::text, open_balance_minor::text as "openBalanceMinor",
            due_date::text as "dueOn", issue_date::text as "issuedOn"
       from invoices
      where customer_id = any($1::uuid[]) and status = 'open' and open_balance_minor > 0
      order by id
        for update`,
    [[...customerIds]],
  );
  return rows.map((row) => ({ ...row, openBalanceMinor: BigInt(row.openBalanceMinor) }));
}

/** Records allocations of payments to invoices. */
export async function insertAllocations(
  sql: Sql,
  allocations: ReadonlyArray<{ paymentId: string; invoiceId: string; amountMinor: bigint }>,
  at: Date,
): Promise<void> {
  if (allocations.length === 0) return;
  await sql.query(
    `insert into payment_allocations (payment_id, invoice_id, amount_minor, allocated_at)
     select t.payment_id, t.invoice_id, t.amount_minor, $4::timestamptz
       from unnest($1::uuid[], $2::uuid[], $3::bigint[]) as t(payment_id, invoice_id, amount_minor)`,
    [
      allocations.map((a) => a.paymentId),
      allocations.map((a) => a.invoiceId),
      allocations.map((a) => a.amountMinor.toString()),
      at.toISOString(),
    ],
  );
}

/**
 * Lowers invoice balances after allocations; an invoice at zero becomes `paid`, at the start of
 * `paidOn` in the customer's time zone.
 */
export async function lowerInvoiceBalances(
  sql: Sql,
  changes: ReadonlyArray<{ id: string; balanceMinor: bigint; paidOn: string | null }>,
  at: Date,
): Promise<void> {
  if (changes.length === 0) return;
  await sql.query(
    `update invoices i
        set open_balance_minor = t.balance,
            status = case when t.balance = 0 then 'paid'::invoice_status else i.status end,
            paid_at = case when t.balance = 0 then t.paid_on::timestamp at time zone c.time_zone else i.paid_at end,
            updated_at = $4::timestamptz
       from unnest($1::uuid[], $2::bigint[], $3::date[]) as t(id, balance, paid_on), customers c
      where i.id = t.id and c.id = i.customer_id`,
    [changes.map((c) => c.id), changes.map((c) => c.balanceMinor.toString()), changes.map((c) => c.paidOn), at.toISOString()],
  );
}

/** Sets what is left unapplied of each payment. */
export async function setUnapplied(sql: Sql, payments: ReadonlyArray<{ id: string; unappliedMinor: bigint }>): Promise<void> {
  if (payments.length === 0) return;
  await sql.query(
    `update payments p set unapplied_minor = t.unapplied
       from unnest($1::uuid[], $2::bigint[]) as t(id, unapplied)
      where p.id = t.id`,
    [payments.map((p) => p.id), payments.map((p) => p.unappliedMinor.toString())],
  );
}

export interface LockedPayment {
  id: string;
  customerId: string;
  currency: string;
  amountMinor: bigint;
  unappliedMinor: bigint;
  reference: string | null;
  /** `YYYY-MM-DD` */
  receivedOn: string;
}

/** A payment, locked; null when no payment has this id. */
export async function lockPayment(sql: Sql, paymentId: string): Promise<LockedPayment | null> {
  if (!UUID.test(paymentId)) return null;
  const [row] = await sql.query<Omit<LockedPayment, 'amountMinor' | 'unappliedMinor'> & { amountMinor: string; unappliedMinor: string }>(
    `select id::text, customer_id::text as "customerId", currency::text, amount_minor::text as "amountMinor",
            unapplied_minor::text as "unappliedMinor", reference, received_on::text as "receivedOn"
       from payments where id = $1::uuid for update`,
    [paymentId],
  );
  return row ? { ...row, amountMinor: BigInt(row.amountMinor), unappliedMinor: BigInt(row.unappliedMinor) } : null;
}

/** A payment's allocations not reversed, oldest first (then by invoice age). */
export async function findActiveAllocations(
  sql: Sql,
  paymentId: string,
): Promise<Array<{ id: string; invoiceId: string; amountMinor: bigint }>> {
  const rows = await sql.query<{ id: string; invoiceId: string; amountMinor: string }>(
    `select a.id::text, a.invoice_id::text as "invoiceId", a.amount_minor::text as "amountMinor"
       from payment_allocations a join invoices i on i.id = a.invoice_id
      where a.payment_id = $1::uuid and a.reversed_at is null
      order by a.allocated_at, i.due_date, i.issue_date, i.number`,
    [paymentId],
  );
  return rows.map((row) => ({ ...row, amountMinor: BigInt(row.amountMinor) }));
}

/** These invoices' statuses, locked. */
export async function lockInvoiceStatuses(sql: Sql, invoiceIds: readonly string[]): Promise<Array<{ id: string; status: string }>> {
  return sql.query<{ id: string; status: string }>(
    `select id::text, status::text from invoices where id = any($1::uuid[]) order by id for update`,
    [[...invoiceIds]],
  );
}

/**
 * Marks allocations reversed (kept, not deleted) and gives their amounts back to the invoices: a
 * paid invoice re-opens in a new dunning cycle.
 */
export async function reverseAllocations(
  sql: Sql,
  allocationIds: readonly string[],
  restored: ReadonlyMap<string, bigint>,
  by: string,
  at: Date,
): Promise<void> {
  if (allocationIds.length === 0) return;
  await sql.query(`update payment_allocations set reversed_at = $2::timestamptz, reversed_by = $3 where id = any($1::uuid[])`, [
    [...allocationIds],
    at.toISOString(),
    by,
  ]);
  const invoiceIds = [...restored.keys()];
  await sql.query(
    `update invoices i
        set open_balance_minor = i.open_balance_minor + t.restored,
            status = case when i.status = 'paid' then 'open'::invoice_status else i.status end,
            paid_at = case when i.status = 'paid' then null else i.paid_at end,
            dunning_cycle = case when i.status = 'paid' then i.dunning_cycle + 1 else i.dunning_cycle end,
            updated_at = $3::timestamptz
       from unnest($1::uuid[], $2::bigint[]) as t(id, restored)
      where i.id = t.id`,
    [invoiceIds, invoiceIds.map((id) => restored.get(id)!.toString()), at.toISOString()],
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
