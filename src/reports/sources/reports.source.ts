import { agingBuckets, defaultAgingConfig, type AgingConfig } from '../../core/aging.js';
import { addDays, type IsoDate } from '../../core/dates.js';
import type { PrismaClient } from '../../db/client.js';
import type { CopyOut } from '../../db/sql.js';
import { autoCommit } from '../../db/transaction.js';
import { loadReceivableGroups, loadRefreshedReceivableGroups } from '../../db/dashboard.repository.js';
import {
  findReportCustomer,
  loadAgingBalances,
  copyAgingRowsPreaggregated,
  loadAgingRowsPreaggregated,
  loadCollectionsActivity,
  loadDailySales,
  loadLedgerInvoices,
  loadLedgerPayments,
  loadPaidHistory,
  loadReceivablesAt,
  loadReportCustomers,
  loadUnappliedCredit,
  PREAGGREGATED_AGING,
} from '../../db/reports.repository.js';
import { agingFromBalances, agingReportJson, type AgingReport } from '../aging.report.js';
import { ceiDates, ceiReport, type CeiReport } from '../cei.report.js';
import { collectionsReport, type CollectionsReport } from '../collections.report.js';
import { dsoFromSource, type DsoReport } from '../dso.report.js';
import { figuresSource, openItemsAsOf } from '../ledger.js';
import { predictPaymentDates, type CustomerPrediction, type PaidInvoiceRecord, type PredictionOptions } from '../payment-prediction.js';
import type { InterestSettings } from '../interest.report.js';
import type { PeriodLength } from '../periods.js';
import { buildStatement, type Statement, type StatementCustomer } from '../statement.js';
import type { AggregateFreshness } from './aggregate-freshness.js';
import { loadClaims } from './interest.source.js';

// Each report: read the rows its window needs (src/db/reports.repository.ts), then hand them to
// the pure report module. The arithmetic lives only in the modules.

/**
 * Aging with allowance at the end of `asOf`: the open balances bucketed per customer and
 * currency in SQL (set-based, see src/db/reports.repository.ts), assembled by the report module.
 * With the default buckets and an as-of date from `today` on, from the pre-aggregate
 * `customer_aging` (refreshed where stale); a past date, or other buckets, read every open
 * invoice (the exact path; both give the same rows).
 */
export async function loadAgingReport(db: PrismaClient, options: AgingReportOptions): Promise<AgingReport> {
  if (preaggregated(options)) return JSON.parse((await loadAgingReportJson(db, options)).toString('utf8')) as AgingReport;
  const { asOf } = options;
  const config = options.config ?? defaultAgingConfig;
  const [customers, credit] = await Promise.all([
    loadAgingBalances(db, { asOf, basis: config.basis, edges: config.edges }),
    loadUnappliedCredit(db, asOf),
  ]);
  return agingFromBalances({
    asOf,
    customers,
    credit,
    ...(options.config ? { config: options.config } : {}),
    ...(options.rates ? { rates: options.rates } : {}),
  });
}

export interface AgingReportOptions {
  asOf: IsoDate;
  /** Today in TICK_TZ: from this date on, the default buckets read the pre-aggregate. */
  today?: IsoDate;
  config?: AgingConfig;
  rates?: Record<string, string>;
}

function preaggregated(options: AgingReportOptions): boolean {
  const config = options.config ?? defaultAgingConfig;
  return (
    options.today !== undefined &&
    options.asOf >= options.today &&
    config.basis === PREAGGREGATED_AGING.basis &&
    config.edges.join() === PREAGGREGATED_AGING.edges.join()
  );
}

/**
 * `loadAgingReport` as UTF-8 JSON (what `JSON.stringify` gives for it, byte for byte), for the
 * API. From the pre-aggregate, the customers' rows are stored as JSON and passed through: at 100k
 * customers that is 28 MB the server no longer parses, assembles and serialises. With `copy` (a
 * `pg` pool), they come by COPY as bytes, never decoded into strings.
 */
