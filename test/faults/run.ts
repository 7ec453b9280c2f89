// `npm run test:faults`: the real worker processes (`node bin/arrears.js worker`, two of them)
// against one embedded Postgres (behind a fixed-port TCP proxy, so it can be restarted), one
// redis-server, a local SMTP server and a local Twilio-API endpoint, over thousands of
// reminders, with faults injected phase by phase:
//
//   kill      ≥ 20 SIGKILLs of a worker at random moments (each restarted), reminders in waves
//   redis     FLUSHALL twice mid-run
//   providers SMTP refuses every message (451) and the SMS endpoint answers 503 / 429 in turns,
//             for PROVIDER_OUTAGE_S seconds (the issue says "minutes"; scaled down, the retry
//             schedule — 10 attempts, exponential from 2 s — rides out ~17 minutes)
//   postgres  Postgres stopped (fast shutdown) and started again mid-run
//
// The wall clock does not matter: reminders are decided at simulated instants (ticks with
// `asOf`, added to the tick queue the workers consume, as `arrears tick --as-of` does); the
// workers' own wall-clock ticks (TICK_CRON every 5 s) only re-enqueue undelivered contacts. After
// each phase, and at the end over everything, it checks what the SMTP server and the SMS endpoint
// received against what was due and against the contact log. Closing line:
//   faults: N injected, L lost, D duplicated
// D counts true duplicates (a reminder received under two different Message-IDs, or an SMS
// received twice). An email resent under its own Message-ID after a crash (deliberate: SMTP has no
// lookup) is a recognisable copy, reported on its own line and not counted in D.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import pg from 'pg';
import { RecordingSmtpSink } from '../../bench/support/recording-smtp-sink.js';
import { generateLedger, makeDue, type GeneratedSet } from '../../bench/support/ledger.js';
import { localProvidersEnv, startArrears, type ArrearsProcess } from '../../bench/support/processes.js';
import { Lifecycle } from '../../src/app/lifecycle.js';
import { emailMessageId } from '../../src/channels/email/email-transport.js';
import { loadConfig } from '../../src/config/config.js';
import { LocalTwilioServer } from '../../src/channels/sms/local-twilio-server.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres.js';
import { startEmbeddedRedis } from '../../src/dev/embedded-redis.js';
import { jobCatalog, jobId } from '../../src/jobs/catalog.js';
import { RedisConnection } from '../../src/jobs/connection.js';
import { Queues } from '../../src/jobs/queues.js';
import { createLogger } from '../../src/logging/logger.js';
import { TcpProxy } from './tcp-proxy.js';

