import type { IsoDate } from '../core/dates.js';
import type { LedgerInvoice } from '../reports/ledger.js';
import { Prisma, type PrismaClient } from './client.js';

// The manager dashboard's pre-aggregation: two materialized views (defined in the migration
// `20261206140000_dashboard_aggregates`) and when each was last refreshed. Reading them costs
// the same at 1M invoices as at 1k; refreshing costs one pass over the ledger, so it runs at
// most every DASHBOARD_REFRESH_SECONDS, CONCURRENTLY (readers keep the previous contents until
// the new ones commit), and one process at a time (an advisory lock).

/** The materialized views of the pre-aggregation. */
export type AggregateView = 'receivable_groups' | 'activity_daily';
/** Every view the dashboard reads; the API's CEI reads only `receivable_groups`. */
export const DASHBOARD_VIEWS: readonly AggregateView[] = ['receivable_groups', 'activity_daily'];
/** Advisory lock key of the refresh ("dash" in ASCII). */
const REFRESH_LOCK = 0x64617368;

function minor(value: string | number | bigint, what: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new RangeError(`${what} ${String(value)} is not a safe integer of minor units`);
  return parsed;
}

/**
 * When these views were last computed (the oldest of them), or null if one never was. The time is
 * taken just before a view's refresh starts reading the ledger: its contents include every write
 * committed before then.
 */
export async function dashboardRefreshedAt(db: PrismaClient, views: readonly AggregateView[] = DASHBOARD_VIEWS): Promise<Date | null> {
  const rows = await db.aggregateRefresh.findMany({ where: { view: { in: [...views] } } });
  if (rows.length < views.length) return null;
  return new Date(Math.min(...rows.map((r) => r.refreshedAt.getTime())));
}

/**
 * Refreshes the views (default: all) that were last computed before `staleBefore` (default: all
 * of them), one process at a time. Another process refreshing right now: without `wait`, returns
 * false at once and leaves it to that one; with `wait`, waits for it to finish and then refreshes
 * only what is still older than `staleBefore`.
 */
export async function refreshDashboardAggregates(
  db: PrismaClient,
  now: () => Date,
  options: { views?: readonly AggregateView[]; staleBefore?: Date; wait?: boolean } = {},
): Promise<boolean> {
  const views = options.views ?? DASHBOARD_VIEWS;
  return db.$transaction(
    async (tx) => {
      if (options.wait === true) {
        await tx.$queryRaw`select pg_advisory_xact_lock(${REFRESH_LOCK})::text`;
      } else {
        const [lock] = await tx.$queryRaw<Array<{ locked: boolean }>>`select pg_try_advisory_xact_lock(${REFRESH_LOCK}) as locked`;
        if (lock?.locked !== true) return false;
      }
      const known = new Map(
        (await tx.aggregateRefresh.findMany({ where: { view: { in: [...views] } } })).map((r) => [r.view, r.refreshedAt.getTime()]),
      );
      for (const view of views) {
        const last = known.get(view);
        if (options.staleBefore !== undefined && last !== undefined && last >= options.staleBefore.getTime()) continue;
        const refreshedAt = now();
        const started = performance.now();
        await tx.$executeRawUnsafe(`refresh materialized view concurrently "${view}"`);
        const seconds = (performance.now() - started) / 1000;
        await tx.aggregateRefresh.upsert({
          where: { view },
          create: { view, refreshedAt, seconds },
          update: { refreshedAt, seconds },
        });
      }
      return true;
    },
    { timeout: 600_000, maxWait: 10_000 },
  );
}

interface GroupRow {
  currency: string;
  issuedOn: string;
  dueOn: string;
  amountMinor: string;
  settlements: Array<[string, string | null, string]>;
}

/**
 * The receivables as the report modules read them, one "invoice" per currency, issue date and due
 * date (amounts and settlements summed). Every figure the dashboard shows per currency — aging on
 * the due-date basis, DSO, CEI — is a sum over invoices of terms that depend only on those dates,
 * so it comes out the same as from the invoices one by one (ages are calendar-date differences,
 * the same in every zone, hence `UTC`). `live`: computed from the ledger now (one pass over it),
 * for the API's DSO and CEI; `refreshed`: as of the last refresh, for the dashboard.
 */
export async function loadReceivableGroups(db: PrismaClient, source: 'refreshed' | 'live' = 'refreshed'): Promise<LedgerInvoice[]> {
  const view = Prisma.raw(source === 'live' ? 'receivable_groups_live' : 'receivable_groups');
  const rows = await db.$queryRaw<GroupRow[]>`
    select currency, to_char(issue_date, 'YYYY-MM-DD') as "issuedOn", to_char(due_date, 'YYYY-MM-DD') as "dueOn",
           amount_minor::text as "amountMinor", settlements
      from ${view}`;
  return rows.map(groupInvoice);
}

