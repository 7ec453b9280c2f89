// How close `arrears import invoices` comes to what Postgres can take (see
// bench/support/import-vs-copy.ts). `npm run bench` runs the same measurement among its others.
//
//   npx tsx bench/import.bench.ts [rows=200000] [batch=2000]
//
// Uses DATABASE_URL's server when set (a scratch database is created and dropped on it), else an
// embedded Postgres with durable defaults in a temporary directory.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { applyMigrations } from '../src/db/migrate.js';
import { startEmbeddedPostgres } from '../src/dev/embedded-postgres.js';
import { createLogger } from '../src/logging/logger.js';
import { measureImportVsCopy } from './support/import-vs-copy.js';

const rows = Number(process.argv[2] ?? 200_000);
const batchSize = Number(process.argv[3] ?? 2000);

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
// `end()` resolves before its clients' sockets close; the drop below may terminate one of them.
pool.on('error', () => undefined);

try {
  await applyMigrations(url.toString());
  const m = await measureImportVsCopy(pool, dir, rows, batchSize);
  const version = (await pool.query<{ server_version: string }>('show server_version')).rows[0]?.server_version;
  console.log(
    `rows: ${rows.toLocaleString('en-US')} invoices (${(m.csvBytes / 1e6).toFixed(1)} MB CSV), batch ${batchSize}, ` +
      `Postgres ${version}, ${os.cpus().length} cores, Node ${process.version}`,
  );
  console.log(
    `import (all new):        ${fmt(m.importRowsPerSecond)} rows/s  (${m.importSeconds.toFixed(2)} s, created ${m.importSummary.created})`,
  );
  console.log(
    `re-import (unchanged):   ${fmt(m.reimportRowsPerSecond)} rows/s  (${m.reimportSeconds.toFixed(2)} s, unchanged ${m.reimportSummary.unchanged})`,
  );
  console.log(`raw COPY:                ${fmt(m.copyRowsPerSecond)} rows/s  (${m.copySeconds.toFixed(2)} s)`);
  console.log(`ratio import / COPY:     ${(m.importRowsPerSecond / m.copyRowsPerSecond).toFixed(2)}`);
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
