import { appendAudit } from './audit.repository.js';
import type { PrismaClient } from './client.js';
import type { Sql } from './sql.js';
import { inTransaction, type Db } from './transaction.js';

/** Manager alerts: raising (one open alert per customer and kind), delivery markers, re-raise, detection. */

export type AlertKindName =
  | 'legal_hold'
  | 'broken_promise'
  | 'credit_limit_crossed'
  | 'balance_threshold'
  | 'channels_failing'
  | 'bankruptcy'
  | 'dispute_opened'
  | 'other';

export interface AlertToRaise {
  kind: AlertKindName;
  customerId: string | null;
  message: string;
  at: Date;
  /**
   * The manager whose own action raised it: the alert is recorded as acknowledged by them (they
   * know what they just did), so it is neither delivered nor re-raised nor shown as open.
   */
  acknowledgedBy?: string;
}

/** An alert needs attention while it is neither acknowledged nor resolved (its cause ended). */
const OPEN = `acknowledged_at is null and resolved_at is null`;

/**
 * Raises an alert unless one of the same kind is already open (not acknowledged) for the
 * customer; the schema cannot express that uniqueness, so concurrent raisers serialise on a
 * transaction-scoped advisory lock keyed by customer and kind. `created` is false for a duplicate.
 */
export async function raiseAlertRow(tx: Sql, alert: AlertToRaise): Promise<{ id: string; created: boolean }> {
  const key = `manager_alert:${alert.customerId ?? '-'}:${alert.kind}`;
  await tx.query(`select 1 from pg_advisory_xact_lock(hashtext($1))`, [key]);
  const [open] = await tx.query<{ id: string }>(
    `select id::text from manager_alerts
      where customer_id is not distinct from $1::uuid and kind = $2::alert_kind and ${OPEN}
      limit 1`,
    [alert.customerId, alert.kind],
  );
  if (open) return { id: open.id, created: false };
  const [row] = await tx.query<{ id: string }>(
    `insert into manager_alerts (kind, customer_id, message, raised_at, last_raised_at, acknowledged_at, acknowledged_by)
     values ($1::alert_kind, $2::uuid, $3, $4::timestamptz, $4::timestamptz, case when $5::text is null then null else $4::timestamptz end, $5)
     returning id::text`,
    [alert.kind, alert.customerId, alert.message, alert.at.toISOString(), alert.acknowledgedBy ?? null],
  );
  return { id: row!.id, created: true };
}

/** `raiseAlertRow` by a person or a sweep, with its `alert.raised` audit event when the alert is new. */
export async function raiseAuditedAlert(sql: Sql, alert: AlertToRaise, actor: string): Promise<{ id: string; created: boolean }> {
  const raised = await raiseAlertRow(sql, alert);
  if (raised.created) {
    await appendAudit(sql, {
      entityType: 'manager_alert',
      entityId: raised.id,
      action: 'alert.raised',
      actor,
      reason: alert.message,
      after: { kind: alert.kind, customerId: alert.customerId, acknowledgedBy: alert.acknowledgedBy ?? null },
      at: alert.at,
    });
  }
  return raised;
}

export interface AlertRow {
  id: string;
  kind: AlertKindName;
  customerId: string | null;
  customerExternalId: string | null;
  customerName: string | null;
  message: string;
  raisedAt: Date;
  lastRaisedAt: Date;
  reRaiseCount: number;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  resolvedAt: Date | null;
  resolvedReason: string | null;
}

const ALERT_COLUMNS = `
  a.id::text, a.kind::text, a.customer_id::text as "customerId", cu.external_id as "customerExternalId",
  cu.name as "customerName", a.message, a.raised_at as "raisedAt", a.last_raised_at as "lastRaisedAt",
  a.re_raise_count as "reRaiseCount", a.acknowledged_at as "acknowledgedAt", a.acknowledged_by as "acknowledgedBy",
  a.resolved_at as "resolvedAt", a.resolved_reason as "resolvedReason"`;