const { values: flags } = parseArgs({
  options: {
    customers: { type: 'string' }, // per phase
    kills: { type: 'string' },
    'outage-seconds': { type: 'string' },
    seed: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
const PER_PHASE = Number(flags.customers ?? 900);
const KILLS = Number(flags.kills ?? 24);
const PROVIDER_OUTAGE_S = Number(flags['outage-seconds'] ?? 25);
const SETTLE_TIMEOUT_S = 240;
const TWILIO = { accountSid: `AC${'0'.repeat(31)}1`, authToken: 'faults-twilio-auth-token' };
const T = DateTime.fromISO('2027-03-09T09:00:00Z', { zone: 'utc' });
const FAR = new Date('2100-01-01T00:00:00Z');
// The workers run on the default sender; their Message-IDs carry its domain.
const DEFAULT_EMAIL_FROM = loadConfig({}, process.cwd()).email.from;
let seed = Number(flags.seed ?? Date.now() % 1_000_000);
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const started = performance.now();
const say = (line: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}`);

const dir = await mkdtemp(path.join(os.tmpdir(), 'arrears-faults-'));
const logger = createLogger({ level: 'warn', format: 'json', production: true });
const lifecycle = new Lifecycle(logger);
let injected = 0;
const notes: string[] = [];
let exitCode = 1;
const allWorkers: ArrearsProcess[] = [];

try {
  // ── the stack ──────────────────────────────────────────────────────────────────────────────────
  const clusterDir = path.join(dir, 'postgres');
  let postgres = await startEmbeddedPostgres({ clusterDir, database: 'arrears', logger });
  const proxy = await TcpProxy.start(Number(new URL(postgres.url).port));
  lifecycle.adopt('postgres', null, () => postgres.stop());
  lifecycle.adopt('proxy', proxy, (p) => p.close());
  const dbUrl = new URL(postgres.url);
  dbUrl.port = String(proxy.port);
  const databaseUrl = dbUrl.toString();
  const redisServer = await startEmbeddedRedis(path.join(dir, 'redis'), logger);
  lifecycle.adopt('redis', redisServer, (r) => r.stop());
  const sink = lifecycle.adopt('smtp', await RecordingSmtpSink.start(), (s) => s.close());
  const twilio = lifecycle.adopt('twilio', await LocalTwilioServer.start(TWILIO), (s) => s.close());
  await applyMigrations(databaseUrl);
  const pool = lifecycle.adopt('pool', new pg.Pool({ connectionString: databaseUrl, max: 3 }), (p) => p.end());
  pool.on('error', () => undefined); // idle clients die with Postgres restarts; the next query reconnects
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  lifecycle.adopt('redis client', redis, async (r) => r.disconnect());
  const PREFIX = '{faults}';
  const queues = new Queues(new RedisConnection({ kind: 'server', url: redisServer.url }, PREFIX), lifecycle);

  // ── the ledger: one set of customers per phase, each reminded at its own simulated instants ────
  const phases = ['kill', 'redis', 'providers', 'postgres'] as const;
  const sets = new Map<string, GeneratedSet>();
  for (const [i, phase] of phases.entries()) {
    sets.set(
      phase,
      await generateLedger(pool, {
        prefix: `F${i}`,
        customers: PER_PHASE,
        invoicesPerCustomer: 2,
        asOf: T,
        kind: 'due',
        nextLookAt: FAR,
        smsShare: 0.4,
        serialStart: 100_000 * (i + 1),
      }),
    );
  }
  const totalExpected = [...sets.values()].reduce((n, s) => n + s.customerIds.length + s.smsCustomerIds.size, 0);
  say(`seeded ${phases.length} × ${PER_PHASE} customers; ${totalExpected} reminders due (email + SMS)`);

  // ── the workers, kept alive by a supervisor ────────────────────────────────────────────────────
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisServer.url,
    ARREARS_DATA_DIR: path.join(dir, 'worker'),
    QUEUE_PREFIX: PREFIX,
    LOG_LEVEL: 'info',
    // Wall-clock ticks find nothing due (the ledger is due in 2027) but re-enqueue undelivered
    // contacts: queued ones, and `sending` ones older than DELIVERY_STALE_AFTER_SECONDS.
    TICK_CRON: '*/5 * * * * *',
    DELIVERY_STALE_AFTER_SECONDS: '5',
    ...localProvidersEnv(sink.port, { ...TWILIO, baseUrl: twilio.baseUrl }),
    EMAIL_RATE_PER_SECOND: '400',
    SMS_RATE_PER_SECOND: '200',
  };
  const WORKERS = 2;
  const workers: Array<ArrearsProcess | null> = Array.from({ length: WORKERS }, () => null);
  const expectedExits = new Set<number>();
  let unexpectedExits = 0;
  let supervising = true;
  const outputs: string[] = [];
  const spawnWorker = (slot: number) => {
    const proc = startArrears(['worker'], env, 50_000);
    allWorkers.push(proc);
    workers[slot] = proc;
    void proc.exited.then(({ code, signal }) => {
      outputs.push(proc.output());
      if (!expectedExits.delete(proc.pid)) {
        unexpectedExits += 1;
        say(`worker ${proc.pid} exited unexpectedly (code ${code}, signal ${signal}):\n${proc.output().slice(-1500)}`);
      }
      if (workers[slot] === proc) workers[slot] = null;
      if (supervising) spawnWorker(slot);
    });
    return proc;
  };
  for (let slot = 0; slot < WORKERS; slot += 1) spawnWorker(slot);
  await Promise.all(workers.map((w) => w!.waitFor(/worker started/, 90_000)));
  say(`${WORKERS} worker processes up`);

  let tickSerial = 0;
  const tickAt = async (asOf: DateTime) => {
    tickSerial += 1;
    await queues.queue('tick').add(
      'tick',
      { asOf: asOf.toISO()! },
      {
        ...jobCatalog.tick.options,
        jobId: jobId('faults-tick', asOf.toMillis(), tickSerial),
      },
    );
  };

  /** Ticks at later instants of the same day until the set has nothing due and nothing undelivered. */
  const settle = async (set: GeneratedSet, from: DateTime) => {
    const deadline = Date.now() + SETTLE_TIMEOUT_S * 1000;
    let at = from;
    let quiet = 0;
    while (Date.now() < deadline) {
      at = at.plus({ seconds: 30 });
      await tickAt(at).catch(() => undefined);
      await sleep(3_000);
      try {
        const { rows } = await pool.query<{ due: string; pending: string }>(
          `select (select count(*) from collection_cases where customer_id = any($1::uuid[]) and next_look_at <= $2)::text as due,
                  (select count(*) from contacts where customer_id = any($1::uuid[]) and status in ('queued', 'sending'))::text as pending`,
          [set.customerIds, at.toJSDate()],
        );
        const { due, pending } = rows[0]!;
        if (flags.verbose) say(`  settle: ${due} due, ${pending} undelivered`);
        quiet = due === '0' && pending === '0' ? quiet + 1 : 0;
        if (quiet >= 2) return true;
      } catch {
        quiet = 0;
      }
    }
    return false;
  };

  const totals = { lost: 0, duplicated: 0, recognisable: 0, mismatched: 0, expected: 0 };
  const check = async (name: string, set: GeneratedSet) => {
    const result = await verify(pool, set, sink, twilio);
    totals.lost += result.lost;
    totals.duplicated += result.duplicated;
    totals.recognisable += result.recognisable;
    totals.mismatched += result.mismatched;
    totals.expected += result.expected;
    say(
      `check ${name}: ${result.expected} due, ${result.delivered} delivered, ${result.lost} lost, ${result.duplicated} duplicated, ` +
        `${result.recognisable} resent under the same Message-ID, ${result.mismatched} contact-log disagreements` +
        (result.problems.length > 0 ? `\n    ${result.problems.slice(0, 10).join('\n    ')}` : ''),
    );
  };

  // ── phase 1: SIGKILL ───────────────────────────────────────────────────────────────────────────
  {
    const set = sets.get('kill')!;
    const waves = 12;
    const base = T.plus({ minutes: 10 });
    const perWave = Math.ceil(set.customerIds.length / waves);
    let kills = 0;
    let wave = 0;
    let nextWaveAt = 0;
    const phaseStart = Date.now();
    while (kills < KILLS || wave < waves) {
      if (wave < waves && Date.now() >= nextWaveAt) {
        const ids = set.customerIds.slice(wave * perWave, (wave + 1) * perWave);
        const at = base.plus({ seconds: wave });
        await makeDue(pool, ids, at.toJSDate());
        await tickAt(at);
        wave += 1;
        nextWaveAt = Date.now() + 2_500;
      }
      await sleep(300 + rand() * 1_700);
      if (kills >= KILLS) continue;
      const live = workers.map((w, slot) => ({ w, slot })).filter((x) => x.w !== null && x.w.child.exitCode === null);
      if (live.length === 0) continue;
      const victim = live[Math.floor(rand() * live.length)]!.w!;
      expectedExits.add(victim.pid);
      victim.child.kill('SIGKILL');
      kills += 1;
      injected += 1;
    }
    say(`kill: ${kills} SIGKILLs over ${((Date.now() - phaseStart) / 1000).toFixed(0)} s across ${waves} waves; settling`);
    const settled = await settle(set, base.plus({ seconds: waves }));
    if (!settled) notes.push('kill: did not settle within the timeout');
    await check('kill', set);
  }

  // ── phase 2: Redis FLUSHALL ────────────────────────────────────────────────────────────────────
  {
    const set = sets.get('redis')!;
    const at = T.plus({ minutes: 20 });
    await makeDue(pool, set.customerIds, at.toJSDate());
    await tickAt(at);
    await sleep(500 + rand() * 1_500);
    await redis.flushall();
    injected += 1;
    await sleep(1_000 + rand() * 1_500);
    await redis.flushall();
    injected += 1;
    say('redis: FLUSHALL × 2 mid-run; settling');
    const settled = await settle(set, at);
    if (!settled) notes.push('redis: did not settle within the timeout');
    // The workers re-assert their job schedulers every minute; a wiped Redis must tick again.
    const wiped = performance.now();
    let schedulers = await queues.queue('tick').getJobSchedulers();
    while (schedulers.length === 0 && performance.now() - wiped < 75_000) {
      await sleep(1_000);
      schedulers = await queues.queue('tick').getJobSchedulers();
    }
    if (schedulers.length === 0) notes.push('redis: the tick job scheduler was not re-registered within 75 s of the wipe');
    else say(`redis: tick job scheduler back ${((performance.now() - wiped) / 1000).toFixed(0)} s after settling`);
    await check('redis', set);
  }

  // ── phase 3: providers refuse ──────────────────────────────────────────────────────────────────
  {
    const set = sets.get('providers')!;
    const at = T.plus({ minutes: 30 });
    const before = { refused: sink.refused, twilio: twilio.requests.length };
    sink.faults.set({ code: 451, message: 'Greylisted, try again later' });
    twilio.faults.set({ status: 503, code: 20503, message: 'Service Unavailable' });
    injected += 2;
    await makeDue(pool, set.customerIds, at.toJSDate());
    await tickAt(at);
    const until = Date.now() + PROVIDER_OUTAGE_S * 1000;
    let flip = false;
    while (Date.now() < until) {
      await sleep(5_000);
      flip = !flip;
      twilio.faults.set(
        flip ? { status: 429, code: 20429, message: 'Too Many Requests' } : { status: 503, code: 20503, message: 'Service Unavailable' },
      );
    }
    sink.faults.clear();
    twilio.faults.clear();
    say(
      `providers: SMTP 451 and Twilio 503/429 for ${PROVIDER_OUTAGE_S} s (${sink.refused - before.refused} SMTP refusals, ` +
        `${twilio.requests.length - before.twilio} Twilio requests during it); settling`,
    );
    const settled = await settle(set, at);
    if (!settled) notes.push('providers: did not settle within the timeout');
    await check('providers', set);
  }

  // ── phase 4: Postgres restart ──────────────────────────────────────────────────────────────────
  {
    const set = sets.get('postgres')!;
    const at = T.plus({ minutes: 40 });
    await makeDue(pool, set.customerIds, at.toJSDate());
    const exitsBefore = unexpectedExits;
    await tickAt(at);
    await sleep(1_000 + rand() * 1_500);
    await postgres.stop();
    proxy.dropAll();
    injected += 1;
    await sleep(3_000);
    postgres = await startEmbeddedPostgres({ clusterDir, database: 'arrears', logger });
    proxy.retarget(Number(new URL(postgres.url).port));
    say(`postgres: stopped mid-run, down 3 s, restarted; settling`);
    const settled = await settle(set, at);
    if (!settled) notes.push('postgres: did not settle within the timeout');
    if (unexpectedExits > exitsBefore) {
      notes.push(
        `postgres: ${unexpectedExits - exitsBefore} worker process(es) exited on their own during the restart (the supervisor restarted them)`,
      );
    }
    await check('postgres', set);
  }

  // ── over everything ────────────────────────────────────────────────────────────────────────────
  supervising = false;
  const all: GeneratedSet = {
    customerIds: [...sets.values()].flatMap((s) => s.customerIds),
    smsCustomerIds: new Set([...sets.values()].flatMap((s) => [...s.smsCustomerIds])),
    invoices: 0,
  };
  const final = await verify(pool, all, sink, twilio);
  for (const w of workers) {
    if (w && w.child.exitCode === null) {
      expectedExits.add(w.pid);
      w.child.kill('SIGTERM');
      await w.exited;
    }
  }
  say(
    `overall: ${final.expected} due, ${final.delivered} delivered, ${final.lost} lost, ${final.duplicated} duplicated; ` +
      `${final.recognisable} emails resent under their own Message-ID (raw duplicates ${final.rawDuplicates}); ` +
      `${final.mismatched} contact-log disagreements; ${unexpectedExits} unexpected worker exits`,
  );
  for (const note of notes) say(`note: ${note}`);
  console.log(`faults: ${injected} injected, ${final.lost} lost, ${final.duplicated} duplicated`);
  exitCode = final.lost === 0 && final.duplicated === 0 && final.mismatched === 0 ? 0 : 1;
} catch (error) {
  console.error(error);
  console.log(`faults: ${injected} injected, aborted`);
} finally {
  for (const w of allWorkers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await lifecycle.close();
  await rm(dir, { recursive: true, force: true });
}
process.exit(exitCode);

/** What the SMTP server and the SMS endpoint received for a set, against what was due and the contact log. */
async function verify(pool: pg.Pool, set: GeneratedSet, sink: RecordingSmtpSink, twilio: LocalTwilioServer) {
  const { rows: contacts } = await pool.query<{
    id: string;
    customer_id: string;
    channel: string;
    status: string;
    recipient: string;
    idempotency_key: string;
    provider_message_id: string | null;
    failure_reason: string | null;
    attempts: number;
  }>(
    `select id, customer_id, channel::text, status::text, recipient, idempotency_key, provider_message_id, failure_reason, attempts
       from contacts where customer_id = any($1::uuid[]) and direction = 'outbound'`,
    [set.customerIds],
  );
  const problems: string[] = [];
  const recipients = new Set(contacts.map((c) => c.recipient));
  const emailsById = new Map<string, number>();
  const emailIdsByRecipient = new Map<string, Set<string>>();
  for (const m of sink.messages) {
    const to = m.to[0] ?? '';
    if (!recipients.has(to) && !m.to.some((t) => recipients.has(t))) continue;
    const id = m.messageId ?? '(none)';
    emailsById.set(id, (emailsById.get(id) ?? 0) + 1);
    const ids = emailIdsByRecipient.get(to) ?? new Set<string>();
    ids.add(id);
    emailIdsByRecipient.set(to, ids);
  }
  const smsByNumber = new Map<string, string[]>();
  for (const m of twilio.messages) {
    if (!recipients.has(m.to)) continue;
    smsByNumber.set(m.to, [...(smsByNumber.get(m.to) ?? []), m.sid]);
  }

  let expected = 0;
  let delivered = 0;
  let lost = 0;
  let duplicated = 0;
  let recognisable = 0;
  let rawDuplicates = 0;
  let mismatched = 0;
  const byCustomer = new Map<string, typeof contacts>();
  for (const c of contacts) byCustomer.set(c.customer_id, [...(byCustomer.get(c.customer_id) ?? []), c]);
  for (const customerId of set.customerIds) {
    const mine = byCustomer.get(customerId) ?? [];
    for (const channel of set.smsCustomerIds.has(customerId) ? ['email', 'sms'] : ['email']) {
      expected += 1;
      const rows = mine.filter((c) => c.channel === channel);
      if (rows.length === 0) {
        lost += 1;
        problems.push(`customer ${customerId}: no ${channel} contact was recorded`);
        continue;
      }
      if (rows.length > 1) problems.push(`customer ${customerId}: ${rows.length} ${channel} contacts recorded`);
      let received = 0;
      for (const c of rows) {
        if (channel === 'email') {
          const id = `<${emailMessageId(c.idempotency_key, DEFAULT_EMAIL_FROM).replace(/^<|>$/g, '')}>`;
          const n = emailsById.get(id) ?? 0;
          received += n > 0 ? 1 : 0;
          if (n > 1) recognisable += n - 1;
          if (n > 0 && (c.status !== 'sent' || !c.provider_message_id)) {
            mismatched += 1;
            problems.push(`email contact ${c.id}: received but logged ${c.status}`);
          }
          if (n === 0)
            problems.push(`email contact ${c.id}: not received; logged ${c.status} (${c.failure_reason ?? '-'}, ${c.attempts} attempts)`);
        } else {
          const sids = smsByNumber.get(c.recipient) ?? [];
          received += Math.min(1, sids.length);
          if (sids.length > 0 && (c.status !== 'sent' || !sids.includes(c.provider_message_id ?? ''))) {
            mismatched += 1;
            problems.push(`sms contact ${c.id}: received (${sids.join(',')}) but logged ${c.status} ${c.provider_message_id ?? ''}`);
          }
          if (sids.length === 0)
            problems.push(`sms contact ${c.id}: not received; logged ${c.status} (${c.failure_reason ?? '-'}, ${c.attempts} attempts)`);
        }
      }
      if (received === 0) lost += 1;
      else delivered += 1;
      if (channel === 'email') {
        const distinct = emailIdsByRecipient.get(rows[0]!.recipient)?.size ?? 0;
        if (distinct > 1) {
          duplicated += distinct - 1;
          problems.push(`customer ${customerId}: ${distinct} distinct Message-IDs received`);
        }
      } else {
        const n = smsByNumber.get(rows[0]!.recipient)?.length ?? 0;
        if (n > 1) {
          duplicated += n - 1;
          problems.push(`customer ${customerId}: SMS received ${n} times`);
        }
      }
    }
  }
  for (const [, n] of emailsById) rawDuplicates += Math.max(0, n - 1);
  return { expected, delivered, lost, duplicated, recognisable, rawDuplicates, mismatched, problems };
}