/**
 * `receivable_groups` and when it was computed, read in one statement (one snapshot): a refresh
 * committing meanwhile changes both or neither. Null when it was never computed.
 */
export async function loadRefreshedReceivableGroups(db: PrismaClient): Promise<{ computedAt: Date; groups: LedgerInvoice[] } | null> {
  const rows = await db.$queryRaw<Array<{ [K in keyof GroupRow]: GroupRow[K] | null } & { computedAt: Date }>>`
    select r.refreshed_at as "computedAt", g.currency, to_char(g.issue_date, 'YYYY-MM-DD') as "issuedOn",
           to_char(g.due_date, 'YYYY-MM-DD') as "dueOn", g.amount_minor::text as "amountMinor", g.settlements
      from aggregate_refreshes r left join receivable_groups g on true
     where r.view = 'receivable_groups'`;
  const first = rows[0];
  if (first === undefined) return null;
  const groups = rows.flatMap((row) => (row.currency === null ? [] : [groupInvoice(row as GroupRow)]));
  return { computedAt: first.computedAt, groups };
}

function groupInvoice(row: GroupRow): LedgerInvoice {
  return {
    id: `${row.currency}|${row.issuedOn}|${row.dueOn}`,
    customerId: 'portfolio',
    number: `${row.currency} issued ${row.issuedOn} due ${row.dueOn}`,
    currency: row.currency,
    amountMinor: minor(row.amountMinor, 'invoiced amount'),
    issuedOn: row.issuedOn,
    dueOn: row.dueOn,
    timeZone: 'UTC',
    settlements: row.settlements.map(([on, reversedOn, amount]) => ({ on, reversedOn, amountMinor: minor(amount, 'settlement') })),
  };
}

/** One period's activity for one collector (null: unassigned customers). */
export interface PeriodActivity {
  period: string;
  collectorId: string | null;
  collectorName: string | null;
  /** Outbound contacts that went out or were logged (sent, delivered, logged). */
  contacts: number;
  /** Calls logged, either direction. */
  calls: number;
  promisesKept: number;
  promisesBroken: number;
  /** Payments received, by currency. */
  collected: Record<string, number>;
}

interface ActivityRow {
  period: string;
  collectorId: string | null;
  collectorName: string | null;
  contacts: string;
  calls: string;
  kept: string;
  broken: string;
  collected: Record<string, string> | null;
}

/**
 * Activity per period (labelled date windows, both ends inclusive) and the customers' assigned
 * collector, from `activity_daily`: contacts made, calls, promises kept / broken on their date,
 * payments received per currency.
 */
export async function loadPeriodActivity(
  db: PrismaClient,
  periods: ReadonlyArray<{ label: string; from: IsoDate; to: IsoDate }>,
): Promise<PeriodActivity[]> {
  if (periods.length === 0) return [];
  const rows = await db.$queryRaw<ActivityRow[]>`
    with p as (
      select * from unnest(${periods.map((p) => p.label)}::text[], ${periods.map((p) => p.from)}::date[], ${periods.map((p) => p.to)}::date[])
        as p(label, from_day, to_day)
    ), a as (
      select p.label, d.collector_id, d.kind, d.currency, d.channel, d.direction, d.status, sum(d.events) as events, sum(d.amount_minor) as amount
        from activity_daily d join p on d.day between p.from_day and p.to_day
       group by 1, 2, 3, 4, 5, 6, 7
    )
    select a.label as period, a.collector_id::text as "collectorId", u.name as "collectorName",
           coalesce(sum(events) filter (where kind = 'contact' and direction = 'outbound' and status in ('sent', 'delivered', 'logged')), 0)::text as contacts,
           coalesce(sum(events) filter (where kind = 'contact' and channel = 'call'), 0)::text as calls,
           coalesce(sum(events) filter (where kind = 'promise' and status = 'kept'), 0)::text as kept,
           coalesce(sum(events) filter (where kind = 'promise' and status = 'broken'), 0)::text as broken,
           jsonb_object_agg(a.currency, a.amount::text) filter (where kind = 'payment') as collected
      from a left join users u on u.id = a.collector_id
     group by a.label, a.collector_id, u.name`;
  return rows.map((row) => ({
    period: row.period,
    collectorId: row.collectorId,
    collectorName: row.collectorName,
    contacts: Number(row.contacts),
    calls: Number(row.calls),
    promisesKept: Number(row.kept),
    promisesBroken: Number(row.broken),
    collected: Object.fromEntries(Object.entries(row.collected ?? {}).map(([c, v]) => [c, minor(v, 'collected')])),
  }));
}
