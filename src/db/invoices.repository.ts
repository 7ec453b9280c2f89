import type { Sql } from './sql.js';
import type { Db } from './transaction.js';

/**
 * `invoices`. The ledger import and the invoices API write them (`upsertInvoices`, below), the
 * cash application their balances (cash.repository.ts), a manager's write-off here.
 */

const isoDate = (date: Date): string => date.toISOString().slice(0, 10);

export interface OpenInvoiceRow {
  id: string;
  number: string;
  currency: string;
  amountMinor: bigint;
  openBalanceMinor: bigint;
  issuedOn: string;
  dueOn: string;
}

export async function findOpenInvoices(db: Db, customerId: string): Promise<OpenInvoiceRow[]> {
  const rows = await db.invoice.findMany({
    where: { customerId, status: 'open', openBalanceMinor: { gt: 0n } },
    orderBy: [{ dueOn: 'asc' }, { number: 'asc' }],
  });
  return rows.map((row) => ({
    id: row.id,
    number: row.number,
    currency: row.currency,
    amountMinor: row.amountMinor,
    openBalanceMinor: row.openBalanceMinor,
    issuedOn: isoDate(row.issuedOn),
    dueOn: isoDate(row.dueOn),
  }));
}

export function findInvoiceByNumber(db: Db, customerId: string, number: string) {
  return db.invoice.findUnique({ where: { customerId_number: { customerId, number } }, select: { id: true, number: true } });
}

/** Whether the customer still owes anything on an open invoice. */
export async function hasOpenBalance(db: Db, customerId: string): Promise<boolean> {
  const found = await db.invoice.findFirst({ where: { customerId, status: 'open', openBalanceMinor: { gt: 0n } }, select: { id: true } });
  return found !== null;
}

/** Overdue open balance of a customer, per currency (minor units). */
export async function overdueBalance(db: Db, customerId: string, now: Date): Promise<Array<{ currency: string; minor: bigint }>> {
  const rows = await db.$queryRaw<Array<{ currency: string; minor: string }>>`
    select i.currency::text, sum(i.open_balance_minor)::text as minor
      from invoices i join customers cu on cu.id = i.customer_id
     where i.customer_id = ${customerId}::uuid and i.status = 'open' and i.open_balance_minor > 0
       and i.due_date < (${now}::timestamptz at time zone cu.time_zone)::date
     group by i.currency`;
  return rows.map((row) => ({ currency: row.currency, minor: BigInt(row.minor) }));
}

export interface InvoiceToWriteOff {
  id: string;
  number: string;
  currency: string;
  status: 'open' | 'paid' | 'void' | 'written_off';
  openBalanceMinor: bigint;
}

/**
 * A customer's invoices for a write-off, locked: the one numbered `number`, or (null) every
 * open invoice with a balance. Oldest due first.
 */
export async function lockInvoicesToWriteOff(sql: Sql, customerId: string, number: string | null): Promise<InvoiceToWriteOff[]> {
  const rows = await sql.query<Omit<InvoiceToWriteOff, 'openBalanceMinor'> & { openBalanceMinor: string }>(
    `select id::text, number, currency::text, status::text, open_balance_minor::text as "openBalanceMinor"
       from invoices
      where customer_id = $1::uuid
        and ($2::text is null and status = 'open' and open_balance_minor > 0 or number = $2::text)
      order by due_date, number
        for update`,
    [customerId, number],
  );
  return rows.map((row) => ({ ...row, openBalanceMinor: BigInt(row.openBalanceMinor) }));
}

/** Writes off these invoices' open balances: status `written_off`, balance 0, the amount and why kept. */
export async function writeOffInvoices(sql: Sql, ids: readonly string[], by: string, reason: string, at: Date): Promise<void> {
  await sql.query(
    `update invoices
        set status = 'written_off', written_off_minor = open_balance_minor, open_balance_minor = 0,
            written_off_at = $2::timestamptz, written_off_by = $3, write_off_reason = $4, updated_at = $2::timestamptz
      where id = any($1::uuid[]) and status = 'open'`,
    [[...ids], at.toISOString(), by, reason],
  );
}

// ─────────────── the ledger import and POST /api/v1/invoices: one batch per call ───────────────

/**
 * The invoices with these external ids, locked (in id order) for the rest of the transaction,
 * with what Arrears has applied to each from payments (allocations not reversed).
 */
export async function lockInvoicesByExternalIds(
  sql: Sql,
  externalIds: readonly string[],
): Promise<Map<string, { customerId: string; appliedMinor: bigint }>> {
  const rows = await sql.query<{ external_id: string; customer_id: string; applied: string }>(
    `select i.external_id, i.customer_id,
            (select coalesce(sum(a.amount_minor), 0) from payment_allocations a
              where a.invoice_id = i.id and a.reversed_at is null)::text as applied
       from invoices i
      where i.external_id = any($1::text[])
      order by i.id
        for update`,
    [externalIds],
  );
  return new Map(rows.map((row) => [row.external_id, { customerId: row.customer_id, appliedMinor: BigInt(row.applied) }]));
}

