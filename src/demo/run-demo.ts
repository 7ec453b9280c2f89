import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DateTime } from 'luxon';
import pg from 'pg';
import type { Runtime } from '../app/runtime.js';
import { runImport, type ImportKind, type ImportSummary } from '../ingest/run-import.js';
import type { Queues } from '../jobs/queues.js';
import { runTickAndWait } from '../jobs/run-tick.js';
import type { PolicyCatalog } from '../workflows/load-policies.js';
import { addUser } from '../users/user.service.js';
import { sampleLedger } from './sample-ledger.js';

export interface DemoOptions {
  start: DateTime;
  days: number;
  customers: number;
  /** Called after each simulated tick (for a progress line). */
  onTick?: (at: DateTime, ticks: number) => void;
}

/** Console logins the demo creates (its database is private and local). */
export const DEMO_USERS = [
  { email: 'collector@demo.example', role: 'collector' },
  { email: 'manager@demo.example', role: 'manager' },
  { email: 'admin@demo.example', role: 'admin' },
] as const;
export const DEMO_PASSWORD = 'arrears-demo-password';

async function addDemoUsers(runtime: Runtime): Promise<void> {
  for (const user of DEMO_USERS) {
    const { user: created } = await addUser(runtime.prisma, { ...user, password: DEMO_PASSWORD }, 'demo');
    if (user.role === 'collector') {
      await runtime.prisma.customer.updateMany({ data: { assignedCollectorId: created.id } });
    }
  }
}

export interface DemoSummary {
  ticks: number;
  imports: ImportSummary[];
  contacts: Array<{ step: string; channel: string; status: string; count: number }>;
  creditHolds: number;
  legalHolds: number;
  alerts: number;
  callTasks: number;
  ledgerDir: string;
}

/**
 * Empties every table but the migrations' own. The demo owns its database: callers only run it
 * against the embedded Postgres (or with an explicit `--reset` on a database of their own).
 */
async function resetLedger(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ tablename: string }>(
    `select tablename from pg_tables where schemaname = current_schema() and tablename <> '_prisma_migrations'`,
  );
  await pool.query(`truncate ${rows.map((r) => `"${r.tablename}"`).join(', ')} cascade`);
}

/**
 * The demo: loads a bundled sample ledger through the product's own import, then moves a
 * simulated clock through `days`, ticking at each moment a case next needs looking at — the same
 * ticks, steps and deliveries the worker runs, only faster than the calendar. A batch of payments
 * arrives part-way, so paid customers can be seen dropping out of the sequence.
 */
export async function runDemo(
  runtime: Runtime,
  queues: Queues,
  policies: PolicyCatalog,
  options: DemoOptions,
): Promise<DemoSummary> {
  const { prisma } = runtime;
  const pool = new pg.Pool({ connectionString: runtime.stack.databaseUrl, max: 2 });
  try {
    await resetLedger(pool);
    const ledger = sampleLedger(options.start, options.customers);
    const ledgerDir = path.join(runtime.config.dataDir, 'ledger');
    await rm(ledgerDir, { recursive: true, force: true });
    await mkdir(ledgerDir, { recursive: true });
    const importFile = async (kind: ImportKind, csv: string, at: DateTime) => {
      await writeFile(path.join(ledgerDir, `${kind}.csv`), csv);
      return runImport({
        kind,
        input: Readable.from([csv]),
        pool,
        now: at.toJSDate(),
        knownPolicies: new Set(policies.keys()),
      });
    };
    const imports = [
      await importFile('customers', ledger.customers, options.start),
      await importFile('invoices', ledger.invoices, options.start),
    ];
    await addDemoUsers(runtime);

    const end = options.start.plus({ days: options.days });
    const paymentsAt = DateTime.fromISO(`${ledger.paymentsOn}T12:00:00Z`);
    let paid = false;
    let at = options.start;
    let ticks = 0;
    while (at <= end) {
      if (!paid && at >= paymentsAt) {
        imports.push(await importFile('payments', ledger.payments, paymentsAt));
        paid = true;
      }
      await runTickAndWait(queues, at);
      ticks += 1;
      options.onTick?.(at, ticks);
      const next = await prisma.collectionCase.aggregate({ _min: { nextLookAt: true }, where: { nextLookAt: { gt: at.toJSDate() } } });
      const nextLook = next._min.nextLookAt ? DateTime.fromJSDate(next._min.nextLookAt, { zone: 'utc' }) : end.plus({ days: 1 });
      at = !paid && nextLook > paymentsAt ? paymentsAt : nextLook;
    }
    return { ticks, imports, ledgerDir, ...(await tally(runtime)) };
  } finally {
    await pool.end();
  }
}

async function tally(runtime: Runtime) {
  const { prisma } = runtime;
  const grouped = await prisma.contact.groupBy({
    by: ['stepId', 'channel', 'status'],
    _count: { _all: true },
    orderBy: [{ stepId: 'asc' }, { channel: 'asc' }, { status: 'asc' }],
  });
  return {
    contacts: grouped.map((g) => ({ step: g.stepId ?? '-', channel: g.channel, status: g.status, count: g._count._all })),
    creditHolds: await prisma.creditHold.count(),
    legalHolds: await prisma.legalHold.count(),
    alerts: await prisma.managerAlert.count(),
    callTasks: await prisma.callTask.count(),
  };
}
