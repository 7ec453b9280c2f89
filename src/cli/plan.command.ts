import type { Command } from 'commander';
import type { DateTime } from 'luxon';
import { openRuntime } from '../app/runtime.js';
import type { PlannedAction, SkippedAction } from '../core/decision.js';
import { loadCaseSnapshots, type CaseSnapshot } from '../db/case-snapshot.repository.js';
import { listCaseIds } from '../db/cases.repository.js';
import { decideCase } from '../dunning/evaluate-cases.js';
import { forecastCase } from '../dunning/forecast.js';
import { standingOf, type StandingLine } from '../dunning/standing.js';
import { loadPaymentPredictions } from '../reports/sources/reports.source.js';
import { loadPolicies } from '../workflows/load-policies.js';
import { loadDunningRules } from '../workflows/load-rules.js';
import type { CommandContext } from './main.js';
import { parseInstant } from './tick.command.js';

interface PlanOptions {
  asOf?: DateTime;
  days?: number;
  customer?: string;
  json?: boolean;
  explain?: boolean;
}

/** One line of the plan, in the shape `--json` prints. */
export interface PlanLine {
  customer: string;
  at: string;
  step: string;
  type: string;
  template?: string;
  invoices: string[];
  /** When each invoice is expected to be paid, from the customer's payment history. */
  expectedPayment: Record<string, string>;
  skipped?: { reason: string; detail: string };
}

export type { StandingLine };

const SNAPSHOT_BATCH = 500;

function printStanding(standings: StandingLine[]): void {
  for (const { customer, ladder } of standings) {
    const where = ladder.open
      ? `cycle ${ladder.cycle}, ${ladder.step ? `at step ${ladder.step}` : 'no step fired yet'}`
      : `not in a dunning cycle (nothing overdue is being chased${ladder.cycle > 0 ? `; last cycle ${ladder.cycle}` : ''})`;
    const next = ladder.next ? `; next ${ladder.next.step} on ${ladder.next.on}` : '; no further step';
    process.stdout.write(`${customer.padEnd(14)} ${where}${next}\n`);
    for (const wait of ladder.waiting) {
      process.stdout.write(`${''.padEnd(14)}   waiting: ${wait.step} ${wait.type} (${wait.reason}: ${wait.detail})\n`);
    }
  }
  if (standings.length > 0) process.stdout.write('\n');
}

function line(snapshot: CaseSnapshot, at: DateTime, item: PlannedAction | SkippedAction, expected: ReadonlyMap<string, string>): PlanLine {
  const invoices = item.invoices.map((invoice) => invoice.number);
  const expectedPayment = Object.fromEntries(
    item.invoices.flatMap((invoice) => {
      const on = expected.get(invoice.invoiceId);
      return on ? [[invoice.number, on]] : [];
    }),
  );
  return {
    customer: snapshot.input.customer.externalId,
    at: at.setZone(snapshot.input.customer.timeZone).toISO()!,
    step: item.stepId,
    type: item.type,
    ...(item.template && { template: item.template }),
    invoices,
    expectedPayment,
    ...('reason' in item && { skipped: { reason: item.reason, detail: item.detail } }),
  };
}

function printTable(lines: PlanLine[]): void {
  if (lines.length === 0) {
    process.stdout.write('Nothing to do.\n');
    return;
  }
  for (const l of lines) {
    const what = l.skipped ? `skip ${l.type} (${l.skipped.reason}: ${l.skipped.detail})` : l.type;
    process.stdout.write(
      `${l.at}  ${l.customer.padEnd(14)} ${l.step.padEnd(16)} ${what}${l.template ? ` ${l.template}` : ''}  ` +
        `[${l.invoices.map((n) => (l.expectedPayment[n] ? `${n} (expected ${l.expectedPayment[n]})` : n)).join(', ')}]\n`,
    );
  }
}

export function registerPlanCommand(program: Command, context: CommandContext): void {
  program
    .command('plan')
    .description('Dry run: what the worker would do at an instant, or a forecast over the next days (no payments assumed).')
    .option('--as-of <instant>', 'ISO 8601 instant with offset (default: now)', parseInstant)
    .option('--days <n>', 'forecast the next N days instead of one instant', (v) => {
      const days = Number(v);
      if (!Number.isInteger(days) || days < 1 || days > 366) throw new Error('--days must be an integer from 1 to 366');
      return days;
    })
    .option('--customer <externalId>', 'only this customer')
    .option('--json', 'one JSON object per line')
    .option('--explain', 'also list what was due but skipped, and why')
    .action(async (options: PlanOptions) => {
      const config = context.config();
      const runtime = await openRuntime(config, context.logger(), { redis: false });
      try {
        const deps = { policies: await loadPolicies(config.policiesDir), rules: await loadDunningRules(config.rulesFile) };
        const asOf = options.asOf ?? runtime.clock.now();
        const until = asOf.plus({ days: options.days ?? 0 });
        const caseIds = await listCaseIds(runtime.prisma, options.customer);
        if (options.customer && caseIds.length === 0) throw new Error(`no customer with external id "${options.customer}"`);
        const lines: PlanLine[] = [];
        const standings: StandingLine[] = [];
        for (let i = 0; i < caseIds.length; i += SNAPSHOT_BATCH) {
          const snapshots = await loadCaseSnapshots(runtime.db, caseIds.slice(i, i + SNAPSHOT_BATCH), asOf);
          const predictions = await loadPaymentPredictions(runtime.prisma, {
            asOf: asOf.toISODate()!,
            customerIds: snapshots.map((s) => s.input.customer.id),
          });
          const expected = new Map(predictions.flatMap((p) => p.invoices.map((inv) => [inv.invoiceId, inv.expectedOn] as const)));
          for (const snapshot of snapshots) {
            const decide = (input: CaseSnapshot['input']) => decideCase(deps, { ...snapshot, input });
            if (options.explain) standings.push(standingOf(snapshot, decide(snapshot.input)));
            const entries = options.days ? forecastCase(snapshot.input, until, decide) : [{ at: asOf, ...decide(snapshot.input) }];
            for (const entry of entries) {
              lines.push(...entry.actions.map((action) => line(snapshot, entry.at, action, expected)));
              if (options.explain) lines.push(...entry.skipped.map((skip) => line(snapshot, entry.at, skip, expected)));
            }
          }
        }
        lines.sort((a, b) => a.at.localeCompare(b.at) || a.customer.localeCompare(b.customer));
        if (options.json) for (const l of [...standings, ...lines]) process.stdout.write(`${JSON.stringify(l)}\n`);
        else {
          printStanding(standings);
          printTable(lines);
        }
      } finally {
        await runtime.lifecycle.close();
      }
    });
}