/** The invoices holding any of these (customer, number) pairs. */
export async function findInvoicesByNumbers(
  sql: Sql,
  pairs: ReadonlyArray<{ customerId: string; number: string }>,
): Promise<Array<{ externalId: string; customerId: string; number: string }>> {
  return sql.query<{ externalId: string; customerId: string; number: string }>(
    `select i.external_id as "externalId", i.customer_id as "customerId", i.number
       from invoices i
       join unnest($1::uuid[], $2::text[]) as t(customer_id, number)
         on i.customer_id = t.customer_id and i.number = t.number`,
    [pairs.map((p) => p.customerId), pairs.map((p) => p.number)],
  );
}

export interface InvoiceToUpsert {
  externalId: string;
  customerId: string;
  number: string;
  currency: string;
  amountMinor: bigint;
  /** The open balance to store (a new invoice's, or a changed one's unless it is written off). */
  openBalanceMinor: bigint;
  issuedOn: string;
  dueOn: string;
}

/**
 * Inserts new invoices and updates the changed ones, by external id. An invoice whose open
 * balance is zero is `paid`; one that was paid and owes again re-opens in a new dunning cycle;
 * void and written-off invoices keep their status, and a written-off one its zero balance.
 * Returns the rows written (inserted or changed); or, when a number is already another invoice's
 * of the same customer, `numberTaken` with the error, and nothing written (the statement runs
 * under a savepoint, so the caller's transaction goes on).
 */
export async function upsertInvoices(
  sql: Sql,
  invoices: readonly InvoiceToUpsert[],
  now: Date,
): Promise<{ written: Array<{ customerId: string; inserted: boolean }> } | { numberTaken: unknown }> {
  await sql.query('savepoint invoice_merge');
  try {
    const written = await mergeInvoices(sql, invoices, now);
    await sql.query('release savepoint invoice_merge');
    return { written };
  } catch (error) {
    if (!isNumberTaken(error)) throw error;
    await sql.query('rollback to savepoint invoice_merge');
    return { numberTaken: error };
  }
}

function isNumberTaken(error: unknown): boolean {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === '23505' && constraint === 'invoices_customer_id_number_key';
}

function mergeInvoices(sql: Sql, invoices: readonly InvoiceToUpsert[], now: Date) {
  return sql.query<{ customerId: string; inserted: boolean }>(
    `insert into invoices as i
            (external_id, customer_id, number, currency, amount_minor, open_balance_minor, issue_date, due_date,
             status, paid_at, updated_at)
     select t.external_id, t.customer_id, t.number, t.currency, t.amount, t.balance, t.issue_date, t.due_date,
            case when t.balance = 0 then 'paid'::invoice_status else 'open'::invoice_status end,
            case when t.balance = 0 then $9::timestamptz end, $9::timestamptz
       from unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::date[], $8::date[])
            as t(external_id, customer_id, number, currency, amount, balance, issue_date, due_date)
     on conflict (external_id) do update
        set number = excluded.number,
            currency = excluded.currency,
            amount_minor = excluded.amount_minor,
            open_balance_minor = case when i.status = 'written_off' then i.open_balance_minor else excluded.open_balance_minor end,
            issue_date = excluded.issue_date,
            due_date = excluded.due_date,
            status = case when i.status in ('void', 'written_off') then i.status else excluded.status end,
            paid_at = case when i.status in ('void', 'written_off') then i.paid_at
                           when excluded.status = 'paid' then coalesce(i.paid_at, excluded.paid_at) end,
            dunning_cycle = case when i.status = 'paid' and excluded.status = 'open' then i.dunning_cycle + 1
                                 else i.dunning_cycle end,
            updated_at = excluded.updated_at
      where (i.number, i.currency, i.amount_minor, i.open_balance_minor, i.issue_date, i.due_date)
            is distinct from
            (excluded.number, excluded.currency, excluded.amount_minor,
             case when i.status = 'written_off' then i.open_balance_minor else excluded.open_balance_minor end,
             excluded.issue_date, excluded.due_date)
     returning i.customer_id as "customerId", (xmax = 0) as inserted`,
    [
      invoices.map((i) => i.externalId),
      invoices.map((i) => i.customerId),
      invoices.map((i) => i.number),
      invoices.map((i) => i.currency),
      invoices.map((i) => i.amountMinor.toString()),
      invoices.map((i) => i.openBalanceMinor.toString()),
      invoices.map((i) => i.issuedOn),
      invoices.map((i) => i.dueOn),
      now.toISOString(),
    ],
  );
}

/** Open balance of a customer per currency (minor units): what a promise to pay may cover. */
export async function openBalanceByCurrency(db: Db, customerId: string): Promise<Map<string, bigint>> {
  const rows = await db.$queryRaw<Array<{ currency: string; minor: string }>>`
    select i.currency::text, sum(i.open_balance_minor)::text as minor
      from invoices i
     where i.customer_id = ${customerId}::uuid and i.status = 'open' and i.open_balance_minor > 0
     group by i.currency`;
  return new Map(rows.map((row) => [row.currency, BigInt(row.minor)]));
}
