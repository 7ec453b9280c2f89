// The import pipeline: bytes → CSV records → validated rows → batches written in one transaction
// each. The next batch is read and validated while earlier ones are in Postgres; customers and
// invoices keep two batches in Postgres at once (one backend each), payments one, since cash
// application must see the payments before it. At most three batches are in memory.

import type { AppliedPayment } from '../cash/cash-application.js';
import { requestReview } from '../db/cases.repository.js';
import type { SqlDatabase } from '../db/sql.js';
import type { BatchOutcome, BatchWriter, Candidate, Rejection } from './batch.js';
import { readCsvRecords } from './csv-reader.js';
import { writeCustomers } from './customers.writer.js';
import { HeaderError, mapHeader } from './header.js';
import { writeInvoices } from './invoices.writer.js';
import { writePayments, type PaymentBatchOutcome } from './payments.writer.js';
import {
  CUSTOMER_COLUMNS,
  CUSTOMER_OPTIONAL_COLUMNS,
  INVOICE_COLUMNS,
  PAYMENT_COLUMNS,
  parseCustomerRow,
  parseInvoiceRow,
  parsePaymentRow,
  type InvoiceRow,
  type RowResult,
} from './rows.js';

export const IMPORT_KINDS = ['customers', 'invoices', 'payments'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export interface ImportOptions {
  kind: ImportKind;
  /** The file's bytes (UTF-8, a BOM is ignored). Read as needed, never all at once. */
  input: AsyncIterable<Uint8Array | string>;
  /** The database, through a plain `pg` pool (the runtime's `db`): each batch is one of its transactions. */
  db: SqlDatabase;
  /** The import's clock: `updated_at`, allocation times, and when reviews are requested. */
  now: Date;
  /** Policy ids a customer may name (customers only). */
  knownPolicies: ReadonlySet<string>;
  /** Validate and count, inside transactions that are rolled back. */
  dryRun?: boolean;
  /** Rows per transaction (default 2000). */
  batchSize?: number;
  /** Each rejected row, in line order. */
  onReject?: (rejection: Rejection) => void | Promise<void>;
  /** Progress, at most every few thousand rows. */
  onProgress?: (progress: { rows: number; bytes: number }) => void;
}

export interface CurrencyTotals {
  currency: string;
  appliedMinor: bigint;
  /** Left as customer credit. */
  unappliedMinor: bigint;
}

export interface ImportSummary {
  kind: ImportKind;
  dryRun: boolean;
  /** Data rows read (header and blank lines excluded). */
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** Payments only: what the payments created by this import were applied to. */
  cash?: {
    allocations: number;
    invoicesPaid: number;
    byReference: number;
    byAge: number;
    totals: CurrencyTotals[];
  };
}

interface Kind<Row> {
  columns: readonly string[];
  /** Columns a file may leave out; `parse` gets them after `columns`, empty when absent. */
  optional?: readonly string[];
  parse(fields: string[], options: ImportOptions): RowResult<Row>;
  write: BatchWriter<Row, BatchOutcome & { applied?: AppliedPayment[] }>;
  /** Batches written at once; two that could touch the same rows are written in file order. */
  writers: number;
  /** Besides the external id, what a row could collide on with a row of another batch. */
  otherKeys?(row: Row): string[];
}

const kinds: { [K in ImportKind]: Kind<unknown> } = {
  customers: {
    columns: CUSTOMER_COLUMNS,
    optional: CUSTOMER_OPTIONAL_COLUMNS,
    parse: (f, o) => parseCustomerRow(f, o.knownPolicies),
    write: writeCustomers as Kind<unknown>['write'],
    writers: 2,
  },
  invoices: {
    columns: INVOICE_COLUMNS,
    parse: (f) => parseInvoiceRow(f),
    write: writeInvoices as Kind<unknown>['write'],
    writers: 2,
    // An invoice number is unique per customer: the earlier line must get it, as it would in sequence.
    otherKeys: (row) => [`number\u0000${(row as InvoiceRow).customerExternalId}\u0000${(row as InvoiceRow).number}`],
  },
  payments: { columns: PAYMENT_COLUMNS, parse: (f) => parsePaymentRow(f), write: writePayments as Kind<unknown>['write'], writers: 1 },
};

interface Batch {
  candidates: Candidate<{ externalId: string }>[];
  rejects: Rejection[];
  lineOf: Map<string, number>;
  /** Everything the batch's rows could collide on with another batch's. */
  keys: Set<string>;
}

const newBatch = (): Batch => ({ candidates: [], rejects: [], lineOf: new Map(), keys: new Set() });

/**
 * Imports one CSV file. Throws `HeaderError` before reading any row if the header is not exactly
 * the kind's columns (and any of its optional ones); otherwise every bad row is reported through `onReject` and the good rows
 * load. Within a batch a repeated external id is rejected; across batches the later row wins.
 */
export async function runImport(options: ImportOptions): Promise<ImportSummary> {
  const kind = kinds[options.kind] as Kind<{ externalId: string }>;
  const batchSize = options.batchSize ?? 2000;
  const summary: ImportSummary = {
    kind: options.kind,
    dryRun: options.dryRun === true,
    rows: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
  };
  const cash = new CashTally();
  const counter = { bytes: 0 };
  const records = readCsvRecords(decode(options.input, counter));

  const header = await records.next();
  if (header.done === true) throw new HeaderError(['the file is empty', `expected: ${kind.columns.join(',')}`]);
  if (header.value.error !== undefined) throw new HeaderError([`line 1: ${header.value.error}`]);
  const order = mapHeader(header.value.fields, kind.columns, kind.optional);
  const width = header.value.fields.length;

  let batch = newBatch();
  // Batches being written; each is done once its outcome has been reported, in file order.
  const writing = new Set<{ keys: ReadonlySet<string>; done: Promise<void> }>();
  let reported: Promise<void> = Promise.resolve();
  const report = (full: Batch, outcome: Awaited<ReturnType<typeof writeBatch>>) => {
    summary.created += outcome.created;
    summary.updated += outcome.updated;
    summary.unchanged += outcome.unchanged;
    const rejects = [...full.rejects, ...outcome.rejected].sort((a, b) => a.line - b.line);
    summary.rejected += rejects.length;
    if (outcome.applied !== undefined) cash.add(outcome.applied);
    return rejects;
  };
  const startFlush = async () => {
    const full = batch;
    batch = newBatch();
    // A record in two batches: the later line must win, so its batch waits for the earlier one.
    const clashes = (other: { keys: ReadonlySet<string> }) => [...full.keys].some((key) => other.keys.has(key));
    while (writing.size >= kind.writers || [...writing].some(clashes)) await Promise.race([...writing].map((w) => w.done));
    const written = writeBatch(kind, full, options);
    written.catch(() => undefined); // surfaced through `done`
    const done = reported.then(async () => {
      for (const rejection of report(full, await written)) await options.onReject?.(rejection);
    });
    reported = done;
    const entry = { keys: full.keys, done };
    writing.add(entry);
    // A failed batch stays in `writing`, so the next wait rethrows its error.
    done.then(
      () => writing.delete(entry),
      () => undefined,
    );
  };

  try {
    for await (const record of records) {
      summary.rows += 1;
      if (summary.rows % 2000 === 0) options.onProgress?.({ rows: summary.rows, bytes: counter.bytes });
      const reject = (reason: string) => batch.rejects.push({ line: record.line, raw: record.raw, reason });
      if (record.error !== undefined) reject(record.error);
      else if (record.fields.length !== width) {
        reject(`expected ${width} columns, found ${record.fields.length}`);
      } else {
        const parsed = kind.parse(
          order.map((index) => (index < 0 ? '' : (record.fields[index] ?? ''))),
          options,
        );
        if (!parsed.ok) reject(parsed.reason);
        else {
          const earlier = batch.lineOf.get(parsed.row.externalId);
          if (earlier !== undefined) reject(`external_id: ${parsed.row.externalId} already appears on line ${earlier}`);
          else {
            batch.lineOf.set(parsed.row.externalId, record.line);
            batch.keys.add(parsed.row.externalId);
            for (const key of kind.otherKeys?.(parsed.row) ?? []) batch.keys.add(key);
            batch.candidates.push({ line: record.line, raw: record.raw, row: parsed.row });
          }
        }
      }
      if (batch.candidates.length + batch.rejects.length >= batchSize) await startFlush();
    }
    await startFlush();
    await reported;
  } finally {
    // On a failure, let the other batches finish before the error leaves (their connections too).
    await Promise.allSettled([...writing].map((w) => w.done));
  }
  options.onProgress?.({ rows: summary.rows, bytes: counter.bytes });
  if (options.kind === 'payments') summary.cash = cash.summary();
  return summary;
}

async function writeBatch<Row>(kind: Kind<Row>, batch: Batch, options: ImportOptions) {
  if (batch.candidates.length === 0) {
    return { created: 0, updated: 0, unchanged: 0, rejected: [], changedCustomerIds: [] } as BatchOutcome & {
      applied?: AppliedPayment[];
    };
  }
  // Batches that could collide are never in Postgres together; should two still deadlock on
  // something unforeseen, Postgres aborts one, which goes again rather than failing the import.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await writeBatchOnce(kind, batch, options);
    } catch (error) {
      if ((error as { code?: string }).code !== DEADLOCK_DETECTED || attempt >= 3) throw error;
    }
  }
}

