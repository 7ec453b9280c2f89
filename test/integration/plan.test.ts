import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanLine, StandingLine } from '../../src/cli/plan.command.js';
import { toMajorString } from '../../src/core/money.js';
import type { TestDatabase } from '../support/databases.js';
import type { LocalTwilioServer } from '../support/fake-twilio.js';
import { Readable } from 'node:stream';
import pg from 'pg';
import { pgDatabase } from '../../src/db/sql.js';
import { runImport } from '../../src/ingest/run-import.js';
import type { CustomerSeed } from '../support/ledger.js';
import { startCli } from '../support/processes.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { closeTestPipeline, startTestPipeline, type TestArrears } from '../support/arrears.js';

// Tuesday 2026-03-10 07:30Z: 09:30 in Bucharest and Istanbul, 15:30 in Shanghai, 20:30 in
// Auckland (window closed), 00:30 in Los Angeles (window closed).
const AS_OF = '2026-03-10T07:30:00Z';
const ZONES = ['Europe/Bucharest', 'Europe/Istanbul', 'Asia/Shanghai', 'Pacific/Auckland', 'America/Los_Angeles'];
const DUE_DATES = ['2026-03-13', '2026-03-09', '2026-03-03', '2026-02-24', '2026-02-08', '2025-12-01'];

const ledger: CustomerSeed[] = ZONES.flatMap((timeZone, z) =>
  DUE_DATES.map((dueOn, d) => ({
    externalId: `P-${z}-${d}`,
    timeZone,
    ...(d % 2 === 0 && { mobile: `+4072200${z}${d}00`, smsConsent: true }),
    invoices: [{ number: `INV-${z}-${d}`, amountMinor: 50_000, issuedOn: '2025-11-01', dueOn }],
  })),
);

const key = (l: { customer: string; step: string; type: string }) => `${l.customer} ${l.step} ${l.type}`;

/** Runs `arrears plan` with these arguments and returns its JSON lines (actions; with `--explain`, standings too). */
async function runPlanLines(args: string[], env: Record<string, string>): Promise<Array<PlanLine | StandingLine>> {
  const plan = startCli(['plan', ...args, '--json'], { LOG_LEVEL: 'warn', ...env });
  const { code } = await plan.exit;
  expect(code, plan.output()).toBe(0);
  return plan
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as PlanLine | StandingLine);
}

async function runPlan(args: string[], env: Record<string, string>): Promise<PlanLine[]> {
  return (await runPlanLines(args, env)).filter((l): l is PlanLine => !('ladder' in l));
}

describe('arrears plan', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let twilio: LocalTwilioServer;
  let arrears: TestArrears;

  beforeAll(async () => {
    ({ database, sink, twilio, arrears } = await startTestPipeline());
    // Loaded through the product's own CSV import, as a business would.
    const customers = ledger.map((c) =>
      [
        c.externalId,
        `${c.externalId} SRL`,
        `${c.externalId.toLowerCase()}@example.com`,
        c.mobile ?? '',
        c.timeZone,
        'ro',
        'RON',
        '',
        c.smsConsent ? 'true' : 'false',
        'default',
      ].join(','),
    );
    const invoices = ledger.flatMap((c) =>
      c.invoices.map((i) =>
        [`${c.externalId}-1`, c.externalId, i.number, 'RON', toMajorString(i.amountMinor, 'RON'), '', i.issuedOn, i.dueOn].join(','),
      ),
    );
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    try {
      for (const [kind, header, rows] of [
        ['customers', 'external_id,name,email,phone,timezone,locale,currency,credit_limit,sms_consent,policy', customers],
        ['invoices', 'external_id,customer_external_id,number,currency,amount,balance,issued_on,due_on', invoices],
      ] as const) {
        const summary = await runImport({
          kind,
          input: Readable.from([`${header}\n${rows.join('\n')}\n`]),
          db: pgDatabase(pool),
          now: new Date('2026-03-01T00:00:00Z'),
          knownPolicies: new Set(['default']),
        });
        expect(summary.rejected).toBe(0);
      }
    } finally {
      await pool.end();
    }
  });

  afterAll(async () => {
    await closeTestPipeline({ database, sink, twilio, arrears });
  });

  it('lists exactly what the worker then does at that instant', async () => {
    const planned = await runPlan(['--as-of', AS_OF], { DATABASE_URL: database.url });
    expect(planned.length).toBeGreaterThan(5);
    // Zones whose window is closed at this instant get nothing.
    expect(planned.some((l) => l.customer.startsWith('P-3-') || l.customer.startsWith('P-4-'))).toBe(false);
    expect(planned.every((l) => l.at.startsWith('2026-03-10T'))).toBe(true);
    // Every invoice a line covers carries its expected payment date.
    const first = planned[0]!;
    expect(Object.keys(first.expectedPayment)).toEqual(first.invoices);

    await arrears.tick(AS_OF);

    const done = await arrears.runtime.prisma.dunningAction.findMany({ include: { customer: true } });
    expect(done.map((a) => key({ customer: a.customer.externalId, step: a.stepId, type: a.type })).sort()).toEqual(planned.map(key).sort());
    const notSent = await arrears.runtime.prisma.contact.findMany({ where: { status: { not: 'sent' } } });
    expect(notSent.map((c) => [c.recipient, c.status, c.failureReason])).toEqual([]);
    expect(sink.messages.length).toBe(planned.filter((l) => l.type === 'email').length);
    expect(twilio.messages.length).toBe(planned.filter((l) => l.type === 'sms').length);
  });

  it('forecasts the days ahead and explains skipped contacts', async () => {
    const lines = await runPlan(['--as-of', AS_OF, '--days', '30', '--customer', 'P-3-1', '--explain'], {
      DATABASE_URL: database.url,
    });
    // Due 2026-03-09 in Auckland: the +1 step is late (window closed now), then +7 and +14 follow
    // within 30 days, and +30 on 8 April, each inside Auckland's weekday window.
    const steps = lines.filter((l) => !l.skipped).map((l) => `${l.step}/${l.type}`);
    expect(steps).toEqual(['overdue-1/email', 'overdue-7/email', 'overdue-14/email', 'overdue-14/call_task', 'firm-30/email']);
    for (const l of lines.filter((x) => !x.skipped)) {
      expect(l.at).toMatch(/\+13:00$|\+12:00$/);
      const hour = Number(l.at.slice(11, 13));
      expect(hour).toBeGreaterThanOrEqual(8);
      expect(hour).toBeLessThan(20);
    }
    expect(lines.some((l) => l.skipped?.reason === 'window')).toBe(true);
  });

  it('explains where each customer stands on the ladder and why a step waits', async () => {
    const lines = await runPlanLines(['--as-of', AS_OF, '--customer', 'P-3-1', '--explain'], { DATABASE_URL: database.url });
    const standing = lines.find((l): l is StandingLine => 'ladder' in l);
    // One day past due at 20:30 in Auckland: a cycle opens, its first step waits for the morning.
    expect(standing).toEqual({
      customer: 'P-3-1',
      ladder: {
        cycle: 1,
        open: true,
        step: null,
        next: { step: 'overdue-7', on: '2026-03-16' },
        waiting: [expect.objectContaining({ step: 'overdue-1', type: 'email', reason: 'window' })],
      },
    });
  });
});
