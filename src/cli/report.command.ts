import { InvalidArgumentError, Option, type Command } from 'commander';
import { DateTime } from 'luxon';
import { openRuntime } from '../app/runtime.js';
import { agingBuckets, type AgingBasis } from '../core/aging.js';
import type { IsoDate } from '../core/dates.js';
import type { PrismaClient } from '../db/client.js';
import { parseRates, resolveRates } from '../reports/allowance.js';
import { parsePeriodLength } from '../reports/periods.js';
import { interestTable } from '../reports/interest.report.js';
import { agingTable, ceiTable, collectionsTable, dsoTable, predictionTable, statementTable } from '../reports/report-tables.js';
import {
  answerCeiReport,
  loadAgingReport,
  loadCollectionsReport,
  loadDsoReport,
  loadPaymentPredictions,
  loadStatement,
} from '../reports/sources/reports.source.js';
import { aggregateFreshness } from '../reports/sources/aggregate-freshness.js';
import { loadInterestReport } from '../reports/sources/interest.source.js';
import { renderCsv, renderText, type ReportTable } from '../reports/table.js';
import type { CommandContext } from './main.js';

interface OutputOptions {
  asOf?: IsoDate;
  json?: boolean;
  csv?: boolean;
}

/** Commander parser turning a bad value into its usage error (exit code 1, message on stderr). */
function parsed<T>(parse: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return parse(text);
    } catch (error) {
      throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
    }
  };
}

function isoDate(text: string): IsoDate {
  const date = DateTime.fromFormat(text, 'yyyy-MM-dd', { zone: 'utc' });
  if (!date.isValid) throw new Error(`expected a date YYYY-MM-DD, got "${text}"`);
  return text;
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`expected a positive whole number, got "${text}"`);
  return value;
}

function bucketEdges(text: string): number[] {
  const edges = text.split(',').map((part) => Number(part.trim()));
  agingBuckets(edges);
  return edges;
}

/** `--as-of`, `--json`, `--csv`, shared by every report. */
function withOutputOptions(command: Command): Command {
  return command
    .option('--as-of <date>', 'report as at the end of this date (YYYY-MM-DD; default: today in TICK_TZ)', parsed(isoDate))
    .addOption(new Option('--json', 'print the report as JSON (money in integer minor units)').conflicts('csv'))
    .addOption(new Option('--csv', 'print the report as CSV (money in integer minor units)').conflicts('json'));
}

/**
 * Runs one report: opens the runtime (servers, migrations, Prisma), computes the report, prints
 * it as JSON, CSV, or a table after a one-line title, and closes everything again.
 */
async function runReport<R>(
  context: CommandContext,
  options: OutputOptions,
  compute: (db: PrismaClient, asOf: IsoDate, today: IsoDate, now: () => Date) => Promise<R | null>,
  present: (report: R) => { title: string; table: ReportTable },
): Promise<void> {
  const config = context.config();
  const runtime = await openRuntime(config, context.logger(), { redis: false });
  try {
    const today = runtime.clock.now().setZone(config.queue.tickTimeZone).toISODate();
    if (today === null) throw new Error(`cannot tell today's date in ${config.queue.tickTimeZone}`);
    const asOf = options.asOf ?? today;
    const report = await compute(runtime.prisma, asOf, today, () => runtime.clock.now().toJSDate());
    if (report === null) return;
    const { title, table } = present(report);
    if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (options.csv) process.stdout.write(renderCsv(table));
    else process.stdout.write(`${title}\n\n${renderText(table)}`);
  } finally {
    await runtime.lifecycle.close();
  }
}

