import fc from 'fast-check';
import { DateTime } from 'luxon';
import { Readable } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDateOf } from '../../src/core/dates.js';
import { toMajorString } from '../../src/core/money.js';
import { defaultDunningRules } from '../../src/core/rules.js';
import { loadCaseSnapshots } from '../../src/db/case-snapshot.repository.js';
import { decideCase } from '../../src/dunning/evaluate-cases.js';
import { forecastCase } from '../../src/dunning/forecast.js';
import { pgDatabase } from '../../src/db/sql.js';
import { runImport } from '../../src/ingest/run-import.js';
import { jobCatalog, type JobName } from '../../src/jobs/catalog.js';
import { loadPolicies } from '../../src/workflows/load-policies.js';
import { closeTestPipeline, startTestPipeline, type TestPipeline } from '../support/arrears.js';
import { seedLedger, type CustomerSeed } from '../support/ledger.js';

// The ladder's properties on the real worker: generated ledgers (staggered invoices, zones,
// policies, SMS consent) are written to Postgres, the worker's ticks run through BullMQ at each
// moment a case next needs looking at, payments arrive through the payments import, and the
// contact log is read back. Before the first payment, `arrears plan`'s forecast must list exactly
// what the worker then did.

const START = DateTime.fromISO('2026-03-02T06:00:00Z', { zone: 'utc' });
const HORIZON_DAYS = 75;
const ZONES = ['Europe/Bucharest', 'America/Los_Angeles', 'Asia/Shanghai'];

interface Generated {
  customers: CustomerSeed[];
  payments: Array<{ customer: string; invoice: string; day: number }>;
}

const generated = fc
  .array(
    fc.record({
      zone: fc.constantFrom(...ZONES),
      policy: fc.constantFrom('default', 'key-account'),
      sms: fc.boolean(),
      invoices: fc.array(fc.record({ dueIn: fc.integer({ min: -95, max: 40 }), amount: fc.integer({ min: 5_000, max: 900_000 }) }), {
        minLength: 1,
        maxLength: 4,
      }),
      payment: fc.option(fc.record({ invoice: fc.nat(), day: fc.integer({ min: 5, max: HORIZON_DAYS - 5 }) }), { nil: undefined }),
    }),
    { minLength: 2, maxLength: 4 },
  )
  .map((specs): Generated => {
    const customers = specs.map((spec, c) => ({
      externalId: `G-${c}`,
      timeZone: spec.zone,
      policy: spec.policy,
      ...(spec.sms && { mobile: `+407220000${c}`, smsConsent: true }),
      invoices: spec.invoices.map((invoice, i) => {
        const dueOn = START.plus({ days: invoice.dueIn }).toISODate()!;
        return {
          number: `G${c}-${i}`,
          amountMinor: invoice.amount,
          issuedOn: START.plus({ days: invoice.dueIn - 30 }).toISODate()!,
          dueOn,
        };
      }),
    }));
    const payments = specs.flatMap((spec, c) =>
      spec.payment
        ? [
            {
              customer: `G-${c}`,
              invoice: customers[c]!.invoices[spec.payment.invoice % spec.invoices.length]!.number,
              day: spec.payment.day,
            },
          ]
        : [],
    );
    return { customers, payments };
  });

interface Row {
  customer: string;
  zone: string;
  type: string;
  stepId: string;
  cycle: number | null;
  decidedAt: Date;
  stage: number;
  invoices: string[] | null;
}