export async function loadAgingReportJson(db: PrismaClient, options: AgingReportOptions & { copy?: CopyOut }): Promise<Buffer> {
  if (!preaggregated(options)) return Buffer.from(JSON.stringify(await loadAgingReport(db, options)));
  const { asOf } = options;
  const labels = agingBuckets(PREAGGREGATED_AGING.edges).map((b) => b.label);
  const [rows, credit] = await Promise.all([
    options.copy ? copyAgingRowsPreaggregated(db, options.copy, asOf, labels) : loadAgingRowsPreaggregated(db, asOf, labels),
    loadUnappliedCredit(db, asOf),
  ]);
  return agingReportJson({
    asOf,
    rows,
    credit,
    ...(options.config ? { config: options.config } : {}),
    ...(options.rates ? { rates: options.rates } : {}),
  });
}

/**
 * DSO figures from the receivables on `asOf` and the credit sales per issue date, both computed
 * in SQL (the same figures as from the invoices one by one). Countback walks back through every
 * month's sales the ledger has.
 */
export async function loadDsoReport(db: PrismaClient, options: { asOf: IsoDate; period: PeriodLength }): Promise<DsoReport> {
  const [receivables, sales] = await Promise.all([loadReceivablesAt(db, [options.asOf]), loadDailySales(db)]);
  return dsoFromSource(figuresSource(receivables, sales), options.asOf, options.period);
}

/**
 * CEI over the `months` trailing months ending on `asOf`, from the receivables grouped per
 * currency, issue and due date: `live` computes the grouping now (one pass over the ledger in
 * SQL, see dashboard.repository.ts), `refreshed` reads the dashboard's materialized copy as of
 * its last refresh. `loadReceivablesAt` answers the same question set-based but is slower for
 * dates months back (every settlement since then is an adjustment).
 */
export async function loadCeiReport(
  db: PrismaClient,
  options: { asOf: IsoDate; months: number; source?: 'live' | 'refreshed' },
): Promise<CeiReport> {
  ceiDates(options.asOf, options.months);
  return ceiReport(await loadReceivableGroups(db, options.source ?? 'live'), options.asOf, options.months);
}

/** The CEI report with the time of the ledger it was computed from. */
export interface CeiAnswer extends CeiReport {
  /** The report holds for the ledger as it was at this instant (ISO 8601). */
  computedAt: string;
  /** `preaggregate`: the dashboard's `receivable_groups` as of its last refresh; `live`: computed now. */
  source: 'preaggregate' | 'live';
}

/**
 * CEI as the API and `arrears report cei` answer it: from the same pre-aggregate as the
 * dashboard (kept fresh by `aggregates`), so both show the same figures as of the same
 * refresh; `fresh`: computed from the ledger now (one pass over it: seconds at 1M invoices).
 */
export async function answerCeiReport(
  db: PrismaClient,
  aggregates: AggregateFreshness,
  options: { asOf: IsoDate; months: number; fresh: boolean; clock: () => Date },
): Promise<CeiAnswer> {
  ceiDates(options.asOf, options.months);
  if (!options.fresh) await aggregates.ensure(['receivable_groups']);
  // Null only if it is still not computed after ensure(): then answered live rather than not at all.
  const stored = options.fresh ? null : await loadRefreshedReceivableGroups(db);
  if (stored === null) {
    const now = options.clock();
    const report = await loadCeiReport(db, { asOf: options.asOf, months: options.months, source: 'live' });
    return { ...report, computedAt: now.toISOString(), source: 'live' };
  }
  const report = ceiReport(stored.groups, options.asOf, options.months);
  return { ...report, computedAt: stored.computedAt.toISOString(), source: 'preaggregate' };
}

/** Collections activity over the last `periods` months or weeks up to `asOf`. */
export async function loadCollectionsReport(
  db: PrismaClient,
  options: { asOf: IsoDate; unit: 'month' | 'week'; periods: number },
): Promise<CollectionsReport> {
  const empty = collectionsReport({ ...options, payments: [], allocations: [], contacts: [], promises: [] });
  const from = empty.periods[0]?.from ?? options.asOf;
  const activity = await loadCollectionsActivity(db, { from, to: options.asOf });
  return collectionsReport({ ...options, ...activity });
}

/**
 * A customer's statement of account, or null when no customer has that external id. With
 * `interest`, it carries the customer's late-payment claims to `asOf` too.
 */