export function registerReportCommand(program: Command, context: CommandContext): void {
  const report = program
    .command('report')
    .description('Print an accounts-receivable report: aging, dso, cei, collections, statement, predicted, interest.');

  withOutputOptions(report.command('aging'))
    .description('Balances per aging bucket per currency and per customer, with the allowance for doubtful accounts.')
    .addOption(new Option('--basis <basis>', 'age by days past due or days since issue').choices(['due', 'invoice']).default('due'))
    .option('--buckets <edges>', 'inclusive upper day of each overdue bucket', parsed(bucketEdges), [30, 60, 90])
    .option('--rates <rates>', 'allowance percent per bucket, e.g. current=1,1-30=3,31-60=10,61-90=25,90+=50', parsed(parseRates))
    .action(async (options: OutputOptions & { basis: AgingBasis; buckets: number[]; rates?: Record<string, string> }) => {
      // Checked before the database is opened, so a typo costs nothing.
      const rates = resolveRates(agingBuckets(options.buckets), options.rates);
      await runReport(
        context,
        options,
        (db, asOf, today) => loadAgingReport(db, { asOf, today, config: { basis: options.basis, edges: options.buckets }, rates }),
        (r) => ({
          title: `Aging as of ${r.asOf} (basis: ${r.basis === 'due' ? 'days past due' : 'days since issue'}); allowance rounded half-up per bucket and currency`,
          table: agingTable(r),
        }),
      );
    });

  withOutputOptions(report.command('dso'))
    .description('Standard and countback DSO, best possible DSO, average days delinquent and percent current.')
    .option(
      '--period <length>',
      'period ending on the as-of date: days (90d) or months (3m)',
      parsed(parsePeriodLength),
      parsePeriodLength('90d'),
    )
    .action(async (options: OutputOptions & { period: ReturnType<typeof parsePeriodLength> }) => {
      await runReport(
        context,
        options,
        (db, asOf) => loadDsoReport(db, { asOf, period: options.period }),
        (r) => ({ title: `DSO as of ${r.asOf}, period ${r.period.from} – ${r.period.to} (${r.period.days} days)`, table: dsoTable(r) }),
      );
    });

  withOutputOptions(report.command('cei'))
    .description(
      'Collection effectiveness index per month and over the span, from the dashboard’s pre-aggregate as of when it was computed (refreshed first when older than a day).',
    )
    .option('--months <n>', 'trailing months ending on the as-of date', parsed(positiveInteger), 6)
    .option('--fresh', 'compute it from the ledger now (one pass over it) instead of the pre-aggregate')
    .action(async (options: OutputOptions & { months: number; fresh?: boolean }) => {
      const config = context.config();
      await runReport(
        context,
        options,
        (db, asOf, _today, now) =>
          answerCeiReport(
            db,
            // This process exits after answering: no background refresh, a stale pre-aggregate under a day old is read as it is.
            aggregateFreshness({ prisma: db, clock: now, refreshSeconds: config.http.dashboardRefreshSeconds, background: false }),
            { asOf, months: options.months, fresh: options.fresh === true, clock: now },
          ),
        (r) => ({
          title: `Collection effectiveness index, ${r.months} months to ${r.asOf}; ledger as of ${r.computedAt} (${r.source === 'live' ? 'computed now' : 'pre-aggregated'})`,
          table: ceiTable(r),
        }),
      );
    });

  withOutputOptions(report.command('collections'))
    .description('Amounts collected, reminders sent and promises kept or broken, per period and collector.')
    .addOption(new Option('--period <unit>', 'calendar months or ISO weeks').choices(['month', 'week']).default('month'))
    .option('--periods <n>', 'how many periods up to the as-of date', parsed(positiveInteger), 6)
    .action(async (options: OutputOptions & { period: 'month' | 'week'; periods: number }) => {
      await runReport(
        context,
        options,
        (db, asOf) => loadCollectionsReport(db, { asOf, unit: options.period, periods: options.periods }),
        (r) => ({ title: `Collections per ${r.unit} to ${r.asOf}`, table: collectionsTable(r) }),
      );
    });

  withOutputOptions(report.command('statement'))
    .description(
      "A customer's statement of account: open items with aging, late-payment interest and compensation per invoice (waived claims shown as waived), totals per currency and unapplied credit.",
    )
    .requiredOption('--customer <externalId>', "the customer's id in the ERP")
    .action(async (options: OutputOptions & { customer: string }) => {
      const config = context.config();
      await runReport(
        context,
        options,
        async (db, asOf) => {
          const statement = await loadStatement(db, {
            asOf,
            externalId: options.customer,
            interest: { settings: config.interest, baseCurrency: config.baseCurrency },
          });
          if (statement === null) {
            process.stderr.write(`no customer with external id "${options.customer}"\n`);
            process.exitCode = 1;
          }
          return statement;
        },
        (s) => ({
          title: `Statement of account for ${s.customer.name} (${s.customer.externalId}) as of ${s.asOf}`,
          table: statementTable(s),
        }),
      );
    });

  withOutputOptions(report.command('predicted'))
    .description('Expected payment date of each open invoice, from each customer’s days-to-pay history.')
    .option('--half-life <days>', 'age at which a paid invoice counts half', parsed(positiveInteger), 180)
    .action(async (options: OutputOptions & { halfLife: number }) => {
      await runReport(
        context,
        options,
        (db, asOf) => loadPaymentPredictions(db, { asOf, prediction: { halfLifeDays: options.halfLife } }),
        (p) => ({ title: 'Predicted payment dates (recency-weighted median days-to-pay)', table: predictionTable(p) }),
      );
    });

  withOutputOptions(report.command('interest'))
    .description(
      'Late-payment interest and compensation per invoice (principal, days late, rates applied, rule), totals per currency; waived claims shown as waived.',
    )
    .action(async (options: OutputOptions) => {
      const config = context.config();
      await runReport(
        context,
        options,
        (db, asOf) => loadInterestReport(db, { asOf, baseCurrency: config.baseCurrency, settings: config.interest }),
        (r) => ({
          title: `Late-payment interest as of ${r.asOf} (payments count ${r.allocation}); interest rounded half-up once per invoice`,
          table: interestTable(r),
        }),
      );
    });
}
