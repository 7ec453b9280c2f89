import { findCustomersByExternalIds } from '../db/customers.repository.js';
import type { Sql } from '../db/sql.js';

/** A row the file could not load: its first physical line, why, and its text as read. */
export interface Rejection {
  line: number;
  reason: string;
  raw: string;
}

/** A row that passed the checks that need no database. */
export interface Candidate<Row> {
  line: number;
  raw: string;
  row: Row;
}

/** What one batch did; the counts cover the batch's candidates exactly. */
export interface BatchOutcome {
  created: number;
  updated: number;
  unchanged: number;
  rejected: Rejection[];
  /** Customers whose ledger (or profile) changed: their cases get a fresh decision. */
  changedCustomerIds: string[];
}

/**
 * Writes one batch inside the transaction the runner opened (and commits, or rolls back for a
 * dry run). `now` is the import's clock.
 */
export type BatchWriter<Row, Outcome extends BatchOutcome = BatchOutcome> = (
  sql: Sql,
  batch: readonly Candidate<Row>[],
  now: Date,
) => Promise<Outcome>;

export interface CustomerRef {
  id: string;
  currency: string;
}

/**
 * Splits a batch into rows whose customer exists and bills in the row's currency, and
 * rejections for the others.
 */
export async function resolveCustomers<Row extends { customerExternalId: string; currency: string }>(
  sql: Sql,
  batch: readonly Candidate<Row>[],
): Promise<{ resolved: Array<Candidate<Row> & { customer: CustomerRef }>; rejected: Rejection[] }> {
  const customers = await findCustomersByExternalIds(
    sql,
    batch.map((c) => c.row.customerExternalId),
  );
  const resolved: Array<Candidate<Row> & { customer: CustomerRef }> = [];
  const rejected: Rejection[] = [];
  for (const candidate of batch) {
    const customer = customers.get(candidate.row.customerExternalId);
    const reject = (reason: string) => rejected.push({ line: candidate.line, raw: candidate.raw, reason });
    if (customer === undefined) reject(`customer_external_id: no customer "${candidate.row.customerExternalId}" (import customers first)`);
    else if (customer.currency !== candidate.row.currency) {
      reject(`currency: ${candidate.row.currency} does not match the customer's currency ${customer.currency}`);
    } else resolved.push({ ...candidate, customer });
  }
  return { resolved, rejected };
}

/** Created/updated from `returning (xmax = 0) as inserted` rows; the rest of `total` is unchanged. */
export function countReturned(returned: ReadonlyArray<{ inserted: boolean }>, total: number) {
  const created = returned.filter((row) => row.inserted).length;
  return { created, updated: returned.length - created, unchanged: total - returned.length };
}
