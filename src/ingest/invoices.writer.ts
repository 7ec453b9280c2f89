import { findInvoicesByNumbers, lockInvoicesByExternalIds, upsertInvoices, type InvoiceToUpsert } from '../db/invoices.repository.js';
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
  const existing = await lockInvoicesByExternalIds(
    sql,
    resolved.map((c) => c.row.externalId),
  );
  // A number already taken by another invoice of the customer is rare: the unique index on
  // (customer_id, number) finds it, and only then are the batch's numbers looked up one by one.
  let owners: ReadonlyMap<string, string> | undefined;
  for (;;) {
    const { accepted, rejected } = screen(resolved, existing, owners);
    rejected.unshift(...unresolved);
    if (accepted.length === 0) return { created: 0, updated: 0, unchanged: 0, rejected, changedCustomerIds: [] };
    const result = await upsertInvoices(sql, accepted, now);
    if ('written' in result) {
      return {
        ...countReturned(result.written, accepted.length),
        rejected,
        changedCustomerIds: [...new Set(result.written.map((row) => row.customerId))],
      };
    }
    if (owners !== undefined) throw result.numberTaken;
    owners = await findNumberOwners(sql, resolved);
  }
};

type Resolved = Awaited<ReturnType<typeof resolveCustomers<InvoiceRow>>>['resolved'];

const numberKey = (customerId: string, number: string) => `${customerId}\u0000${number}`;

/** External id of the invoice holding each (customer, number) of the batch, where one does. */
async function findNumberOwners(sql: Sql, resolved: Resolved): Promise<Map<string, string>> {
  const rows = await findInvoicesByNumbers(
    sql,
    resolved.map((c) => ({ customerId: c.customer.id, number: c.row.number })),
  );
  return new Map(rows.map((row) => [numberKey(row.customerId, row.number), row.externalId]));
}

function screen(
  resolved: Resolved,
  existing: ReadonlyMap<string, { customerId: string; appliedMinor: bigint }>,
  owners: ReadonlyMap<string, string> | undefined,
): { accepted: InvoiceToUpsert[]; rejected: Rejection[] } {
  const accepted: InvoiceToUpsert[] = [];
  const rejected: Rejection[] = [];
  const numbersInBatch = new Map<string, number>();
  for (const candidate of resolved) {
    const { row, customer } = candidate;
    const reject = (reason: string) => rejected.push({ line: candidate.line, raw: candidate.raw, reason });
    const key = numberKey(customer.id, row.number);
    const owner = owners?.get(key);
    const earlierLine = numbersInBatch.get(key);
    const current = existing.get(row.externalId);
    const applied = current?.appliedMinor ?? 0n;
    if (owner !== undefined && owner !== row.externalId) {
      reject(`number: ${row.number} is already invoice ${owner} of this customer`);
    } else if (earlierLine !== undefined) {
      reject(`number: ${row.number} is already used for this customer on line ${earlierLine}`);
    } else if (current !== undefined && current.customerId !== customer.id) {
      reject(`customer_external_id: invoice ${row.externalId} belongs to another customer; it cannot move`);
    } else if (row.balanceMinor < applied) {
      reject(
        `balance: ${toMajorString(row.balanceMinor, row.currency)} is less than the ${toMajorString(applied, row.currency)} ` +
          'already applied from payments in Arrears',
      );
    } else {
      numbersInBatch.set(key, candidate.line);
      accepted.push({
        externalId: row.externalId,
        customerId: customer.id,
        number: row.number,
        currency: row.currency,
        amountMinor: row.amountMinor,
        openBalanceMinor: row.balanceMinor - applied,
        issuedOn: row.issuedOn,
        dueOn: row.dueOn,
      });
    }
  }
  return { accepted, rejected };
}