const DEADLOCK_DETECTED = '40P01';

async function writeBatchOnce<Row>(kind: Kind<Row>, batch: Batch, options: ImportOptions) {
  return options.db.transaction(
    async (sql) => {
      const outcome: BatchOutcome & { applied?: AppliedPayment[] } = await kind.write(
        sql,
        batch.candidates as unknown as Candidate<Row>[],
        options.now,
      );
      // In the same transaction: a change is never committed without its review request.
      await requestReview(sql, outcome.changedCustomerIds, options.now);
      return outcome;
    },
    { rollback: options.dryRun === true },
  );
}

async function* decode(input: AsyncIterable<Uint8Array | string>, counter: { bytes: number }): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8'); // drops a leading BOM itself
  let first = true;
  for await (const chunk of input) {
    if (typeof chunk === 'string') {
      counter.bytes += Buffer.byteLength(chunk);
      yield first ? chunk.replace(/^\uFEFF/, '') : chunk;
      first = false;
      continue;
    }
    counter.bytes += chunk.byteLength;
    const text = decoder.decode(chunk, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}

class CashTally {
  private allocations = 0;
  private invoicesPaid = 0;
  private byReference = 0;
  private byAge = 0;
  private readonly totals = new Map<string, CurrencyTotals>();

  add(applied: readonly AppliedPayment[]): void {
    for (const payment of applied) {
      this.allocations += payment.allocations.length;
      this.invoicesPaid += payment.paidInvoiceIds.length;
      if (payment.rule === 'reference') this.byReference += 1;
      else this.byAge += 1;
      const totals = this.totals.get(payment.currency) ?? { currency: payment.currency, appliedMinor: 0n, unappliedMinor: 0n };
      totals.appliedMinor += payment.appliedMinor;
      totals.unappliedMinor += payment.unappliedMinor;
      this.totals.set(payment.currency, totals);
    }
  }

  summary(): NonNullable<ImportSummary['cash']> {
    return {
      allocations: this.allocations,
      invoicesPaid: this.invoicesPaid,
      byReference: this.byReference,
      byAge: this.byAge,
      totals: [...this.totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
    };
  }
}

export type { PaymentBatchOutcome, Rejection };