export async function findAlert(db: Db, id: string): Promise<AlertRow | null> {
  const rows = await db.$queryRawUnsafe<AlertRow[]>(
    `select ${ALERT_COLUMNS} from manager_alerts a left join customers cu on cu.id = a.customer_id where a.id = $1::uuid`,
    id,
  );
  return rows[0] ?? null;
}

/**
 * Alerts, newest first. `open`: not acknowledged; `all`: every alert raised since `since`;
 * `digest`: not acknowledged, or raised (again) since `since`.
 */
export async function listAlertRows(
  db: Db,
  filter: { mode: 'open' | 'all' | 'digest'; since?: Date | null; limit?: number },
): Promise<AlertRow[]> {
  return db.$queryRawUnsafe<AlertRow[]>(
    `select ${ALERT_COLUMNS} from manager_alerts a left join customers cu on cu.id = a.customer_id
      where case $1::text
              when 'open' then a.acknowledged_at is null and a.resolved_at is null
              when 'digest' then (a.acknowledged_at is null and a.resolved_at is null) or a.last_raised_at >= $2::timestamptz
              else $2::timestamptz is null or a.last_raised_at >= $2::timestamptz
            end
      order by a.last_raised_at desc, a.id
      limit $3`,
    filter.mode,
    filter.since ?? null,
    filter.limit ?? 500,
  );
}

export async function acknowledgeAlertRow(sql: Sql, id: string, by: string, at: Date): Promise<boolean> {
  const changed = await sql.query(
    `update manager_alerts set acknowledged_at = $2::timestamptz, acknowledged_by = $3
      where id = $1::uuid and ${OPEN}
     returning id`,
    [id, at.toISOString(), by],
  );
  return changed.length === 1;
}

/**
 * Resolves the customer's open alerts of these kinds because their cause ended (a hold released,
 * a filing closed), with an `alert.resolved` audit event each. Returns the alerts resolved.
 */
export async function resolveAlertsOf(
  sql: Sql,
  what: { customerId: string; kinds: readonly AlertKindName[]; reason: string; actor: string; at: Date },
): Promise<string[]> {
  const resolved = await sql.query<{ id: string }>(
    `update manager_alerts set resolved_at = $3::timestamptz, resolved_reason = $4
      where customer_id = $1::uuid and kind = any($2::alert_kind[]) and ${OPEN}
     returning id::text`,
    [what.customerId, what.kinds, what.at.toISOString(), what.reason],
  );
  await appendAudit(
    sql,
    resolved.map((r) => ({
      entityType: 'manager_alert',
      entityId: r.id,
      action: 'alert.resolved',
      actor: what.actor,
      reason: what.reason,
      at: what.at,
    })),
  );
  return resolved.map((r) => r.id);
}

/**
 * Resolves open alerts whose cause has ended, whoever or whatever ended it (for the sweep): a
 * legal hold no longer in force, a bankruptcy filing closed, a broken promise once nothing is
 * overdue (the debt was paid, credited or written off), a credit limit no longer exceeded.
 */
export async function resolveEndedAlerts(prisma: PrismaClient, at: Date): Promise<string[]> {
  return inTransaction(prisma, async ({ sql }) => {
    const resolved = await sql.query<{ id: string; reason: string }>(
      `with ended as (
         select a.id, case a.kind
                  when 'legal_hold' then 'the legal hold was released'
                  when 'bankruptcy' then 'the bankruptcy filing was closed'
                  when 'broken_promise' then 'nothing is overdue any more'
                  else 'the open balance is within the credit limit' end as reason
           from manager_alerts a join customers cu on cu.id = a.customer_id
          where a.acknowledged_at is null and a.resolved_at is null
            and case a.kind
                  when 'legal_hold' then not exists (select 1 from legal_holds h where h.customer_id = cu.id and h.released_at is null)
                  when 'bankruptcy' then not exists (select 1 from bankruptcy_filings b where b.customer_id = cu.id
                                                        and b.discharged_at is null and b.dismissed_at is null)
                  when 'broken_promise' then not exists (select 1 from invoices i where i.customer_id = cu.id and i.status = 'open'
                                                            and i.open_balance_minor > 0
                                                            and i.due_date < ($1::timestamptz at time zone cu.time_zone)::date)
                  when 'credit_limit_crossed' then cu.credit_limit_minor is null
                    or coalesce((select sum(i.open_balance_minor) from invoices i where i.customer_id = cu.id and i.status = 'open'
                                  and i.currency = cu.currency), 0) <= cu.credit_limit_minor
                  else false end
       )
       update manager_alerts m set resolved_at = $1::timestamptz, resolved_reason = ended.reason
         from ended where m.id = ended.id
       returning m.id::text, ended.reason`,
      [at.toISOString()],
    );
    await appendAudit(
      sql,
      resolved.map((r) => ({
        entityType: 'manager_alert',
        entityId: r.id,
        action: 'alert.resolved',
        actor: 'system',
        reason: r.reason,
        at,
      })),
    );
    return resolved.map((r) => r.id);
  });
}

