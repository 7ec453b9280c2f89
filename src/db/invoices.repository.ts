import type { Sql } from './sql.js';
import type { Db } from './transaction.js';

/**
 * `invoices` as the case actions see them. The import writes them (ingest), the cash application
 * their balances (cash.repository.ts); write-offs are here.
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
