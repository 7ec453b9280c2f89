// The console and API at ledger scale (issue 19): loads a scale ledger (scale-ledger.ts) into a
// scratch database next to the bench's own, starts a real `arrears serve` on it and measures with
// autocannon, one connection, warm, the p95 of each page and the time of each report.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { DateTime } from 'luxon';
import pg from 'pg';
import { systemClock } from '../../src/app/runtime.js';
import { createPrisma } from '../../src/db/client.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { findFreePort } from '../../src/dev/free-port.js';
import { parseScopes } from '../../src/users/scopes.js';
import { addUser, createApiToken } from '../../src/users/user.service.js';
import { startArrears, stopArrears } from './processes.js';
import { loadScaleLedger, type ScaleLedger } from './scale-ledger.js';

export interface ConsoleBenchOptions {
  /** The bench's database; the scale ledger goes into a scratch database on the same server. */
  databaseUrl: string;
  /** REDIS_URL or REDIS_CLUSTER_NODES (and friends) for the `serve` process. */
  redisEnv: Record<string, string>;
  customers: number;
  contactsPerCustomer: number;
  /** Requests per page after the warm-up (reports: a fifth of it, at least 3). */
  requests?: number;
  say: (line: string) => void;
}

export interface Timing {
  name: string;
  url: string;
  p95Ms: number;
  medianMs: number;
  requests: number;
  /** Non-2xx answers (counted, not timed). */
  failures: number;
}

export interface ConsoleFigures {
  ledger: ScaleLedger;
  pages: Timing[];
  reports: Timing[];
  /** The worst page's p95. */
  consoleP95Ms: number;
  /** The slowest report's p95. */
  reportsMs: number;
}

const PASSWORD = 'bench manager password';
const DATABASE = 'arrears_bench_console';

