// Loads a ledger-scale database for measuring pages and queries (see bench/support/scale-ledger.ts):
//
//   npx tsx bench/support/load-ledger.ts --database-url postgresql://…/scratch
//   npx tsx bench/support/load-ledger.ts --customers 20000 --contacts-per-customer 10 --database-url …
//
// The database is created when missing and migrated; a ledger with the same --prefix already in it
// is refused. Get a scratch server from `arrears stack` (prints DATABASE_URL) or any Postgres.
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import pg from 'pg';
import { applyMigrations } from '../../src/db/migrate.js';
import { loadScaleLedger } from './scale-ledger.js';

const { values } = parseArgs({
  options: {
    'database-url': { type: 'string', default: process.env.DATABASE_URL },
    customers: { type: 'string', default: '100000' },
    'invoices-per-customer': { type: 'string', default: '10' },
    'contacts-per-customer': { type: 'string', default: '30' },
    collectors: { type: 'string', default: '6' },
    'as-of': { type: 'string' },
    prefix: { type: 'string', default: 'LG' },
  },
});
const url = values['database-url'];
if (!url) throw new Error('--database-url (or DATABASE_URL) is required');
const int = (name: keyof typeof values) => {
  const n = Number(String(values[name]).replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got "${String(values[name])}"`);
  return n;
};

await ensureDatabase(url);
await applyMigrations(url);
const pool = new pg.Pool({ connectionString: url, max: 2 });
try {
  const asOf = values['as-of'] ? DateTime.fromISO(values['as-of'], { zone: 'utc' }) : DateTime.utc();
  if (!asOf.isValid) throw new Error(`--as-of must be an ISO date or instant, got "${values['as-of']}"`);
  const ledger = await loadScaleLedger(pool, {
    customers: int('customers'),
    invoicesPerCustomer: int('invoices-per-customer'),
    contactsPerCustomer: int('contacts-per-customer'),
    collectors: int('collectors'),
    asOf,
    prefix: values.prefix!,
    progress: (line) => console.log(line),
  });
  console.log(`loaded in ${ledger.seconds.toFixed(0)} s: ${JSON.stringify(ledger.counts)}`);
} finally {
  await pool.end();
}

async function ensureDatabase(databaseUrl: string): Promise<void> {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!exists.rowCount) await client.query(`create database "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}