describe('the ladder on the real worker', () => {
  let pipeline: TestPipeline;
  let pool: pg.Pool;

  beforeAll(async () => {
    pipeline = await startTestPipeline();
    pool = new pg.Pool({ connectionString: pipeline.database.url, max: 2 });
  });

  afterAll(async () => {
    await pool?.end();
    await closeTestPipeline(pipeline ?? {});
  });

  async function reset(): Promise<void> {
    const { rows } = await pool.query<{ tablename: string }>(
      `select tablename from pg_tables where schemaname = current_schema() and tablename <> '_prisma_migrations'`,
    );
    await pool.query(`truncate ${rows.map((r) => `"${r.tablename}"`).join(', ')} cascade`);
    // Every run ticks at the same instants: forget the ticks (their job ids) of the run before.
    for (const name of Object.keys(jobCatalog) as JobName[]) await pipeline.arrears.queues.queue(name).clean(0, 100_000, 'completed');
  }

  async function pay(payment: Generated['payments'][number], at: DateTime, index: number): Promise<void> {
    const { rows } = await pool.query<{ balance: string }>(`select open_balance_minor::text as balance from invoices where number = $1`, [
      payment.invoice,
    ]);
    const amount = toMajorString(BigInt(rows[0]!.balance), 'RON');
    const csv = `external_id,customer_external_id,amount,currency,received_on,reference\nP-${index},${payment.customer},${amount},RON,${at.toISODate()},${payment.invoice}\n`;
    const summary = await runImport({
      kind: 'payments',
      input: Readable.from([csv]),
      db: pgDatabase(pool),
      now: at.toJSDate(),
      knownPolicies: new Set(),
    });
    expect(summary.rejected).toBe(0);
  }

  /** The worker's ticks from START to the horizon, at each next-look time and at each payment. */
  async function work(ledger: Generated): Promise<void> {
    const payments = ledger.payments
      .map((p, i) => ({ ...p, index: i, at: START.plus({ days: p.day, hours: 3 }) }))
      .sort((a, b) => +a.at - +b.at);
    const end = START.plus({ days: HORIZON_DAYS });
    let at = START;
    while (at < end) {
      while (payments.length > 0 && payments[0]!.at <= at) {
        const payment = payments.shift()!;
        await pay(payment, payment.at, payment.index);
      }
      await pipeline.arrears.tick(at.toISO()!);
      const { rows } = await pool.query<{ next: Date | null }>(
        `select min(next_look_at) as next from collection_cases where next_look_at > $1`,
        [at.toJSDate()],
      );
      const nextLook = rows[0]?.next ? DateTime.fromJSDate(rows[0].next, { zone: 'utc' }) : end;
      at = payments[0] && payments[0].at < nextLook ? payments[0].at : nextLook;
    }
  }

  async function actions(stages: Map<string, number>): Promise<Row[]> {
    const { rows } = await pool.query<Omit<Row, 'stage'> & { policy: string }>(
      `select cu.external_id as customer, cu.time_zone as zone, a.type::text as type, a.step_id as "stepId", a.policy_id as policy,
              a.ladder_cycle as cycle, a.decided_at as "decidedAt",
              (select array_agg(i.number order by i.number) from contact_invoices ci join invoices i on i.id = ci.invoice_id
                where ci.contact_id = a.contact_id) as invoices
         from dunning_actions a join customers cu on cu.id = a.customer_id
        order by cu.external_id, a.decided_at, a.id`,
    );
    return rows.map((r) => ({ ...r, stage: stages.get(`${r.policy}/${r.stepId}`) ?? -1 }));
  }

  it('holds on generated ledgers, and the plan is what the worker does', async () => {
    const policies = await loadPolicies();
    const stages = new Map([...policies.values()].flatMap((p) => p.steps.map((s) => [`${p.id}/${s.id}`, s.stage] as const)));
    await fc.assert(
      fc.asyncProperty(generated, async (ledger) => {
        await reset();
        await seedLedger(pipeline.arrears.runtime.prisma, ledger.customers, START.toJSDate());

        // The plan, from the same snapshots `arrears plan` reads, up to the first payment.
        const firstPayment = ledger.payments.map((p) => START.plus({ days: p.day, hours: 3 })).sort((a, b) => +a - +b)[0];
        const planUntil = (firstPayment ?? START.plus({ days: HORIZON_DAYS })).minus({ milliseconds: 1 });
        const caseIds = (await pool.query<{ id: string }>('select id::text from collection_cases')).rows.map((r) => r.id);
        const deps = { policies, rules: defaultDunningRules };
        const planned = (await loadCaseSnapshots(pipeline.arrears.runtime.db, caseIds, START)).flatMap((snapshot) =>
          forecastCase(snapshot.input, planUntil, (input) => decideCase(deps, { ...snapshot, input })).flatMap((entry) =>
            entry.actions.map((a) => `${snapshot.input.customer.externalId} ${a.type} ${a.stepId} ${entry.at.toUTC().toISO()}`),
          ),
        );

        await work(ledger);
        const done = await actions(stages);
        const beforePayment = done
          .filter((r) => DateTime.fromJSDate(r.decidedAt) <= planUntil)
          .map((r) => `${r.customer} ${r.type} ${r.stepId} ${DateTime.fromJSDate(r.decidedAt, { zone: 'utc' }).toISO()}`);
        expect(beforePayment.sort()).toEqual(planned.sort());

        for (const seed of ledger.customers) {
          const mine = done.filter((r) => r.customer === seed.externalId);
          const messages = mine.filter((r) => r.type === 'email' || r.type === 'sms');
          const paidAt = ledger.payments.filter((p) => p.customer === seed.externalId).map((p) => START.plus({ days: p.day, hours: 3 }));
          for (let k = 1; k < messages.length; k++) {
            const [before, after] = [messages[k - 1]!, messages[k]!];
            const from = DateTime.fromJSDate(before.decidedAt);
            const to = DateTime.fromJSDate(after.decidedAt);
            if (after.stage < before.stage)
              expect(
                paidAt.some((p) => p > from && p <= to),
                `${seed.externalId}: ${before.stepId} then ${after.stepId}`,
              ).toBe(true);
            const sameStep = after.cycle !== null && after.cycle === before.cycle && after.stepId === before.stepId;
            if (!sameStep)
              expect(localDateOf(to, after.zone) >= DateTime.fromISO(localDateOf(from, after.zone)).plus({ days: 4 }).toISODate()!).toBe(
                true,
              );
          }
          const ladderKeys = mine.filter((r) => r.cycle !== null).map((r) => `${r.cycle}/${r.type}/${r.stepId}`);
          expect(new Set(ladderKeys).size).toBe(ladderKeys.length);
          expect(mine.filter((r) => r.type === 'credit_hold').length).toBeLessThanOrEqual(1);
          const legal = mine.find((r) => r.type === 'legal_hold');
          if (legal) expect(mine.filter((r) => r.decidedAt > legal.decidedAt)).toEqual([]);
          // A ladder message names every overdue invoice still open when it was decided.
          for (const message of messages.filter((m) => m.cycle !== null)) {
            const at = DateTime.fromJSDate(message.decidedAt);
            const today = localDateOf(at, message.zone);
            const open = seed.invoices.filter(
              (i) => i.dueOn < today && !ledger.payments.some((p) => p.invoice === i.number && START.plus({ days: p.day, hours: 3 }) <= at),
            );
            expect(message.invoices, `${seed.externalId} ${message.stepId}`).toEqual(open.map((i) => i.number).sort());
          }
        }
      }),
      { numRuns: 4 },
    );
  });
});
