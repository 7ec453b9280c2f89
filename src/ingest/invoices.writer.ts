import type { Sql } from '../db/sql.js';
import { countReturned, resolveCustomers, type BatchOutcome, type BatchWriter, type Rejection } from './batch.js';
import { toMajorString } from '../core/money.js';
import type { InvoiceRow } from './rows.js';

/**
 * Upserts invoices by external id. The file's `balance` is the ERP's view, before payments
 * applied in Arrears; the stored open balance is that minus the allocations Arrears made, so
 * re-importing an unchanged export does not undo cash application. An invoice whose open balance
 * is zero is `paid`; one that was paid and owes again re-opens in a new dunning cycle; void and
 * written-off invoices keep their status, and a written-off one its zero balance (what the ERP
 * still shows was written off here).
 */
export const writeInvoices: BatchWriter<InvoiceRow> = async (sql, batch, now): Promise<BatchOutcome> => {
  const { resolved, rejected: unresolved } = await resolveCustomers(sql, batch);
  const existing = new Map(
    (
      await sql.query<{ external_id: string; customer_id: string; applied: string }>(
        `select i.external_id, i.customer_id,
                (select coalesce(sum(a.amount_minor), 0) from payment_allocations a
                  where a.invoice_id = i.id and a.reversed_at is null)::text as applied
           from invoices i
          where i.external_id = any($1::text[])
          order by i.id
            for update`,
        [resolved.map((c) => c.row.externalId)],
      )
    ).map((row) => [row.external_id, row]),
  );
  // A number already taken by another invoice of the customer is rare: the unique index on
  // (customer_id, number) finds it, and only then are the batch's numbers looked up one by one.
  let owners: ReadonlyMap<string, string> | undefined;
  for (;;) {
    const { accepted, rejected } = screen(resolved, existing, owners);
    rejected.unshift(...unresolved);
    if (accepted.length === 0) return { created: 0, updated: 0, unchanged: 0, rejected, changedCustomerIds: [] };
    await sql.query('savepoint invoice_merge');
    try {
      const returned = await merge(sql, accepted, now);
      await sql.query('release savepoint invoice_merge');
      return {
        ...countReturned(returned, accepted.length),
        rejected,
        changedCustomerIds: [...new Set(returned.map((row) => row.customer_id))],
      };
    } catch (error) {
      if (owners !== undefined || !isNumberTaken(error)) throw error;
      await sql.query('rollback to savepoint invoice_merge');
      owners = await findNumberOwners(sql, resolved);
    }
  }
};

type Resolved = Awaited<ReturnType<typeof resolveCustomers<InvoiceRow>>>['resolved'];
type Accepted = { row: InvoiceRow; customerId: string; openBalance: bigint };

const numberKey = (customerId: string, number: string) => `${customerId}\u0000${number}`;

function isNumberTaken(error: unknown): boolean {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === '23505' && constraint === 'invoices_customer_id_number_key';
}

/** External id of the invoice holding each (customer, number) of the batch, where one does. */
async function findNumberOwners(sql: Sql, resolved: Resolved): Promise<Map<string, string>> {
  const rows = await sql.query<{ external_id: string; customer_id: string; number: string }>(
    `select i.external_id, i.customer_id, i.number
       from invoices i
       join unnest($1::uuid[], $2::text[]) as t(customer_id, number)
         on i.customer_id = t.customer_id and i.number = t.number`,
    [resolved.map((c) => c.customer.id), resolved.map((c) => c.row.number)],
  );
  return new Map(rows.map((row) => [numberKey(row.customer_id, row.number), row.external_id]));
}

function screen(
  resolved: Resolved,
  existing: ReadonlyMap<string, { customer_id: string; applied: string }>,
  owners: ReadonlyMap<string, string> | undefined,
): { accepted: Accepted[]; rejected: Rejection[] } {
  const accepted: Accepted[] = [];
  const rejected: Rejection[] = [];
  const numbersInBatch = new Map<string, number>();
  for (const candidate of resolved) {
    const { row, customer } = candidate;
    const reject = (reason: string) => rejected.push({ line: candidate.line, raw: candidate.raw, reason });
    const key = numberKey(customer.id, row.number);
    const owner = owners?.get(key);
    const earlierLine = numbersInBatch.get(key);
    const current = existing.get(row.externalId);
    const applied = BigInt(current?.applied ?? '0');
    if (owner !== undefined && owner !== row.externalId) {
      reject(`number: ${row.number} is already invoice ${owner} of this customer`);
    } else if (earlierLine !== undefined) {
      reject(`number: ${row.number} is already used for this customer on line ${earlierLine}`);
    } else if (current !== undefined && current.customer_id !== customer.id) {
      reject(`customer_external_id: invoice ${row.externalId} belongs to another customer; it cannot move`);
    } else if (row.balanceMinor < applied) {
      reject(
        `balance: ${toMajorString(row.balanceMinor, row.currency)} is less than the ${toMajorString(applied, row.currency)} ` +
          'already applied from payments in Arrears',
      );
    } else {
      numbersInBatch.set(key, candidate.line);
      accepted.push({ row, customerId: customer.id, openBalance: row.balanceMinor - applied });
    }
  }
  return { accepted, rejected };
}

function merge(sql: Sql, accepted: readonly Accepted[], now: Date) {
  return sql.query<{ customer_id: string; inserted: boolean }>(
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
     returning i.customer_id, (xmax = 0) as inserted`,
    [
      accepted.map((a) => a.row.externalId),
      accepted.map((a) => a.customerId),
      accepted.map((a) => a.row.number),
      accepted.map((a) => a.row.currency),
      accepted.map((a) => a.row.amountMinor.toString()),
      accepted.map((a) => a.openBalance.toString()),
      accepted.map((a) => a.row.issuedOn),
      accepted.map((a) => a.row.dueOn),
      now.toISOString(),
    ],
  );
}