/** Unacknowledged alerts whose current round (`re_raise_count`) has not been delivered yet. */
export async function findUndeliveredAlerts(db: Db, limit: number): Promise<Array<{ id: string; round: number }>> {
  return db.$queryRaw`
    select a.id::text, a.re_raise_count as round from manager_alerts a
     where a.acknowledged_at is null and a.resolved_at is null
       and not exists (select 1 from audit_events e
                        where e.entity_type = 'manager_alert' and e.entity_id = a.id::text and e.action = 'alert.delivered'
                          and (e.after->>'round')::int = a.re_raise_count)
     order by a.last_raised_at
     limit ${limit}`;
}

export async function isAlertRoundDelivered(db: Db, id: string, round: number): Promise<boolean> {
  const [row] = await db.$queryRaw<Array<{ found: boolean }>>`
    select exists (select 1 from audit_events e
                    where e.entity_type = 'manager_alert' and e.entity_id = ${id} and e.action = 'alert.delivered'
                      and (e.after->>'round')::int = ${round}) as found`;
  return row?.found ?? false;
}

/** Bumps every unacknowledged alert last raised at or before `staleBefore`; returns them with their new round. */
export async function reRaiseStaleAlerts(prisma: PrismaClient, staleBefore: Date, at: Date): Promise<Array<{ id: string; round: number }>> {
  return inTransaction(prisma, async ({ sql }) => {
    const bumped = await sql.query<{ id: string; round: number }>(
      `update manager_alerts set re_raise_count = re_raise_count + 1, last_raised_at = $2::timestamptz
        where ${OPEN} and last_raised_at <= $1::timestamptz
       returning id::text, re_raise_count as round`,
      [staleBefore.toISOString(), at.toISOString()],
    );
    await appendAudit(
      sql,
      bumped.map((alert) => ({
        entityType: 'manager_alert',
        entityId: alert.id,
        action: 'alert.re_raised',
        actor: 'system',
        reason: 'not acknowledged in time',
        after: { round: alert.round },
        at,
      })),
    );
    return bumped;
  });
}

/** Who receives alerts: active users with the manager role. */
export function findManagers(db: Db): Promise<Array<{ email: string; name: string }>> {
  return db.user.findMany({ where: { role: 'manager', active: true }, select: { email: true, name: true }, orderBy: { email: 'asc' } });
}

// ───────────────────────────────────────── detection ─────────────────────────────────────────

/** A condition found by a scan, for a customer with no recent alert of that kind. */
export interface DetectedCondition {
  customerId: string;
  customerName: string;
  detail: string;
}

// A condition that still holds after its alert was acknowledged is raised again only after
// this many days, so an acknowledged alert is not raised again at every scan.
const QUIET = `not exists (select 1 from manager_alerts m where m.customer_id = cu.id and m.kind = $1::alert_kind
                 and ((m.acknowledged_at is null and m.resolved_at is null) or m.last_raised_at >= $2::timestamptz - interval '30 days'))`;