export async function measureConsole(options: ConsoleBenchOptions): Promise<ConsoleFigures> {
  const { say } = options;
  const scratch = new URL(options.databaseUrl);
  scratch.pathname = `/${DATABASE}`;
  const admin = new pg.Pool({ connectionString: options.databaseUrl, max: 1 });
  await admin.query(`drop database if exists ${DATABASE} with (force)`);
  await admin.query(`create database ${DATABASE}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'arrears-bench-console-'));
  const pool = new pg.Pool({ connectionString: scratch.toString(), max: 2 });
  pool.on('error', () => undefined);
  const prisma = createPrisma(scratch.toString());
  try {
    await applyMigrations(scratch.toString());
    const ledger = await loadScaleLedger(pool, {
      customers: options.customers,
      contactsPerCustomer: options.contactsPerCustomer,
      asOf: DateTime.utc(),
      progress: (line) => say(`  ${line.trim()}`),
    });
    say(`    scale ledger loaded in ${ledger.seconds.toFixed(0)} s: ${JSON.stringify(ledger.counts)}`);

    const { pages, reports } = await measurePages({ ...options, databaseUrl: scratch.toString(), dir }, prisma, pool);
    const timed = (ts: Timing[]) => ts.filter((t) => t.requests > 0);
    return {
      ledger,
      pages,
      reports,
      consoleP95Ms: Math.max(0, ...timed(pages).map((t) => t.p95Ms)),
      reportsMs: Math.max(0, ...timed(reports).map((t) => t.p95Ms)),
    };
  } finally {
    await prisma.$disconnect();
    await pool.end();
    await admin.query(`drop database if exists ${DATABASE} with (force)`).catch(() => undefined);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Starts `arrears serve` on a loaded ledger (`databaseUrl`), signs a manager in and times each
 * page and report. Also for a ledger loaded by load-ledger.ts: see measure-console.ts.
 */
export async function measurePages(
  options: {
    databaseUrl: string;
    redisEnv: Record<string, string>;
    dir: string;
    requests?: number;
    /** Only the pages and reports with these names (all when absent). */
    only?: readonly string[];
    say: (line: string) => void;
  },
  prisma: ReturnType<typeof createPrisma>,
  pool: pg.Pool,
): Promise<{ pages: Timing[]; reports: Timing[] }> {
  const { say } = options;
  const dir = options.dir;
  const scratch = new URL(options.databaseUrl);
  let serve: ReturnType<typeof startArrears> | null = null;
  try {
    await addUser(
      { prisma, clock: systemClock },
      { email: 'manager@bench.example', name: 'Bench Manager', role: 'manager', password: PASSWORD },
      'bench',
    );
    const { token } = await createApiToken(
      { prisma, clock: systemClock },
      {
        userEmail: 'manager@bench.example',
        name: 'bench',
        scopes: parseScopes('reports:read').scopes,
      },
    );
    // A busy customer (the most contacts) and words to search for.
    const { rows } = await pool.query<{ external_id: string; name: string }>(
      `select c.external_id, c.name from customers c join contacts t on t.customer_id = c.id
        group by c.id order by count(*) desc limit 1`,
    );
    const busy = rows[0]!;

    const port = await findFreePort();
    serve = startArrears(['serve'], {
      DATABASE_URL: scratch.toString(),
      ...options.redisEnv,
      ARREARS_DATA_DIR: dir,
      QUEUE_PREFIX: '{benchconsole}',
      HTTP_PORT: String(port),
      LOG_LEVEL: 'warn',
      SESSION_SECRET: 'bench-console-session-secret-0123456789',
    });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i += 1) {
      if (
        await fetch(`${base}/readyz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (i > 600 || serve.child.exitCode !== null) throw new Error(`arrears serve did not answer:\n${serve.output().slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const cookie = await signIn(base, 'manager@bench.example', PASSWORD);
    const word = busy.name.split(' ')[0]!;

    const requests = options.requests ?? 40;
    const pages: Timing[] = [];
    for (const [name, url] of [
      ['worklist', '/console/worklist'],
      ['worklist search', `/console/worklist?q=${encodeURIComponent(word)}`],
      ['customer page', `/console/customers/${encodeURIComponent(busy.external_id)}`],
      ['contact log search', `/console/contact-log?customer=${encodeURIComponent(busy.external_id)}&channel=email`],
      ['contact log', '/console/contact-log'],
      ['dashboard', '/console/dashboard'],
    ] as const) {
      if (options.only && !options.only.includes(name)) continue;
      pages.push(await time(base, name, url, { cookie }, requests));
      say(`    ${describe(pages.at(-1)!)}`);
    }
    const reports: Timing[] = [];
    for (const [name, url] of [
      ['aging report', '/api/v1/reports/aging'],
      ['DSO report', '/api/v1/reports/dso'],
      ['CEI report', '/api/v1/reports/cei'],
    ] as const) {
      if (options.only && !options.only.includes(name)) continue;
      reports.push(await time(base, name, url, { authorization: `Bearer ${token}` }, Math.max(3, Math.round(requests / 5))));
      say(`    ${describe(reports.at(-1)!)}`);
    }
    return { pages, reports };
  } finally {
    if (serve) await stopArrears(serve);
  }
}

function describe(t: Timing): string {
  const failed = t.failures > 0 ? ` — ${t.failures} answers were not 2xx (not timed)` : '';
  return `${t.name.padEnd(20)} p95 ${t.p95Ms.toFixed(0).padStart(6)} ms, median ${t.medianMs.toFixed(0).padStart(6)} ms (${t.requests} requests, ${t.url})${failed}`;
}

/**
 * Warm-up requests, then `amount` requests over one connection; p95 of the 2xx answers. A page
 * whose first answer takes over 10 s gets one warm-up and 3 timed requests, to bound the run.
 */
async function time(base: string, name: string, url: string, headers: Record<string, string>, amount: number): Promise<Timing> {
  const t0 = performance.now();
  await fetch(base + url, { headers, redirect: 'manual' }).then((r) => r.arrayBuffer());
  const slow = performance.now() - t0 > 10_000;
  if (!slow) await fetch(base + url, { headers, redirect: 'manual' }).then((r) => r.arrayBuffer());
  if (slow) amount = Math.min(amount, 3);
  const times: number[] = [];
  let failures = 0;
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon({ url: base + url, connections: 1, amount, headers, timeout: 300 }, (error) =>
      error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(),
    );
    instance.on('response', (_client, status, _bytes, responseTime) => {
      if (status >= 200 && status < 300) times.push(responseTime);
      else failures += 1;
    });
  });
  const sorted = times.sort((a, b) => a - b);
  const at = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
  return { name, url, p95Ms: at(0.95), medianMs: at(0.5), requests: sorted.length, failures };
}

async function signIn(base: string, email: string, password: string): Promise<string> {
  const form = await fetch(`${base}/console/login`);
  const anonymous = cookiesOf(form);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const answer = await fetch(`${base}/console/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: anonymous },
    body: new URLSearchParams({ _csrf: csrf, email, password, next: '/console/worklist' }).toString(),
  });
  if (answer.status !== 303) throw new Error(`sign-in answered ${answer.status}`);
  return cookiesOf(answer);
}

function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .filter((c) => !c.endsWith('='))
    .join('; ');
}

/** The figures for the bench's JSON line (null: the phase was skipped). */
export function consoleJson(figures: ConsoleFigures | null): Record<string, number | null> {
  if (figures === null) return { console_p95_ms: null, reports_ms: null };
  const { counts } = figures.ledger;
  return {
    console_p95_ms: Math.round(figures.consoleP95Ms),
    reports_ms: Math.round(figures.reportsMs),
    ...Object.fromEntries(
      [...figures.pages, ...figures.reports].map((t) => [`p95_ms_${t.name.replaceAll(' ', '_').toLowerCase()}`, Math.round(t.p95Ms)]),
    ),
    console_ledger_customers: counts.customers ?? 0,
    console_ledger_invoices: counts.invoices ?? 0,
    console_ledger_contacts: counts.contacts ?? 0,
    console_ledger_status_events: counts.contact_status_events ?? 0,
    console_ledger_payments: counts.payments ?? 0,
    console_ledger_load_s: Math.round(figures.ledger.seconds),
  };
}
