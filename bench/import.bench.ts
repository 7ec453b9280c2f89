// How close `arrears import invoices` comes to what Postgres can take: N generated invoice rows
// imported through the real pipeline (CSV file → validation → batched upserts), against a raw
// COPY of the same rows into a table of the same shape (same indexes and foreign key).
//
//   npx tsx bench/import.bench.ts [rows=200000] [batch=2000]
//
// Uses DATABASE_URL's server when set (a scratch database is created and dropped on it), else an
// embedded Postgres with durable defaults in a temporary directory.
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { applyMigrations } from '../src/db/migrate.js';
import { startEmbeddedPostgres } from '../src/dev/embedded-postgres.js';
import { runImport } from '../src/ingest/run-import.js';
import { createLogger } from '../src/logging/logger.js';

const rows = Number(process.argv[2] ?? 200_000);
const batchSize = Number(process.argv[3] ?? 2000);
const CUSTOMERS = 1000;

const dir = await mkdtemp(path.join(os.tmpdir(), 'arrears-bench-'));
const logger = createLogger({ level: 'warn', format: 'json', production: true });
let serverUrl = process.env.DATABASE_URL;
let stopServer = async () => undefined as unknown;
if (serverUrl === undefined) {
  const server = await startEmbeddedPostgres({ clusterDir: path.join(dir, 'postgres'), database: 'postgres', logger });
  serverUrl = server.url;
  stopServer = server.stop;
}
const database = `arrears_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`create database ${database}`);
const url = new URL(serverUrl);
url.pathname = `/${database}`;
const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });

try {
  await applyMigrations(url.toString());
  await pool.query(`
    insert into customers (external_id, name, time_zone, locale, currency, updated_at)
    select 'C-' || g, 'Customer ' || g, 'Europe/Bucharest', 'ro-RO', 'USD', now() from generate_series(1, ${CUSTOMERS}) g`);
  const csv = path.join(dir, 'invoices.csv');
  await writeInvoicesCsv(csv, rows);
  const size = (await stat(csv)).size;

  const importOnce = async () => {
    const started = performance.now();
    const summary = await runImport({
      kind: 'invoices', input: createReadStream(csv, { highWaterMark: 1 << 20 }), pool, now: new Date(),
      knownPolicies: new Set(), batchSize,
    });
    return { summary, seconds: (performance.now() - started) / 1000 };
  };
  const first = await importOnce();
  const again = await importOnce();

  // The baseline: the same rows, already converted, straight into an invoices-shaped table.
  await pool.query(`create table copy_target (like invoices including all)`);
  await pool.query(`alter table copy_target add foreign key (customer_id) references customers (id)`);
  const ids = (await pool.query<{ id: string }>(`select id from customers order by external_id`)).rows.map((r) => r.id);
  const copyText = copyRows(rows, ids);
  const client = await pool.connect();
  const copyStarted = performance.now();
  try {
    await pipeline(
      Readable.from(copyText),
      client.query(copyFrom(
        `copy copy_target (external_id, customer_id, number, currency, amount_minor, open_balance_minor, issue_date, due_date, status, updated_at) from stdin`,
      )),
    );
  } finally {
    client.release();
  }
  const copySeconds = (performance.now() - copyStarted) / 1000;

  const importRate = rows / first.seconds;
  const copyRate = rows / copySeconds;
  const version = (await pool.query<{ server_version: string }>('show server_version')).rows[0]?.server_version;
  console.log(`rows: ${rows.toLocaleString('en-US')} invoices (${(size / 1e6).toFixed(1)} MB CSV), batch ${batchSize}, ` +
    `Postgres ${version}, ${os.cpus().length} cores, Node ${process.version}`);
  console.log(`import (all new):        ${fmt(importRate)} rows/s  (${first.seconds.toFixed(2)} s, created ${first.summary.created})`);
  console.log(`re-import (unchanged):   ${fmt(rows / again.seconds)} rows/s  (${again.seconds.toFixed(2)} s, unchanged ${again.summary.unchanged})`);
  console.log(`raw COPY:                ${fmt(copyRate)} rows/s  (${copySeconds.toFixed(2)} s)`);
  console.log(`ratio import / COPY:     ${(importRate / copyRate).toFixed(2)}`);
  console.log(`peak RSS:                ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
} finally {
  await pool.end();
  await admin.query(`drop database if exists ${database} with (force)`);
  await admin.end();
  await stopServer();
  await rm(dir, { recursive: true, force: true });
}

function fmt(rate: number): string {
  return Math.round(rate).toLocaleString('en-US').padStart(9);
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
