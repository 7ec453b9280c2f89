// `npm run bench`: Arrears at ledger scale, every figure measured side by side in one run on the
// same Postgres and redis-server (embedded, durable defaults, unless DATABASE_URL / REDIS_URL):
//
//   1. Arrears end-to-end reminders/s (tick → decide → render → contact log → SMTP / Twilio API on
//      local servers → `sent` committed) with one real `arrears worker` process, against the raw
//      transports sending the same rendered reminders to the same servers from a process of their
//      own (pooled nodemailer, the twilio client; `e2e_vs_transports`), and, for context, raw
//      BullMQ no-op jobs/s (addBulk in chunks of 1000, one worker, best of concurrency 10 and 100);
//   2. the tick (due-case query + step enqueue) for the same due cases at 10k and at full ledger size;
//   3. `runImport` invoices rows/s vs raw COPY rows/s into the same table shape;
//   4. worker peak RSS (VmHWM) under load, and reminders/s with two worker processes vs one; then two
//      processes on separate roles (`--queues tick,step` / `--queues deliver-email,deliver-sms`),
//      checked against the sinks: contacts lost and messages sent twice must be 0 (else exit 1);
//   5. every migration applied to an empty database (`applyMigrations`, seconds).
//
//   npm run bench                                   # 100k customers, 1M invoices (~6-8 min on 2 cores)
//   npm run bench -- --quick                        # 10k customers, 100k invoices (~1.5 min)
//   npm run bench -- --customers 50000 --invoices 500000 --reminder-customers 3000
//   npm run bench -- --quick --redis-cluster        # all of it on an embedded 3-master Redis Cluster
//
// It ends with one JSON line of every figure.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Queue, Worker, type Job } from 'bullmq';
import { DateTime } from 'luxon';
import pg from 'pg';
import { Lifecycle } from '../src/app/lifecycle.js';
import { LocalTwilioServer } from '../src/channels/sms/local-twilio-server.js';
import { loadConfig, redisEnvironment, type RedisTarget } from '../src/config/config.js';
import { findDueCaseIds } from '../src/db/cases.repository.js';
import { createPrisma } from '../src/db/client.js';
import { findUndelivered } from '../src/db/contacts.repository.js';
import { applyMigrations } from '../src/db/migrate.js';
import { provideStack } from '../src/dev/embedded-stack.js';
import { RedisConnection } from '../src/jobs/connection.js';
import { Queues } from '../src/jobs/queues.js';
import { jobCatalog, jobId, type JobName } from '../src/jobs/catalog.js';
import { waitUntilIdle } from '../src/jobs/drain.js';
import { createTickProcessor } from '../src/jobs/tick.job.js';
import { createLogger } from '../src/logging/logger.js';
import { consoleJson, measureConsole } from './support/console-bench.js';
import { measureImportVsCopy } from './support/import-vs-copy.js';
import { generateLedger, makeDue, type GeneratedSet } from './support/ledger.js';
import { cpuSeconds, localProvidersEnv, peakRssMb, startArrears, stopArrears, type ArrearsProcess } from './support/processes.js';
import { RecordingSmtpSink } from './support/recording-smtp-sink.js';
import { ROLES, runSplitRoles } from './support/roles.js';
import { renderReminders, sendWithTransports } from './support/transports-baseline.js';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    customers: { type: 'string' },
    invoices: { type: 'string' },
    'due-cases': { type: 'string' },
    'reminder-customers': { type: 'string' },
    'raw-jobs': { type: 'string' },
    'import-rows': { type: 'string' },
    'redis-cluster': { type: 'boolean', default: false },
    /** Only what `e2e_vs_transports` and `rss_mb` need: the transports and the one-worker run. */
    'e2e-only': { type: 'boolean', default: false },
    'console-customers': { type: 'string', default: process.env.BENCH_CONSOLE_CUSTOMERS },
  },
});
const quick = flags.quick === true;
const e2eOnly = flags['e2e-only'] === true;
const num = (value: string | undefined, fallback: number) => (value === undefined ? fallback : Number(value.replace(/_/g, '')));
const CUSTOMERS = num(flags.customers, quick ? 10_000 : 100_000);
const INVOICES = num(flags.invoices, quick ? 100_000 : 1_000_000);
const DUE_CASES = num(flags['due-cases'], 1_000);
const REMINDER_CUSTOMERS = num(flags['reminder-customers'], quick ? 1_000 : 4_000);
const RAW_JOBS = num(flags['raw-jobs'], quick ? 20_000 : 100_000);
const IMPORT_ROWS = num(flags['import-rows'], quick ? 50_000 : 200_000);
/** The console phase's own ledger (0 skips it); 100k is the scale and takes a few minutes more to load. */
const CONSOLE_CUSTOMERS = e2eOnly ? 0 : num(flags['console-customers'], quick ? 2_000 : 20_000);
const SMALL_INVOICES_PER_CUSTOMER = 10; // the small ledger: DUE_CASES customers × 10 = 10k invoices