/** Customers whose open balance in their currency is over `customers.credit_limit_minor`. */
export async function detectCreditLimitCrossed(db: Db, now: Date): Promise<DetectedCondition[]> {
  const rows = await db.$queryRawUnsafe<
    Array<{ customerId: string; customerName: string; balance: string; limit: string; currency: string }>
  >(
    `select cu.id::text as "customerId", cu.name as "customerName", sum(i.open_balance_minor)::text as balance,
            cu.credit_limit_minor::text as "limit", cu.currency::text as currency
       from customers cu join invoices i on i.customer_id = cu.id and i.status = 'open' and i.currency = cu.currency
      where cu.credit_limit_minor is not null and ${QUIET}
      group by cu.id
     having sum(i.open_balance_minor) > cu.credit_limit_minor`,
    'credit_limit_crossed',
    now,
  );
  return rows.map((r) => ({
    customerId: r.customerId,
    customerName: r.customerName,
    detail: `open balance ${r.balance} ${r.currency} (minor units) is over the credit limit of ${r.limit}`,
  }));
}

/** Customers whose balance 60+ days past due in a currency is at or over that currency's threshold. */
export async function detectBalanceThreshold(
  db: Db,
  now: Date,
  thresholds: Readonly<Record<string, number>>,
): Promise<DetectedCondition[]> {
  const currencies = Object.keys(thresholds);
  if (currencies.length === 0) return [];
  const rows = await db.$queryRawUnsafe<
    Array<{ customerId: string; customerName: string; currency: string; over60: string; over90: string }>
  >(
    `select cu.id::text as "customerId", cu.name as "customerName", i.currency::text as currency,
            sum(i.open_balance_minor)::text as over60,
            sum(i.open_balance_minor) filter (where i.due_date <= (($2::timestamptz at time zone cu.time_zone)::date - 90))::text as over90
       from customers cu join invoices i on i.customer_id = cu.id and i.status = 'open' and i.open_balance_minor > 0
      where i.due_date <= (($2::timestamptz at time zone cu.time_zone)::date - 60)
        and i.currency = any($3::text[]) and ${QUIET}
      group by cu.id, i.currency`,
    'balance_threshold',
    now,
    currencies,
  );
  const found = new Map<string, DetectedCondition>();
  for (const row of rows) {
    const threshold = thresholds[row.currency] ?? Number.POSITIVE_INFINITY;
    const over90 = row.over90 === null ? 0n : BigInt(row.over90);
    const days = over90 >= BigInt(threshold) ? 90 : BigInt(row.over60) >= BigInt(threshold) ? 60 : null;
    if (days === null || found.has(row.customerId)) continue;
    const amount = days === 90 ? over90.toString() : row.over60;
    found.set(row.customerId, {
      customerId: row.customerId,
      customerName: row.customerName,
      detail: `${amount} ${row.currency} (minor units) is ${days}+ days past due, at or over the threshold of ${threshold}`,
    });
  }
  return [...found.values()];
}

/**
 * Customers with an open balance whom no channel reaches: every contact point is bounced or
 * invalid, or each of the last `lastN` outbound emails / SMS failed, bounced or was undelivered.
 */
export async function detectChannelsFailing(db: Db, now: Date, lastN: number): Promise<DetectedCondition[]> {
  const rows = await db.$queryRawUnsafe<Array<{ customerId: string; customerName: string; reason: string }>>(
    `select cu.id::text as "customerId", cu.name as "customerName",
            case when not exists (select 1 from contact_points p where p.customer_id = cu.id and p.bounced_at is null and p.invalid_at is null)
                 then 'every email address and phone number is bounced or invalid'
                 else 'the last ' || $3::int || ' emails and SMS all failed' end as reason
       from customers cu
      where exists (select 1 from invoices i where i.customer_id = cu.id and i.status = 'open' and i.open_balance_minor > 0)
        and (
          (exists (select 1 from contact_points p where p.customer_id = cu.id)
           and not exists (select 1 from contact_points p where p.customer_id = cu.id and p.bounced_at is null and p.invalid_at is null))
          or (select count(*) filter (where last.status in ('failed', 'bounced', 'undelivered')) = $3::int and count(*) = $3::int
                from (select c.status::text as status from contacts c
                       where c.customer_id = cu.id and c.direction = 'outbound' and c.channel in ('email', 'sms')
                         and c.status not in ('queued', 'sending', 'cancelled')
                       order by c.created_at desc limit $3::int) last)
        )
        and ${QUIET}`,
    'channels_failing',
    now,
    lastN,
  );
  return rows.map((r) => ({ customerId: r.customerId, customerName: r.customerName, detail: r.reason }));
}