export async function loadStatement(
  db: PrismaClient,
  options: { asOf: IsoDate; externalId: string; config?: AgingConfig; interest?: { settings: InterestSettings; baseCurrency: string } },
): Promise<Statement | null> {
  const customer: StatementCustomer | null = await findReportCustomer(db, options.externalId);
  if (customer === null) return null;
  const customerIds = [customer.id];
  const [invoices, payments, claims] = await Promise.all([
    loadLedgerInvoices(db, { since: options.asOf, until: options.asOf, customerIds }),
    loadLedgerPayments(db, { asOf: options.asOf, customerIds }),
    options.interest ? loadClaims(autoCommit(db), { asOf: options.asOf, customerIds, ...options.interest }) : undefined,
  ]);
  return buildStatement({
    asOf: options.asOf,
    customer,
    invoices,
    payments,
    ...(options.config ? { config: options.config } : {}),
    ...(claims ? { claims } : {}),
  });
}

/** How far back paid invoices are read: four half-lives of the default weighting (~6% weight left). */
const HISTORY_DAYS = 730;
/** The newest paid invoices of the whole portfolio the fallback habit is taken from. */
const PORTFOLIO_SAMPLE = 2000;

/**
 * Expected payment dates of the invoices open on `asOf`, for these customers (default: all with
 * open invoices). For the worklist and `plan` as much as for the report.
 */
export async function loadPaymentPredictions(
  db: PrismaClient,
  options: {
    asOf: IsoDate;
    customerIds?: readonly string[];
    prediction?: Omit<PredictionOptions, 'portfolio'>;
    /** Where the portfolio sample comes from (default: read now); see `portfolioSampleCache`. */
    portfolio?: PortfolioSampleCache;
  },
): Promise<Array<CustomerPrediction & { externalId: string; name: string }>> {
  const { asOf } = options;
  const invoices = await loadLedgerInvoices(db, {
    since: asOf,
    until: asOf,
    ...(options.customerIds ? { customerIds: options.customerIds } : {}),
  });
  const open = openItemsAsOf(invoices, asOf)
    .filter((i) => i.balanceMinor > 0)
    .map(({ invoice, balanceMinor }) => ({
      invoiceId: invoice.id,
      customerId: invoice.customerId,
      number: invoice.number,
      currency: invoice.currency,
      balanceMinor,
      dueOn: invoice.dueOn,
    }));
  const customerIds = [...new Set(open.map((i) => i.customerId))];
  const since = addDays(asOf, -HISTORY_DAYS);
  const [history, portfolio, customers] = await Promise.all([
    loadPaidHistory(db, { since, asOf, customerIds }),
    options.portfolio ? options.portfolio.sample(db, asOf) : loadPortfolioSample(db, asOf),
    loadReportCustomers(db, customerIds),
  ]);
  const byId = new Map(customers.map((c) => [c.id, c]));
  return predictPaymentDates(history, open, asOf, { ...options.prediction, portfolio })
    .map((p) => ({ ...p, externalId: byId.get(p.customerId)?.externalId ?? p.customerId, name: byId.get(p.customerId)?.name ?? '' }))
    .sort((a, b) => a.externalId.localeCompare(b.externalId));
}

/** The portfolio's most recently paid invoices (due and paid dates) up to `asOf`: the predictions' prior. */
function loadPortfolioSample(db: PrismaClient, asOf: IsoDate): Promise<PaidInvoiceRecord[]> {
  return loadPaidHistory(db, { since: addDays(asOf, -HISTORY_DAYS), asOf, limit: PORTFOLIO_SAMPLE });
}

export interface PortfolioSampleCache {
  sample(db: PrismaClient, asOf: IsoDate): Promise<PaidInvoiceRecord[]>;
}

/**
 * The portfolio sample is the same for every customer's page on a day and costs a few thousand
 * index reads (0.5-1.4 s at 100k customers on a loaded machine), so a page server keeps it per
 * as-of date for `maxAgeMs` (by `now`) instead of reading it for each page: a customer page's
 * prediction then reflects payments up to that long ago in the rest of the portfolio (its own
 * history is always read fresh). A failed read is not kept.
 */
export function portfolioSampleCache(now: () => number, maxAgeMs: number): PortfolioSampleCache {
  let kept: { asOf: IsoDate; at: number; rows: Promise<PaidInvoiceRecord[]> } | null = null;
  return {
    sample(db, asOf) {
      if (kept !== null && kept.asOf === asOf && now() - kept.at < maxAgeMs) return kept.rows;
      const rows = loadPortfolioSample(db, asOf);
      const entry = { asOf, at: now(), rows };
      kept = entry;
      rows.catch(() => {
        if (kept === entry) kept = null;
      });
      return rows;
    },
  };
}