// Tuesday 2027-03-09, 09:00 UTC: inside the send window of every zone the due sets use.
const T = DateTime.fromISO('2027-03-09T09:00:00Z', { zone: 'utc' });
const FAR = new Date('2100-01-01T00:00:00Z');
const TWILIO = { accountSid: `AC${'0'.repeat(31)}1`, authToken: 'bench-twilio-auth-token' };

const started = performance.now();
const say = (line: string) => console.log(line);
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)}s`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

const dir = await mkdtemp(path.join(os.tmpdir(), 'arrears-bench-'));
const logger = createLogger({ level: 'warn', format: 'json', production: true });
const config = loadConfig(
  {
    ARREARS_DATA_DIR: dir,
    LOG_LEVEL: 'warn',
    ...pick(process.env, ['DATABASE_URL', 'REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_USERNAME', 'REDIS_PASSWORD', 'REDIS_TLS']),
  },
  process.cwd(),
);
const lifecycle = new Lifecycle(logger);
const stack = await provideStack(config, logger, { redis: true, redisCluster: flags['redis-cluster'] === true });
lifecycle.adopt('stack', stack, (s) => s.stop());
const processes: ArrearsProcess[] = [];

try {
  await applyMigrations(stack.databaseUrl);
  const pool = lifecycle.adopt('pool', new pg.Pool({ connectionString: stack.databaseUrl, max: 4 }), (p) => p.end());
  const prisma = lifecycle.adopt('prisma', createPrisma(stack.databaseUrl), (p) => p.$disconnect());
  const pgVersion = (await pool.query<{ server_version: string }>('show server_version')).rows[0]!.server_version;
  const redisTarget = stack.redis!;
  const redisInfo = new RedisConnection(redisTarget, '{bench}').client();
  const redisVersion = /redis_version:(\S+)/.exec(await redisInfo.info('server'))?.[1] ?? '?';
  redisInfo.disconnect();
  const machine =
    `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
    `${os.type()} ${os.release()}, Node ${process.version}, PostgreSQL ${pgVersion}` +
    `${stack.embedded.postgres ? ' (embedded, durable defaults)' : ''}, redis-server ${redisVersion}`;
  say(`machine: ${machine}`);
  say(
    `ledger: ${fmt(CUSTOMERS)} customers, ${fmt(INVOICES)} invoices; ${fmt(DUE_CASES)} due cases for the tick; ` +
      `${fmt(REMINDER_CUSTOMERS)} customers per reminder run; ${fmt(RAW_JOBS)} raw jobs; ${fmt(IMPORT_ROWS)} import rows`,
  );

  // ── 1a. raw BullMQ ─────────────────────────────────────────────────────────────────────────────
  const raw = [];
  if (!e2eOnly) for (const concurrency of [10, 100]) raw.push(await rawBullmq(redisTarget, RAW_JOBS, concurrency));
  // Skipped figures are NaN, null in the JSON line.
  const bestRaw =
    raw.length === 0
      ? { concurrency: NaN, addPerSecond: NaN, processPerSecond: NaN, endToEndPerSecond: NaN }
      : raw.reduce((a, b) => (b.processPerSecond > a.processPerSecond ? b : a));
  for (const r of raw) {
    say(
      `[${elapsed()}] raw BullMQ, concurrency ${r.concurrency}: addBulk ${fmt(r.addPerSecond)} jobs/s, ` +
        `processing ${fmt(r.processPerSecond)} jobs/s, add + process ${fmt(r.endToEndPerSecond)} jobs/s`,
    );
  }

  // ── 3. import vs COPY (a scratch database on the same server) ──────────────────────────────────
  const { migrateSeconds, imported } = e2eOnly
    ? { migrateSeconds: NaN, imported: { importRowsPerSecond: NaN, reimportRowsPerSecond: NaN, copyRowsPerSecond: NaN } }
    : await measureImport();
  const importVsCopy = imported.importRowsPerSecond / imported.copyRowsPerSecond;
  if (!e2eOnly) {
    say(
      `[${elapsed()}] import ${fmt(IMPORT_ROWS)} invoices: runImport ${fmt(imported.importRowsPerSecond)} rows/s ` +
        `(re-import unchanged ${fmt(imported.reimportRowsPerSecond)} rows/s), raw COPY ${fmt(imported.copyRowsPerSecond)} rows/s, ` +
        `ratio ${importVsCopy.toFixed(2)}`,
    );
  }

  // ── 2. tick at 10k invoices ────────────────────────────────────────────────────────────────────
  const tickQueues = new Queues(benchRedis('{benchtick}'), lifecycle);
  const tick = createTickProcessor({
    findDueCaseIds: (now, limit) => findDueCaseIds(prisma, now, limit),
    findUndelivered: (now) => findUndelivered(prisma, now, config.queue.staleSendingMs, config.worker.tickMaxRedeliveries),
    queues: tickQueues,
    clock: { now: () => DateTime.utc() },
    logger: createLogger({ level: 'silent', format: 'json', production: true }),
    maxCases: config.worker.tickMaxCases,
    batchSize: config.worker.stepBatchSize,
  });
  const tickSet = await generateLedger(pool, {
    prefix: 'TK',
    customers: DUE_CASES,
    invoicesPerCustomer: SMALL_INVOICES_PER_CUSTOMER,
    asOf: T,
    kind: 'background',
    serialStart: 1,
  });
  await makeDue(pool, tickSet.customerIds, T.toJSDate());
  await pool.query('analyze');
  const tickSmall = await measureTick(T);
  const smallInvoices = await count(pool, 'invoices');
  say(
    `[${elapsed()}] tick, ${fmt(tickSmall.due)} due cases, ledger ${fmt(smallInvoices)} invoices: ` +
      `${tickSmall.ms.toFixed(1)} ms (due-case query ${tickSmall.queryMs.toFixed(1)} ms), median of ${tickSmall.runs}`,
  );

  // ── the full ledger: reminder sets and the background ──────────────────────────────────────────
  const reminderSets: GeneratedSet[] = [];
  // One set per end-to-end run: one worker process, two, two on separate roles.
  for (let i = 0; i < (e2eOnly ? 1 : 3); i += 1) {
    reminderSets.push(
      await generateLedger(pool, {
        prefix: `RM${i}`,
        customers: REMINDER_CUSTOMERS,
        invoicesPerCustomer: 2,
        asOf: T,
        kind: 'due',
        nextLookAt: FAR,
        serialStart: 1_000_000 * (i + 1),
      }),
    );
  }
  let customers = await count(pool, 'customers');
  let invoices = await count(pool, 'invoices');
  const backgroundCustomers = Math.max(0, CUSTOMERS - customers);
  const perCustomer = backgroundCustomers > 0 ? Math.max(1, Math.round((INVOICES - invoices) / backgroundCustomers)) : 0;
  const genStarted = performance.now();
  for (let done = 0, chunk = 0; done < backgroundCustomers; chunk += 1) {
    const n = Math.min(10_000, backgroundCustomers - done);
    await generateLedger(pool, {
      prefix: `BG${chunk}`,
      customers: n,
      invoicesPerCustomer: perCustomer,
      asOf: T,
      kind: 'background',
      serialStart: 10_000_000 + done,
    });
    done += n;
  }
  await pool.query('analyze');
  customers = await count(pool, 'customers');
  invoices = await count(pool, 'invoices');
  const genSeconds = (performance.now() - genStarted) / 1000;
  say(
    `[${elapsed()}] ledger generated: ${fmt(customers)} customers, ${fmt(invoices)} invoices ` +
      `(background by COPY in ${genSeconds.toFixed(1)} s, ${fmt((invoices - smallInvoices) / genSeconds)} invoices/s incl. customers and cases)`,
  );

  // ── 2. tick at full size, same due cases ───────────────────────────────────────────────────────
  const tickLarge = await measureTick(T);
  const tickRatio = tickLarge.ms / tickSmall.ms;
  say(
    `[${elapsed()}] tick, ${fmt(tickLarge.due)} due cases, ledger ${fmt(invoices)} invoices: ` +
      `${tickLarge.ms.toFixed(1)} ms (due-case query ${tickLarge.queryMs.toFixed(1)} ms); ratio ${tickRatio.toFixed(2)}`,
  );
  await makeDue(pool, tickSet.customerIds, FAR);
  await tickQueues.queue('step').obliterate({ force: true });

  // ── 1b + 4. end to end with real worker processes ──────────────────────────────────────────────
  const sink = lifecycle.adopt('smtp sink', await RecordingSmtpSink.start(), (s) => s.close());
  const twilio = lifecycle.adopt('twilio', await LocalTwilioServer.start(TWILIO), (s) => s.close());
  const workerEnv = {
    DATABASE_URL: stack.databaseUrl,
    ...redisEnvironment(redisTarget),
    ARREARS_DATA_DIR: path.join(dir, 'worker'),
    QUEUE_PREFIX: '{benche2e}',
    LOG_LEVEL: 'info',
    TICK_CRON: '0 0 1 1 *',
    ...localProvidersEnv(sink.port, { ...TWILIO, baseUrl: twilio.baseUrl }),
    // The shipped limits (50 email/s, 10 SMS/s across all workers) protect a real relay; here they
    // would measure the limiter, not the pipeline.
    EMAIL_RATE_PER_SECOND: '1000000',
    SMS_RATE_PER_SECOND: '1000000',
    // A local sink answers each SMTP command at once; more connections keep it busy.
    SMTP_MAX_CONNECTIONS: '20',
  };
  const e2eQueues = new Queues(benchRedis(workerEnv.QUEUE_PREFIX), lifecycle);

  const runReminders = async (set: GeneratedSet, asOf: DateTime, workers: number) => {
    await makeDue(pool, set.customerIds, asOf.toJSDate());
    const procs = Array.from({ length: workers }, () => startArrears(['worker'], workerEnv));
    processes.push(...procs);
    await Promise.all(procs.map((p) => p.waitFor(/worker started/, 90_000)));
    const before = { email: sink.messages.length, sms: twilio.messages.length };
    const cpuBefore = procs.map((p) => cpuSeconds(p.pid) ?? 0);
    const t0 = performance.now();
    // Not runTickAndWait: a long-lived worker keeps its scheduler's next tick delayed in the tick
    // queue, so "tick queue empty" never comes. Wait for this tick job, then for its work.
    const tickJob = await e2eQueues.queue('tick').add(
      'tick',
      { asOf: asOf.toISO()! },
      {
        ...jobCatalog.tick.options,
        jobId: jobId('bench-tick', asOf.toMillis()),
      },
    );
    for (let state = ''; state !== 'completed'; state = await tickJob.getState()) {
      if (state === 'failed') throw new Error(`tick failed: ${(await e2eQueues.queue('tick').getJob(tickJob.id!))?.failedReason}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const pipeline = ['step', 'deliver-email', 'deliver-sms'].map((name) => e2eQueues.queue(name as JobName));
    await waitUntilIdle(pipeline, pipeline);
    const seconds = (performance.now() - t0) / 1000;
    const rss = Math.max(...procs.map((p) => peakRssMb(p.pid) ?? 0));
    const workerCpu = procs.reduce((sum, p, i) => sum + (cpuSeconds(p.pid) ?? 0) - cpuBefore[i]!, 0);
    await Promise.all(procs.map((p) => stopArrears(p)));
    const emails = sink.messages.length - before.email;
    const sms = twilio.messages.length - before.sms;
    const { rows } = await pool.query<{ status: string; n: string }>(
      `select status::text, count(*)::text as n from contacts where customer_id = any($1::uuid[]) group by status`,
      [set.customerIds],
    );
    const byStatus = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    // Where the time went: decisions are committed with the case's updated_at = now(), sends with sent_at.
    const { rows: spans } = await pool.query<{ decided_s: string; first_sent_s: string; last_sent_s: string }>(
      `select extract(epoch from (select max(updated_at) - min(updated_at) from collection_cases where customer_id = any($1::uuid[])))::text as decided_s,
              extract(epoch from (select min(sent_at) from contacts where customer_id = any($1::uuid[])) -
                (select min(updated_at) from collection_cases where customer_id = any($1::uuid[])))::text as first_sent_s,
              extract(epoch from (select max(sent_at) from contacts where customer_id = any($1::uuid[])) -
                (select min(updated_at) from collection_cases where customer_id = any($1::uuid[])))::text as last_sent_s`,
      [set.customerIds],
    );
    const phases = {
      decideSeconds: Number(spans[0]!.decided_s),
      firstSentSeconds: Number(spans[0]!.first_sent_s),
      lastSentSeconds: Number(spans[0]!.last_sent_s),
    };
    const expected = set.customerIds.length + set.smsCustomerIds.size;
    return {
      workers,
      seconds,
      emails,
      sms,
      reminders: emails + sms,
      perSecond: (emails + sms) / seconds,
      rss,
      byStatus,
      expected,
      phases,
      workerCpu,
    };
  };
  const transports = await measureTransports(reminderSets[0]!, T.plus({ minutes: 1 }));
  say(
    `[${elapsed()}] raw transports, the same ${fmt(transports.reminders)} rendered reminders (${fmt(transports.emails)} email by pooled ` +
      `nodemailer, ${fmt(transports.sms)} SMS by the twilio client): ${transports.seconds.toFixed(1)} s = ${fmt(transports.perSecond)} messages/s; ` +
      `sender CPU ${transports.cpuSeconds.toFixed(1)} s, peak RSS ${transports.rssMb.toFixed(0)} MB; ` +
      `read, decided and rendered in-process beforehand at ${transports.renderMsPerReminder.toFixed(2)} ms a reminder`,
  );
  const one = await runReminders(reminderSets[0]!, T.plus({ minutes: 1 }), 1);
  say(
    `[${elapsed()}] end to end, 1 worker process: ${fmt(one.reminders)} reminders (${fmt(one.emails)} email, ${fmt(one.sms)} SMS; ` +
      `expected ${fmt(one.expected)}) in ${one.seconds.toFixed(1)} s = ${fmt(one.perSecond)} reminders/s; contacts ${JSON.stringify(one.byStatus)}; ` +
      `worker peak RSS ${one.rss.toFixed(0)} MB`,
  );
  say(
    `    where the time went: all ${fmt(REMINDER_CUSTOMERS)} decisions committed within ${one.phases.decideSeconds.toFixed(1)} s of the first; ` +
      `first send at +${one.phases.firstSentSeconds.toFixed(1)} s, last at +${one.phases.lastSentSeconds.toFixed(1)} s; ` +
      `worker CPU ${one.workerCpu.toFixed(1)} s over ${one.seconds.toFixed(1)} s wall`,
  );
  const skipped = { reminders: NaN, expected: NaN, perSecond: NaN, seconds: NaN, rss: NaN, contacts: NaN, lost: 0, duplicated: 0 };
  const two = e2eOnly ? skipped : await runReminders(reminderSets[1]!, T.plus({ minutes: 2 }), 2);
  if (!e2eOnly && 'phases' in two) {
    say(
      `[${elapsed()}] end to end, 2 worker processes: ${fmt(two.reminders)} reminders (expected ${fmt(two.expected)}) in ` +
        `${two.seconds.toFixed(1)} s = ${fmt(two.perSecond)} reminders/s; contacts ${JSON.stringify(two.byStatus)}; peak RSS ${two.rss.toFixed(0)} MB each at most; ` +
        `workers' CPU ${two.workerCpu.toFixed(1)} s together; decisions within ${two.phases.decideSeconds.toFixed(1)} s, last send at +${two.phases.lastSentSeconds.toFixed(1)} s`,
    );
  }

  const roles = e2eOnly
    ? skipped
    : await runSplitRoles({ pool, sink, twilio, queues: e2eQueues, env: workerEnv, processes }, reminderSets[2]!, T.plus({ minutes: 3 }));
  if (!e2eOnly) {
    say(
      `[${elapsed()}] end to end, 2 worker processes on separate roles (--queues ${ROLES.decisions} / ${ROLES.deliveries}): ` +
        `${fmt(roles.reminders)} reminders for ${fmt(roles.contacts)} contacts in ${roles.seconds.toFixed(1)} s = ${fmt(roles.perSecond)} reminders/s; ` +
        `lost ${roles.lost}, duplicated ${roles.duplicated}`,
    );
  }
  if (roles.lost + roles.duplicated > 0) process.exitCode = 1;
  // ── 6. the console and API on a scale ledger of their own (bench/support/console-bench.ts) ──────
  say(`[${elapsed()}] console and API, ${fmt(CONSOLE_CUSTOMERS)} customers:`);
  const consoleFigures =
    CONSOLE_CUSTOMERS > 0
      ? await measureConsole({
          databaseUrl: stack.databaseUrl,
          redisEnv: redisEnvironment(redisTarget),
          customers: CONSOLE_CUSTOMERS,
          contactsPerCustomer: 30,
          say,
        })
      : null;

  const e2eVsRaw = one.perSecond / bestRaw.processPerSecond;
  const e2eVsTransports = one.perSecond / transports.perSecond;
  const twoVsOne = two.perSecond / one.perSecond;
  say('');
  say(
    `e2e_vs_transports ${e2eVsTransports.toFixed(2)}  (${fmt(one.perSecond)} reminders/s vs ${fmt(transports.perSecond)} messages/s by the transports alone; target ≥ 0.5)`,
  );
  say(
    `e2e_vs_raw      ${e2eVsRaw.toFixed(3)}  (${fmt(one.perSecond)} reminders/s vs ${fmt(bestRaw.processPerSecond)} no-op jobs/s; context)`,
  );
  say(
    `tick_1m_vs_10k  ${tickRatio.toFixed(2)}  (${tickLarge.ms.toFixed(1)} ms vs ${tickSmall.ms.toFixed(1)} ms for ${fmt(DUE_CASES)} due cases; target ≤ 1.5)`,
  );
  say(
    `import_vs_copy  ${importVsCopy.toFixed(2)}  (${fmt(imported.importRowsPerSecond)} vs ${fmt(imported.copyRowsPerSecond)} rows/s; target ≥ 0.5)`,
  );
  say(`two_vs_one      ${twoVsOne.toFixed(2)}  (${fmt(two.perSecond)} vs ${fmt(one.perSecond)} reminders/s)`);
  say(`roles_lost_dup  ${roles.lost} / ${roles.duplicated}  (split roles: contacts lost / messages sent twice; must be 0 / 0)`);
  say(`rss_mb          ${one.rss.toFixed(0)}  (one worker process's peak RSS, VmHWM, under load; target ≤ 250)`);
  say(
    `migrate_s       ${migrateSeconds.toFixed(1)}  (every migration on an empty database; target < 9, Prisma's idle timers would add ~10)`,
  );
  say(`total           ${elapsed()}`);
  console.log(
    JSON.stringify({
      e2e_vs_transports: round(e2eVsTransports),
      transports_per_s: Math.round(transports.perSecond),
      transports_sender_cpu_s: round(transports.cpuSeconds, 1),
      transports_sender_rss_mb: Math.round(transports.rssMb),
      render_ms_per_reminder: round(transports.renderMsPerReminder),
      e2e_worker_cpu_ms_per_reminder: round((one.workerCpu * 1000) / one.reminders),
      e2e_vs_raw: round(e2eVsRaw, 3),
      tick_1m_vs_10k: round(tickRatio),
      import_vs_copy: round(importVsCopy),
      rss_mb: Math.round(one.rss),
      two_vs_one: round(twoVsOne),
      raw_jobs_per_s: Math.round(bestRaw.processPerSecond),
      raw_best_concurrency: bestRaw.concurrency,
      raw_add_jobs_per_s: Math.round(bestRaw.addPerSecond),
      raw_add_and_process_jobs_per_s: Math.round(Math.max(...raw.map((r) => r.endToEndPerSecond))),
      e2e_reminders_per_s: Math.round(one.perSecond),
      e2e_reminders: one.reminders,
      e2e_decide_s: round(one.phases.decideSeconds, 1),
      e2e_last_sent_s: round(one.phases.lastSentSeconds, 1),
      e2e_worker_cpu_s: round(one.workerCpu, 1),
      e2e_expected: one.expected,
      two_workers_reminders_per_s: Math.round(two.perSecond),
      two_workers_reminders: two.reminders,
      two_workers_expected: two.expected,
      rss_mb_two_workers_max: Math.round(two.rss),
      roles_reminders_per_s: Math.round(roles.perSecond),
      roles_reminders: roles.reminders,
      roles_contacts: roles.contacts,
      roles_lost: roles.lost,
      roles_duplicated: roles.duplicated,
      redis: redisTarget.kind,
      tick_10k_ms: round(tickSmall.ms, 1),
      tick_1m_ms: round(tickLarge.ms, 1),
      tick_due_cases: DUE_CASES,
      tick_query_10k_ms: round(tickSmall.queryMs, 1),
      tick_query_1m_ms: round(tickLarge.queryMs, 1),
      ledger_small_invoices: smallInvoices,
      ledger_customers: customers,
      ledger_invoices: invoices,
      import_rows_per_s: Math.round(imported.importRowsPerSecond),
      reimport_rows_per_s: Math.round(imported.reimportRowsPerSecond),
      copy_rows_per_s: Math.round(imported.copyRowsPerSecond),
      import_rows: IMPORT_ROWS,
      migrate_s: round(migrateSeconds, 1),
      ...consoleJson(consoleFigures),
      seconds: Math.round((performance.now() - started) / 1000),
    }),
  );

  async function measureImport() {
    const importDb = new URL(stack.databaseUrl);
    importDb.pathname = '/arrears_bench_import';
    await pool.query('drop database if exists arrears_bench_import with (force)');
    await pool.query('create database arrears_bench_import');
    const migrateStarted = performance.now();
    await applyMigrations(importDb.toString());
    const migrateSeconds = (performance.now() - migrateStarted) / 1000;
    say(`[${elapsed()}] migrations on an empty database: ${migrateSeconds.toFixed(1)} s`);
    const importPool = new pg.Pool({ connectionString: importDb.toString(), max: 2 });
    // `end()` resolves before its clients' sockets close; the drop below may terminate one of them.
    importPool.on('error', () => undefined);
    try {
      return { migrateSeconds, imported: await measureImportVsCopy(importPool, dir, IMPORT_ROWS) };
    } finally {
      await importPool.end();
      await pool.query('drop database if exists arrears_bench_import with (force)');
    }
  }

  /**
   * The yardstick for `runReminders`: the reminders it will send for `set` at `asOf`, rendered
   * once by the worker's own code, sent by the bare transports (pooled nodemailer, the twilio
   * client) from a process of their own to the same SMTP sink and Twilio endpoint, at the worker's
   * concurrencies. Nothing is written to the database; the sink's and endpoint's counts are
   * checked.
   */
  async function measureTransports(set: GeneratedSet, asOf: DateTime) {
    const workerConfig = loadConfig(workerEnv, process.cwd());
    const smtp = workerConfig.email.transport;
    const sms = workerConfig.sms.transport;
    if (smtp.kind !== 'smtp' || sms.kind !== 'twilio') throw new Error('the bench worker must use SMTP and Twilio');
    const renderStarted = performance.now();
    const messages = await renderReminders(pool, workerConfig, set.customerIds, asOf);
    const renderMs = performance.now() - renderStarted;
    const before = { email: sink.messages.length, sms: twilio.messages.length };
    const result = await sendWithTransports(
      {
        smtp: { host: smtp.host, port: smtp.port, maxConnections: smtp.maxConnections ?? 5 },
        twilio: { accountSid: sms.accountSid, authToken: sms.authToken, baseUrl: sms.baseUrl ?? '', from: sms.from ?? '' },
        emailFrom: workerConfig.email.from,
        unsubscribeMailto: `mailto:${workerConfig.company.supportEmail}?subject=unsubscribe`,
        emailConcurrency: workerConfig.email.concurrency,
        smsConcurrency: workerConfig.sms.concurrency,
        messages,
      },
      dir,
    );
    const received = { emails: sink.messages.length - before.email, sms: twilio.messages.length - before.sms };
    if (received.emails !== result.emails || received.sms !== result.sms) {
      throw new Error(`transports baseline: sent ${result.emails} + ${result.sms}, received ${received.emails} + ${received.sms}`);
    }
    const reminders = result.emails + result.sms;
    return { ...result, reminders, perSecond: reminders / result.seconds, renderMsPerReminder: renderMs / reminders };
  }

  async function measureTick(asOf: DateTime) {
    const job = { data: { asOf: asOf.toISO()! } } as unknown as Job;
    const times: number[] = [];
    const queryTimes: number[] = [];
    let due = 0;
    const runs = 7;
    for (let i = 0; i < runs + 1; i += 1) {
      await tickQueues.queue('step').obliterate({ force: true });
      const q0 = performance.now();
      await findDueCaseIds(prisma, asOf.toJSDate(), 50_000);
      const q1 = performance.now();
      const result = await tick(job);
      const t1 = performance.now();
      due = result.dueCases;
      if (i > 0) {
        // the first run warms the connections and plans
        times.push(t1 - q1);
        queryTimes.push(q1 - q0);
      }
    }
    return { ms: median(times), queryMs: median(queryTimes), due, runs };
  }
} finally {
  for (const p of processes) await stopArrears(p, 2_000);
  await lifecycle.close();
  await rm(dir, { recursive: true, force: true });
}