// ───────────────────────────────────────── the alerts page ─────────────────────────────────────────

export type AlertState = 'open' | 'acknowledged' | 'resolved' | 'all';
export const ALERT_STATES: readonly AlertState[] = ['open', 'acknowledged', 'resolved', 'all'];
export const ALERT_KINDS: readonly AlertKindName[] = [
  'legal_hold',
  'broken_promise',
  'credit_limit_crossed',
  'balance_threshold',
  'channels_failing',
  'bankruptcy',
  'dispute_opened',
  'other',
];

const STATE_WHERE: Readonly<Record<AlertState, string>> = {
  open: 'a.acknowledged_at is null and a.resolved_at is null',
  acknowledged: 'a.acknowledged_at is not null',
  resolved: 'a.resolved_at is not null',
  all: 'true',
};

/** How many alerts of each kind are in a state. */
export async function countAlertsByKind(db: Db, state: AlertState): Promise<Map<AlertKindName, number>> {
  const rows = await db.$queryRawUnsafe<Array<{ kind: AlertKindName; count: number }>>(
    `select a.kind::text as kind, count(*)::int as count from manager_alerts a where ${STATE_WHERE[state]} group by a.kind`,
  );
  return new Map(rows.map((r) => [r.kind, r.count]));
}

/** Where a page of alerts starts: after this one (keyset on last_raised_at desc, id). */
export interface AlertCursor {
  lastRaisedAt: Date;
  id: string;
}

/**
 * One page of alerts in a state (and kind), newest first, from `after` on; `before` counts the
 * alerts on earlier pages so the page can say "51–100 of 272". Both walk an index on
 * (last_raised_at desc, id), with or without kind in front.
 */
export async function pageAlerts(
  db: Db,
  query: { state: AlertState; kind: AlertKindName | null; after: AlertCursor | null; limit: number },
): Promise<{ rows: AlertRow[]; next: AlertCursor | null; before: number }> {
  const where = `${STATE_WHERE[query.state]} and ($1::alert_kind is null or a.kind = $1::alert_kind)`;
  // Newest first, ties by id ascending: the order of the (last_raised_at desc, id) indexes.
  const keyset = `($2::timestamptz is null or a.last_raised_at < $2::timestamptz or (a.last_raised_at = $2::timestamptz and a.id > $3::uuid))`;
  const params = [query.kind, query.after?.lastRaisedAt ?? null, query.after?.id ?? null] as const;
  const [rows, before] = await Promise.all([
    db.$queryRawUnsafe<AlertRow[]>(
      `select ${ALERT_COLUMNS} from manager_alerts a left join customers cu on cu.id = a.customer_id
        where ${where} and ${keyset}
        order by a.last_raised_at desc, a.id
        limit $4`,
      ...params,
      query.limit + 1,
    ),
    query.after === null
      ? Promise.resolve([{ n: 0 }])
      : db.$queryRawUnsafe<Array<{ n: number }>>(
          `select count(*)::int as n from manager_alerts a
            where ${where} and (a.last_raised_at > $2::timestamptz or (a.last_raised_at = $2::timestamptz and a.id <= $3::uuid))`,
          ...params,
        ),
  ]);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    rows: page,
    next: rows.length > query.limit && last ? { lastRaisedAt: last.lastRaisedAt, id: last.id } : null,
    before: before[0]?.n ?? 0,
  };
}

/** Acknowledges those of `ids` that are still open; returns the ones it acknowledged. */
export async function acknowledgeAlertRows(sql: Sql, ids: readonly string[], by: string, at: Date): Promise<string[]> {
  const changed = await sql.query<{ id: string }>(
    `update manager_alerts set acknowledged_at = $2::timestamptz, acknowledged_by = $3
      where id = any($1::uuid[]) and ${OPEN}
     returning id::text`,
    [ids, at.toISOString(), by],
  );
  return changed.map((r) => r.id);
}
