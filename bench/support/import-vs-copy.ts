// How close `arrears import invoices` comes to what Postgres can take: N generated invoice rows
// imported through the real pipeline (CSV file → validation → batched upserts), against a raw
// COPY of the same rows into a table of the same shape (same indexes and foreign key).
// Shared by bench/import.bench.ts and bench/run.ts (`npm run bench`).
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pgDatabase } from '../../src/db/sql.js';
import { runImport, type ImportSummary } from '../../src/ingest/run-import.js';

const CUSTOMERS = 1000;

export interface ImportVsCopy {
  rows: number;
  csvBytes: number;
  importSeconds: number;
  importSummary: ImportSummary;
  reimportSeconds: number;
  reimportSummary: ImportSummary;
  copySeconds: number;
  importRowsPerSecond: number;
  reimportRowsPerSecond: number;
  copyRowsPerSecond: number;
}

/**
 * Runs on a freshly migrated, empty database behind `pool` (it adds 1000 customers, `rows`
 * invoices and a `copy_target` table); `dir` receives the CSV file.
 */
export async function measureImportVsCopy(pool: pg.Pool, dir: string, rows: number, batchSize = 2000): Promise<ImportVsCopy> {
  await pool.query(`
    insert into customers (external_id, name, time_zone, locale, currency, updated_at)
    select 'C-' || g, 'Customer ' || g, 'Europe/Bucharest', 'ro-RO', 'USD', now() from generate_series(1, ${CUSTOMERS}) g`);
  const csv = path.join(dir, 'invoices.csv');
  await writeInvoicesCsv(csv, rows);
  const csvBytes = (await stat(csv)).size;

  const importOnce = async () => {
    const started = performance.now();
    const summary = await runImport({
      kind: 'invoices',
      input: createReadStream(csv, { highWaterMark: 1 << 20 }),
      db: pgDatabase(pool),
      now: new Date(),
      knownPolicies: new Set(),
      batchSize,
    });
    return { summary, seconds: (performance.now() - started) / 1000 };
  };
  const first = await importOnce();
  const again = await importOnce();

  // The baseline: the same rows, already converted, straight into an invoices-shaped table.
  await pool.query(`create table copy_target (like invoices including all)`);
  await pool.query(`alter table copy_target add foreign key (customer_id) references customers (id)`);
  const ids = (await pool.query<{ id: string }>(`select id from customers order by external_id`)).rows.map((r) => r.id);
  const client = await pool.connect();
  const copyStarted = performance.now();
  try {
    await pipeline(
      Readable.from(copyRows(rows, ids)),
      client.query(
        copyFrom(
          `copy copy_target (external_id, customer_id, number, currency, amount_minor, open_balance_minor, issue_date, due_date, status, updated_at) from stdin`,
        ),
      ),
    );
  } finally {
    client.release();
  }
  const copySeconds = (performance.now() - copyStarted) / 1000;
  return {
    rows,
    csvBytes,
    importSeconds: first.seconds,
    importSummary: first.summary,
    reimportSeconds: again.seconds,
    reimportSummary: again.summary,
    copySeconds,
    importRowsPerSecond: rows / first.seconds,
    reimportRowsPerSecond: rows / again.seconds,
    copyRowsPerSecond: rows / copySeconds,
  };
}

function invoiceFields(i: number) {
  const customer = (i % CUSTOMERS) + 1;
  const cents = 10_000 + ((i * 7919) % 5_000_000);
  const day = String((i % 28) + 1).padStart(2, '0');
  return { customer, cents, issued: `2026-01-${day}`, due: `2026-02-${day}` };
}

async function writeInvoicesCsv(file: string, count: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('external_id,customer_external_id,number,currency,amount,balance,issued_on,due_on\n');
  for (let i = 0; i < count; i += 1) {
    const { customer, cents, issued, due } = invoiceFields(i);
    const amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
    if (!out.write(`INV-${i},C-${customer},N-${i},USD,${amount},,${issued},${due}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function* copyRows(count: number, customerIds: readonly string[]): Generator<string> {
  let chunk = '';
  for (let i = 0; i < count; i += 1) {
    const { customer, cents, issued, due } = invoiceFields(i);
    chunk += `INV-${i}\t${customerIds[customer - 1]}\tN-${i}\tUSD\t${cents}\t${cents}\t${issued}\t${due}\topen\t2026-03-01T00:00:00Z\n`;
    if (chunk.length > 1 << 16) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}