function pick(source: Record<string, string | undefined>, names: string[]): Record<string, string | undefined> {
  return Object.fromEntries(names.map((name) => [name, source[name]]));
}

/** The bench's Redis under a key prefix of its own, closed with the bench. */
function benchRedis(prefix: string): RedisConnection {
  return lifecycle.adopt(`redis ${prefix}`, new RedisConnection(stack.redis, prefix), (r) => r.close());
}

async function count(pool: pg.Pool, table: string): Promise<number> {
  return Number((await pool.query<{ n: string }>(`select count(*)::text as n from ${table}`)).rows[0]!.n);
}

/** No-op jobs: add them all (addBulk, 1000 a call), then process them with one worker. */
async function rawBullmq(target: RedisTarget, jobs: number, concurrency: number) {
  const prefix = `{benchraw${concurrency}}`;
  const redis = new RedisConnection(target, prefix);
  const connection = redis.bullmq;
  const queue = new Queue('noop', { connection, prefix });
  await queue.obliterate({ force: true });
  const t0 = performance.now();
  for (let i = 0; i < jobs; i += 1_000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1_000, jobs - i) }, (_, k) => ({
        name: 'noop',
        data: { i: i + k },
        opts: { removeOnComplete: true, removeOnFail: true },
      })),
    );
  }
  const t1 = performance.now();
  let done = 0;
  let resolveDone: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (resolveDone = resolve));
  const worker = new Worker('noop', async () => undefined, { connection, prefix, concurrency });
  worker.on('completed', () => {
    done += 1;
    if (done === jobs) resolveDone();
  });
  await allDone;
  const t2 = performance.now();
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await redis.close();
  return {
    concurrency,
    addPerSecond: jobs / ((t1 - t0) / 1000),
    processPerSecond: jobs / ((t2 - t1) / 1000),
    endToEndPerSecond: jobs / ((t2 - t0) / 1000),
  };
}
