import { addDays, type IsoDate } from '../core/dates.js';
import type { AppliedAllocation, ContactEvent, PromiseOutcome, ReceivedPayment } from '../reports/collections.report.js';
import { withRecordedBalance, type DailySales, type LedgerInvoice, type LedgerPayment, type Receivables } from '../reports/ledger.js';
import type { PaidInvoiceRecord } from '../reports/payment-prediction.js';
import type { StatementCustomer } from '../reports/statement.js';
import { Prisma, type PrismaClient, type PrismaTransaction } from './client.js';
import type { CopyOut } from './sql.js';
import type { SerialisedAgingRows } from '../reports/aging.report.js';

// The reads behind the reports: a few set-based queries whose size follows the window asked
// about, never a query per customer. Dates leave Postgres as `YYYY-MM-DD` text and instants as
// the customer's local date, so the report modules only ever compare calendar dates.

type Db = PrismaClient | PrismaTransaction;

function minor(value: string | number | bigint, what: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new RangeError(`${what} ${String(value)} is not a safe integer of minor units`);
  return parsed;
}

function customerFilter(column: string, customerIds: readonly string[] | undefined): Prisma.Sql {
  return customerIds === undefined ? Prisma.empty : Prisma.sql`and ${Prisma.raw(column)} = any(${customerIds as string[]}::uuid[])`;
}

interface InvoiceRow {
  id: string;
  customerId: string;
  number: string;
  currency: string;
  amountMinor: string;
  openBalanceMinor: string;
  issuedOn: string;
  dueOn: string;
  timeZone: string;
  knownOn: string;
  settlements: Array<{ on: string; amountMinor: string; reversedOn: string | null }>;
  writtenOffOn: string | null;
  writtenOffMinor: string | null;
}

/**
 * Receivables (invoices not void) issued on or before `until` that may have been owed at some
 * point after `since`: issued after it, still open, or with a payment, reversal, write-off or
 * balance change after it. An invoice settled by `since` with nothing since cannot owe anything
 * later, so it is not read. A write-off settles what it wrote off on its local date: the invoice
 * counts as owed before that day and not from it, so a past as-of date stays right.
 */
export async function loadLedgerInvoices(
  db: Db,
  window: { since: IsoDate; until: IsoDate; customerIds?: readonly string[] },
): Promise<LedgerInvoice[]> {
  const rows = await db.$queryRaw<InvoiceRow[]>`
    select i.id, i.customer_id as "customerId", i.number, i.currency,
           i.amount_minor::text as "amountMinor", i.open_balance_minor::text as "openBalanceMinor",
           to_char(i.issue_date, 'YYYY-MM-DD') as "issuedOn", to_char(i.due_date, 'YYYY-MM-DD') as "dueOn",
           c.time_zone as "timeZone", to_char(k.known_on, 'YYYY-MM-DD') as "knownOn",
           coalesce(s.settlements, '[]'::json) as settlements,
           to_char(w.written_off_on, 'YYYY-MM-DD') as "writtenOffOn", i.written_off_minor::text as "writtenOffMinor"
      from invoices i
      join customers c on c.id = i.customer_id
      cross join lateral (select (coalesce(i.paid_at, i.created_at) at time zone c.time_zone)::date as known_on) k
      cross join lateral (select (i.written_off_at at time zone c.time_zone)::date as written_off_on) w
      left join lateral (
        select json_agg(json_build_object(
                 'on', to_char(p.received_on, 'YYYY-MM-DD'),
                 'amountMinor', a.amount_minor::text,
                 'reversedOn', to_char((a.reversed_at at time zone c.time_zone)::date, 'YYYY-MM-DD'))) as settlements,
               coalesce(sum(a.amount_minor) filter (where a.reversed_at is null), 0) as applied_minor,
               max(greatest(p.received_on, (a.reversed_at at time zone c.time_zone)::date)) as last_event_on
          from payment_allocations a
          join payments p on p.id = a.payment_id
         where a.invoice_id = i.id
      ) s on true
     where i.status <> 'void'
       and i.issue_date <= ${window.until}::date
       ${customerFilter('i.customer_id', window.customerIds)}
       and (i.issue_date > ${window.since}::date
            or i.open_balance_minor <> 0
            or s.last_event_on > ${window.since}::date
            or w.written_off_on > ${window.since}::date
            or (i.amount_minor - i.open_balance_minor - coalesce(s.applied_minor, 0) <> 0 and k.known_on > ${window.since}::date))`;
  return rows.map((row) =>
    withRecordedBalance(
      {
        id: row.id,
        customerId: row.customerId,
        number: row.number,
        currency: row.currency,
        amountMinor: minor(row.amountMinor, 'invoice amount'),
        issuedOn: row.issuedOn,
        dueOn: row.dueOn,
        timeZone: row.timeZone,
        settlements: [
          ...row.settlements.map((s) => ({ on: s.on, amountMinor: minor(s.amountMinor, 'allocation'), reversedOn: s.reversedOn })),
          ...(row.writtenOffOn !== null && row.writtenOffMinor !== null
            ? [{ on: row.writtenOffOn, amountMinor: minor(row.writtenOffMinor, 'write-off'), reversedOn: null }]
            : []),
        ],
      },
      minor(row.openBalanceMinor, 'open balance'),
      row.knownOn,
    ),
  );
}

interface PaymentRow {
  id: string;
  customerId: string;
  currency: string;
  amountMinor: string;
  receivedOn: string;
  allocations: Array<{ amountMinor: string; reversedOn: string | null }>;
}

/**
 * Payments received on or before `asOf` that may have had an unapplied remainder that day:
 * not fully applied now, or with an allocation reversed after it.
 */
export async function loadLedgerPayments(db: Db, options: { asOf: IsoDate; customerIds?: readonly string[] }): Promise<LedgerPayment[]> {
  const rows = await db.$queryRaw<PaymentRow[]>`
    select p.id, p.customer_id as "customerId", p.currency, p.amount_minor::text as "amountMinor",
           to_char(p.received_on, 'YYYY-MM-DD') as "receivedOn", coalesce(s.allocations, '[]'::json) as allocations
      from payments p
      join customers c on c.id = p.customer_id
      left join lateral (
        select json_agg(json_build_object(
                 'amountMinor', a.amount_minor::text,
                 'reversedOn', to_char((a.reversed_at at time zone c.time_zone)::date, 'YYYY-MM-DD'))) as allocations,
               coalesce(sum(a.amount_minor) filter (where a.reversed_at is null), 0) as applied_minor,
               max((a.reversed_at at time zone c.time_zone)::date) as last_reversal_on
          from payment_allocations a
         where a.payment_id = p.id
      ) s on true
     where p.received_on <= ${options.asOf}::date
       ${customerFilter('p.customer_id', options.customerIds)}
       and (p.amount_minor <> coalesce(s.applied_minor, 0) or s.last_reversal_on > ${options.asOf}::date)`;
  return rows.map((row) => ({
    id: row.id,
    customerId: row.customerId,
    currency: row.currency,
    amountMinor: minor(row.amountMinor, 'payment amount'),
    receivedOn: row.receivedOn,
    allocations: row.allocations.map((a) => ({ amountMinor: minor(a.amountMinor, 'allocation'), reversedOn: a.reversedOn })),
  }));
}

/** The report fields of these customers. */
export async function loadReportCustomers(db: Db, ids: readonly string[]): Promise<StatementCustomer[]> {
  if (ids.length === 0) return [];
  const rows = await db.customer.findMany({
    where: { id: { in: [...new Set(ids)] } },
    select: { id: true, externalId: true, name: true, locale: true, timeZone: true },
  });
  return rows;
}

/** One customer by its ERP id, or null. */
export async function findReportCustomer(db: Db, externalId: string): Promise<StatementCustomer | null> {
  return db.customer.findUnique({
    where: { externalId },
    select: { id: true, externalId: true, name: true, locale: true, timeZone: true },
  });
}

interface PaidRow {
  customerId: string;
  dueOn: string;
  paidOn: string;
}

/**
 * Fully paid invoices with the local date their last (unreversed) allocation was received,
 * paid from `since` to `asOf`, newest first; `limit` keeps a portfolio-wide sample bounded.
 */
export async function loadPaidHistory(
  db: Db,
  options: { since: IsoDate; asOf: IsoDate; customerIds?: readonly string[]; limit?: number },
): Promise<PaidInvoiceRecord[]> {
  // A portfolio sample (`limit`) starts from the invoices settled most recently (paid_at is the
  // settling payment's local day; index on status, paid_at) instead of every paid invoice's
  // allocations: twice the sample, in case some were settled by payments received before `since`
  // (and as many marked paid without a settling day, whose date only their allocations can tell).
  const { limit } = options;
  const sample = limit !== undefined;
  const recent = sample
    ? Prisma.sql`with recent as materialized (
        (select r.id from invoices r
          where r.status = 'paid' and r.paid_at >= ${options.since}::date - interval '2 days'
          order by r.paid_at desc limit ${limit * 2})
        union all
        (select r.id from invoices r where r.status = 'paid' and r.paid_at is null order by r.status, r.paid_at limit ${limit * 2}))`
    : Prisma.empty;
  const rows = await db.$queryRaw<PaidRow[]>`
    ${recent}
    select i.customer_id as "customerId", to_char(i.due_date, 'YYYY-MM-DD') as "dueOn", to_char(paid.on, 'YYYY-MM-DD') as "paidOn"
      from ${sample ? Prisma.sql`recent join invoices i on i.id = recent.id` : Prisma.sql`invoices i`}
      join customers c on c.id = i.customer_id
      cross join lateral (
        select coalesce(max(p.received_on), (i.paid_at at time zone c.time_zone)::date) as on
          from payment_allocations a
          join payments p on p.id = a.payment_id
         where a.invoice_id = i.id and a.reversed_at is null
      ) paid
     where i.status = 'paid' and i.open_balance_minor = 0
       and paid.on between ${options.since}::date and ${options.asOf}::date
       ${customerFilter('i.customer_id', options.customerIds)}
     order by paid.on desc, i.id
     ${sample ? Prisma.sql`limit ${limit}` : Prisma.empty}`;
  return rows;
}

interface ActivityRow {
  kind: 'payment' | 'allocation' | 'contact' | 'promise';
  collectorId: string | null;
  collectorName: string | null;
  currency: string | null;
  amountMinor: string | null;
  on: string;
  reversedOn: string | null;
  channel: string | null;
  direction: 'outbound' | 'inbound' | null;
  status: string | null;
}

/** Everything the collections report counts between `from` and `to`, with each customer's collector. */
export async function loadCollectionsActivity(
  db: Db,
  window: { from: IsoDate; to: IsoDate },
): Promise<{ payments: ReceivedPayment[]; allocations: AppliedAllocation[]; contacts: ContactEvent[]; promises: PromiseOutcome[] }> {
  const { from, to } = window;
  // Contacts are found by instant first (indexed), a day either side for the zones, then kept by
  // their local date.
  const rows = await db.$queryRaw<ActivityRow[]>`
    with activity as (
      select 'payment' as kind, p.customer_id, p.currency, p.amount_minor::text as amount_minor,
             p.received_on as on_date, null::date as reversed_on, null as channel, null as direction, null as status
        from payments p
       where p.received_on between ${from}::date and ${to}::date
      union all
      select 'allocation', p.customer_id, p.currency, a.amount_minor::text, p.received_on,
             (a.reversed_at at time zone c.time_zone)::date, null, null, null
        from payment_allocations a
        join payments p on p.id = a.payment_id
        join customers c on c.id = p.customer_id
       where p.received_on between ${from}::date and ${to}::date
      union all
      select 'contact', t.customer_id, null, null, (coalesce(t.sent_at, t.created_at) at time zone c.time_zone)::date,
             null, t.channel::text, t.direction::text, t.status::text
        from contacts t
        join customers c on c.id = t.customer_id
       where t.status in ('sent', 'delivered')
         and coalesce(t.sent_at, t.created_at) >= ${addDays(from, -1)}::date
         and coalesce(t.sent_at, t.created_at) < ${addDays(to, 2)}::date
         and (coalesce(t.sent_at, t.created_at) at time zone c.time_zone)::date between ${from}::date and ${to}::date
      union all
      select 'promise', pr.customer_id, pr.currency, pr.amount_minor::text, pr.promised_date, null, null, null, pr.status::text
        from promises_to_pay pr
       where pr.status in ('kept', 'broken') and pr.promised_date between ${from}::date and ${to}::date
    )
    select x.kind, u.id as "collectorId", u.name as "collectorName", x.currency, x.amount_minor as "amountMinor",
           to_char(x.on_date, 'YYYY-MM-DD') as "on", to_char(x.reversed_on, 'YYYY-MM-DD') as "reversedOn",
           x.channel, x.direction, x.status
      from activity x
      join customers c on c.id = x.customer_id
      left join users u on u.id = c.assigned_collector_id`;

  const result = {
    payments: [] as ReceivedPayment[],
    allocations: [] as AppliedAllocation[],
    contacts: [] as ContactEvent[],
    promises: [] as PromiseOutcome[],
  };
  for (const row of rows) {
    const collector = { id: row.collectorId, name: row.collectorName ?? 'unassigned' };
    const amountMinor = row.amountMinor === null ? 0 : minor(row.amountMinor, row.kind);
    if (row.kind === 'payment') result.payments.push({ collector, currency: row.currency ?? '', amountMinor, receivedOn: row.on });
    if (row.kind === 'allocation') {
      result.allocations.push({ collector, currency: row.currency ?? '', amountMinor, on: row.on, reversedOn: row.reversedOn });
    }
    if (row.kind === 'contact') {
      result.contacts.push({
        collector,
        channel: row.channel ?? '',
        direction: row.direction ?? 'outbound',
        status: row.status ?? '',
        on: row.on,
      });
    }
    if (row.kind === 'promise') result.promises.push({ collector, status: row.status ?? '', on: row.on });
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Set-based receivables: the aging, DSO and CEI reports computed in SQL, without reading each
// invoice's settlements. An invoice's balance at the end of a date d (issued by then) is its
// open balance now, corrected by the settlements whose counting differs between d and now:
//
//   balance(d) = open balance now
//              + each unreversed settlement dated after d (counted now, not yet on d)
//              − each reversed settlement counted on d (dated on or before d, reversed after d)
//
// because today's open balance is the invoice's amount less its unreversed settlements (an
// import's recorded balance becomes one settlement dated the day Arrears knew of it, as
// src/reports/ledger.ts withRecordedBalance counts it). So only invoices with an event after
// the earliest date asked are read one by one ("adjustments": few for a recent date); every
// other receivable counts its open balance now, read from the partial index of open invoices.

/**
 * Each settlement whose counting differs between some date on or after `since` and now, as an
 * adjustment: `amount` is added to the invoice's open balance on dates d with
 * `from_on <= d < until_on` (`from_on` null: no lower bound). Instants become dates in the
 * customer's zone; they are first bounded by the earliest instant that is already after
 * `since` in any zone (UTC+14), so each branch is an index range.
 */
function adjustmentsSince(since: IsoDate): Prisma.Sql {
  const after = Prisma.sql`((${since}::date + 1)::timestamp at time zone 'UTC' - interval '14 hours')`;
  return Prisma.sql`
    select a.invoice_id, a.amount_minor as amount, null::date as from_on, p.received_on as until_on
      from payments p join payment_allocations a on a.payment_id = p.id
     where p.received_on > ${since}::date and a.reversed_at is null
    union all
    select a.invoice_id, -a.amount_minor, p.received_on, r.on_date
      from payment_allocations a
      join payments p on p.id = a.payment_id
      join invoices i on i.id = a.invoice_id
      join customers c on c.id = i.customer_id
      cross join lateral (select (a.reversed_at at time zone c.time_zone)::date as on_date) r
     where a.reversed_at >= ${after} and r.on_date > ${since}::date and r.on_date > p.received_on
    union all
    select i.id, i.written_off_minor, null::date, w.on_date
      from invoices i
      join customers c on c.id = i.customer_id
      cross join lateral (select (i.written_off_at at time zone c.time_zone)::date as on_date) w
     where i.written_off_at >= ${after} and i.written_off_minor is not null and w.on_date > ${since}::date
    union all
    select k.id, u.unexplained, null::date, k.on_date
      from (
        -- the zone first, the allocations only for what is left (offset 0 keeps the order)
        select i.id, i.amount_minor, i.open_balance_minor, i.written_off_at, i.written_off_minor,
               greatest((coalesce(i.paid_at, i.created_at) at time zone c.time_zone)::date, i.issue_date) as on_date
          from invoices i
          join customers c on c.id = i.customer_id
         where coalesce(i.paid_at, i.created_at) >= ${after}
           and greatest((coalesce(i.paid_at, i.created_at) at time zone c.time_zone)::date, i.issue_date) > ${since}::date
        offset 0
      ) k
      cross join lateral (
        select k.amount_minor - k.open_balance_minor
               - coalesce((select sum(x.amount_minor) from payment_allocations x where x.invoice_id = k.id and x.reversed_at is null), 0)
               - case when k.written_off_at is not null then coalesce(k.written_off_minor, 0) else 0 end as unexplained
      ) u
     where u.unexplained <> 0`;
}

export interface CustomerBucketRow {
  customer: StatementCustomer;
  currency: string;
  /** Minor units per bucket index (0: current), every index present. */
  amounts: number[];
}

/**
 * The open balances at the end of `asOf` bucketed by age (`basis` date to `asOf`, buckets after
 * `edges` as src/core/aging.ts cuts them), per customer and currency: one row per customer and
 * currency with at least one invoice owing a non-zero amount that day.
 */
export async function loadAgingBalances(
  db: Db,
  options: { asOf: IsoDate; basis: 'due' | 'invoice'; edges: readonly number[] },
): Promise<CustomerBucketRow[]> {
  const { asOf } = options;
  // width_bucket counts the thresholds at or below the age: 0 for current (age ≤ 0), then one per edge.
  const thresholds = [1, ...options.edges.map((e) => e + 1)];
  const aged = Prisma.raw(options.basis === 'due' ? 'due_date' : 'issue_date');
  const [result] = await db.$queryRaw<Array<{ rows: string }>>`
    with adj as (${adjustmentsSince(asOf)}),
    moved as (
      select invoice_id,
             coalesce(sum(amount) filter (where (from_on is null or from_on <= ${asOf}::date) and ${asOf}::date < until_on), 0) as delta
        from adj group by invoice_id
    ),
    items as (
      select i.customer_id, i.currency, i.${aged} as aged_from, i.open_balance_minor as balance
        from invoices i
       where i.open_balance_minor <> 0 and i.status <> 'void' and i.issue_date <= ${asOf}::date
         and not exists (select 1 from moved m where m.invoice_id = i.id)
      union all
      select i.customer_id, i.currency, i.${aged}, i.open_balance_minor + m.delta
        from moved m join invoices i on i.id = m.invoice_id
       where i.status <> 'void' and i.issue_date <= ${asOf}::date and i.open_balance_minor + m.delta <> 0
    ),
    bucketed as (
      select customer_id, currency, width_bucket(${asOf}::date - aged_from, ${thresholds}::int[]) as bucket, sum(balance) as amount
        from items group by 1, 2, 3
    ),
    per_customer as (
      select customer_id, currency, string_agg(bucket || ':' || amount, ',') as amounts from bucketed group by 1, 2
    )
    select coalesce(json_agg(json_build_array(c.id, c.external_id, c.name, c.locale, c.time_zone, pc.currency, pc.amounts)), '[]')::text as rows
      from per_customer pc join customers c on c.id = pc.customer_id`;
  const rows = JSON.parse(result?.rows ?? '[]') as Array<[string, string, string, string, string, string, string]>;
  return rows.map(([id, externalId, name, locale, timeZone, currency, amounts]) => {
    const buckets = thresholds.map(() => 0).concat(0);
    for (const part of amounts.split(',')) {
      const [bucket, amount] = part.split(':') as [string, string];
      buckets[Number(bucket)] = minor(amount, 'aged balance');
    }
    return { customer: { id, externalId, name, locale, timeZone }, currency, amounts: buckets };
  });
}

/** The buckets `customer_aging` holds: days past due, the default edges (src/core/aging.ts). */
export const PREAGGREGATED_AGING = { basis: 'due', edges: [30, 60, 90] } as const;

/**
 * The statement parts shared by the refresh and the read of `customer_aging` for `asOf`: the
 * customers whose rows cannot be used as stored (`moved_customers`: a settlement after `asOf`;
 * `stale`: marked by a trigger, holding for other dates, or written with other labels) and their
 * rows computed from their open invoices (`computed`, with `spans` for the stale ones).
 *
 * The rows' JSON is built here, not by JSON.stringify: the report's keys in its order, strings
 * escaped by Postgres's `to_json` (the same escapes as JSON.stringify: quote, backslash, and
 * \b \f \n \r \t or \u00xx below U+0020), amounts as integers; set-based-reports.test.ts
 * compares the bytes with JSON.stringify's.
 */
function preaggregatedAgingCtes(asOf: IsoDate, labels: readonly string[]): { ctes: Prisma.Sql; format: string } {
  const thresholds = [1, ...PREAGGREGATED_AGING.edges.map((e) => e + 1)];
  const n = thresholds.length;
  if (labels.length !== n + 1) throw new RangeError(`the pre-aggregated aging has ${n + 1} buckets, not ${labels.length} labels`);
  const format = JSON.stringify(labels);
  const buckets = Prisma.join(
    labels.map(
      (label, i) =>
        Prisma.sql`${(i === 0 ? '{' : ',') + JSON.stringify(label) + ':'}::text || coalesce(sum(amount) filter (where bucket = ${i}), 0)`,
    ),
    ' || ',
  );
  const ctes = Prisma.sql`
    adj as (${adjustmentsSince(asOf)}),
    moved as (
      select invoice_id,
             coalesce(sum(amount) filter (where (from_on is null or from_on <= ${asOf}::date) and ${asOf}::date < until_on), 0) as delta
        from adj group by invoice_id
    ),
    moved_customers as (select distinct i.customer_id from moved m join invoices i on i.id = m.invoice_id),
    -- customers with a settlement after the as-of date: every open invoice, corrected
    moved_items as (
      select i.customer_id, i.currency, width_bucket(${asOf}::date - i.due_date, ${thresholds}::int[]) as bucket,
             i.open_balance_minor + coalesce(m.delta, 0) as balance
        from moved_customers mc
        join invoices i on i.customer_id = mc.customer_id
        left join moved m on m.invoice_id = i.id
       where i.status <> 'void' and i.issue_date <= ${asOf}::date and i.open_balance_minor + coalesce(m.delta, 0) <> 0
    ),
    stale as (
      select a.customer_id, a.version from customer_aging a
       where (a.valid_until is null or a.valid_from > ${asOf}::date or a.valid_until <= ${asOf}::date or a.format <> ${format})
         and not exists (select 1 from moved_customers mc where mc.customer_id = a.customer_id)
    ),
    stale_items as (
      select i.customer_id, i.currency, i.issue_date, i.due_date, i.open_balance_minor as balance,
             width_bucket(${asOf}::date - i.due_date, ${thresholds}::int[]) as bucket
        from stale s
        join invoices i on i.customer_id = s.customer_id and i.open_balance_minor <> 0 and i.status <> 'void'
    ),
    spans as (
      select customer_id,
             max(case when issue_date <= ${asOf}::date
                      then greatest(issue_date, case when bucket = 0 then '-infinity'::date else due_date + (${thresholds}::int[])[bucket] end)
                 end) as valid_from,
             min(case when issue_date > ${asOf}::date then issue_date
                      when bucket = ${n} then 'infinity'::date
                      else due_date + (${thresholds}::int[])[bucket + 1] end) as valid_until
        from stale_items group by customer_id
    ),
    items as (
      select customer_id, currency, bucket, balance from stale_items where issue_date <= ${asOf}::date
      union all
      select customer_id, currency, bucket, balance from moved_items
    ),
    bucketed as (select customer_id, currency, bucket, sum(balance) as amount from items group by 1, 2, 3),
    per_currency as (
      select customer_id, currency, string_agg(bucket || ':' || amount, ',' order by bucket) as amounts,
             ${buckets} || '}' as buckets, sum(amount) as total
        from bucketed group by 1, 2
    ),
    computed as (
      select pc.customer_id, c.external_id,
             string_agg('{"customer":{"id":' || to_json(c.id::text)::text || ',"externalId":' || to_json(c.external_id)::text
                        || ',"name":' || to_json(c.name)::text || ',"locale":' || to_json(c.locale)::text
                        || ',"timeZone":' || to_json(c.time_zone)::text || '},"currency":' || to_json(pc.currency)::text
                        || ',"buckets":' || pc.buckets || ',"totalMinor":' || pc.total || '}',
                        ',' order by pc.currency collate "und-x-icu") as report_rows,
             string_agg(pc.currency || '|' || pc.amounts, ';' order by pc.currency collate "und-x-icu") as amounts
        from per_currency pc join customers c on c.id = pc.customer_id
       group by pc.customer_id, c.id
    )`;
  return { ctes, format };
}

/**
 * Computes the `customer_aging` rows that are stale or hold for other dates than `asOf` and
 * stores them (the default buckets, labelled `labels`), with the span for which each holds:
 * until an invoice moves to its next bucket or one issued after `asOf` starts counting. A row is
 * stored only when no writer touched the customer meanwhile: locked without waiting (`skip
 * locked`), and written only if the version read with the invoices is still the row's (a
 * trigger that committed since bumped it, and the update's recheck then skips the row: the
 * next report computes it again). Returns how many rows it stored.
 */
export async function refreshAgingRows(db: Db, asOf: IsoDate, labels: readonly string[]): Promise<number> {
  const { ctes, format } = preaggregatedAgingCtes(asOf, labels);
  const [result] = await db.$queryRaw<Array<{ stored: number }>>`
    with ${ctes},
    fresh as (
      select s.customer_id, s.version, coalesce(c.external_id, '') as external_id, coalesce(c.report_rows, '') as report_rows,
             coalesce(c.amounts, '') as amounts,
             coalesce(sp.valid_from, '-infinity'::date) as valid_from, coalesce(sp.valid_until, 'infinity'::date) as valid_until
        from stale s left join computed c using (customer_id) left join spans sp using (customer_id)
    ),
    locked as (
      select a.customer_id from customer_aging a
       where a.customer_id in (select customer_id from stale)
       order by a.customer_id
         for update of a skip locked
    ),
    stored as (
      update customer_aging a
         set external_id = f.external_id, report_rows = f.report_rows, amounts = f.amounts, format = ${format},
             valid_from = f.valid_from, valid_until = f.valid_until
        from fresh f
       where a.customer_id = f.customer_id and a.version = f.version and a.customer_id in (select customer_id from locked)
      returning 1
    )
    select count(*)::int as stored from stored`;
  return result?.stored ?? 0;
}

/**
 * The report's customer rows on `asOf` from `customer_aging` (migrations
 * 20261206173000_customer_aging, 20261206190000_customer_aging_report_rows), in one statement:
 * the stored rows that hold for `asOf`, except customers with a settlement whose counting differs
 * between `asOf` and now (the same adjustments as the exact path: computed invoice by invoice
 * here), and the rows that are stale in this statement's snapshot computed here, not stored (call
 * `refreshAgingRows` first, so that there are few). Ordered by external id in the `und-x-icu`
 * collation, which the report checks against its own.
 */
function preaggregatedAgingRows(asOf: IsoDate, labels: readonly string[]): Prisma.Sql {
  const { ctes, format } = preaggregatedAgingCtes(asOf, labels);
  return Prisma.sql`
    with ${ctes}
    select external_id, amounts, report_rows from (
      select a.external_id, a.amounts, a.report_rows from customer_aging a
       where a.valid_until is not null and a.valid_from <= ${asOf}::date and ${asOf}::date < a.valid_until
         and a.format = ${format} and a.report_rows <> ''
         and not exists (select 1 from moved_customers mc where mc.customer_id = a.customer_id)
      union all
      select external_id, amounts, report_rows from computed
    ) answer
    order by external_id collate "und-x-icu"`;
}

/** Reads `preaggregatedAgingRows` through Prisma (every row decoded), for the CLI and tests; the API uses `copyAgingRowsPreaggregated`. */
export async function loadAgingRowsPreaggregated(db: Db, asOf: IsoDate, labels: readonly string[]): Promise<SerialisedAgingRows> {
  await refreshAgingRows(db, asOf, labels);
  const rows = await db.$queryRaw<
    Array<{ external_id: string; amounts: string; report_rows: string }>
  >`${preaggregatedAgingRows(asOf, labels)}`;
  const result = emptyRows(labels.length);
  for (const row of rows) addStoredRow(result, row.external_id, row.amounts);
  return { ...result, json: Buffer.from(rows.map((r) => r.report_rows).join(',')) };
}

/**
 * The same rows by `COPY … TO STDOUT (FORMAT binary)`: the rows' JSON stays bytes, never decoded
 * into JavaScript strings (at 100k customers, 28 MB that would be decoded from UTF-8 and encoded
 * again to be sent). COPY takes no parameters, so the statement's values are written as literals.
 */
export async function copyAgingRowsPreaggregated(
  db: Db,
  copy: CopyOut,
  asOf: IsoDate,
  labels: readonly string[],
): Promise<SerialisedAgingRows> {
  await refreshAgingRows(db, asOf, labels);
  const bytes = await copy.copyOut(`copy (${inlineValues(preaggregatedAgingRows(asOf, labels))}) to stdout (format binary)`);
  const result = emptyRows(labels.length);
  // Each row's JSON moves down over the COPY framing already read, with a comma between rows: the
  // rows end up joined in the buffer's first `end` bytes, without a buffer per row.
  let end = 0;
  for (const { length, at } of binaryCopyRows(bytes, 3)) {
    addStoredRow(result, bytes.toString('utf8', at[0]!, at[0]! + length[0]!), bytes.toString('latin1', at[1]!, at[1]! + length[1]!));
    if (end > 0) bytes[end++] = 0x2c;
    bytes.copyWithin(end, at[2]!, at[2]! + length[2]!);
    end += length[2]!;
  }
  return { ...result, json: bytes.subarray(0, end) };
}

type RowsBeingRead = Omit<SerialisedAgingRows, 'json'> & {
  externalIds: string[];
  currencyCounts: number[];
  currencies: string[];
  amounts: number[];
};

function emptyRows(buckets: number): RowsBeingRead {
  return { buckets, externalIds: [], currencyCounts: [], currencies: [], amounts: [] };
}

/** Adds a customer's external id and its stored balances ("EUR|0:1200,2:300;USD|1:5") to `rows`. */
function addStoredRow(rows: RowsBeingRead, externalId: string, amounts: string): void {
  rows.externalIds.push(externalId);
  let count = 0;
  for (const part of amounts.split(';')) {
    const bar = part.indexOf('|');
    rows.currencies.push(part.slice(0, bar));
    const base = rows.amounts.length;
    for (let i = 0; i < rows.buckets; i += 1) rows.amounts.push(0);
    for (const pair of part.slice(bar + 1).split(',')) {
      const colon = pair.indexOf(':');
      rows.amounts[base + Number(pair.slice(0, colon))] = minor(pair.slice(colon + 1), 'aged balance');
    }
    count += 1;
  }
  rows.currencyCounts.push(count);
}

/**
 * A statement with its parameters written in as literals (for COPY): strings quoted (standard
 * strings: a quote doubled, backslashes as they are), numbers as they are, arrays of numbers as
 * array literals. Only what these statements pass.
 */
function inlineValues(statement: Prisma.Sql): string {
  const literal = (value: unknown): string => {
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
    if (Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v))) return `'{${value.join(',')}}'`;
    throw new TypeError(`cannot write ${typeof value} as a literal`);
  };
  const { values } = statement;
  return statement.text.replace(/\$(\d+)/g, (_, index: string) => literal(values[Number(index) - 1]));
}

/**
 * The rows of `COPY … (FORMAT binary)` output (https://www.postgresql.org/docs/current/sql-copy.html):
 * each field's length (-1: null) and where its bytes start. The same arrays are reused for every row.
 */
function* binaryCopyRows(bytes: Buffer, count: number): Generator<{ length: number[]; at: number[] }> {
  const signature = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
  if (bytes.length < 19 || !bytes.subarray(0, 11).equals(signature)) throw new Error('not the output of COPY (FORMAT binary)');
  let offset = 19 + bytes.readInt32BE(15);
  const row = { length: new Array<number>(count).fill(0), at: new Array<number>(count).fill(0) };
  for (;;) {
    const fields = bytes.readInt16BE(offset);
    offset += 2;
    if (fields === -1) return;
    if (fields !== count) throw new Error(`COPY sent ${fields} fields, not ${count}`);
    for (let i = 0; i < count; i += 1) {
      const length = bytes.readInt32BE(offset);
      offset += 4;
      row.length[i] = length;
      row.at[i] = offset;
      if (length > 0) offset += length;
    }
    yield row;
  }
}

/**
 * Unapplied payments per currency at the end of `asOf`: received by then, less the allocations
 * counted that day. Read from the payments with something unapplied now (partial index) and
 * those with an allocation reversed after `asOf` (which was applied then, not now).
 */
export async function loadUnappliedCredit(db: Db, asOf: IsoDate): Promise<Map<string, number>> {
  const rows = await db.$queryRaw<Array<{ currency: string; amount: string }>>`
    with candidates as (
      select p.id from payments p where p.unapplied_minor <> 0 and p.received_on <= ${asOf}::date
      union
      select a.payment_id from payment_allocations a
       where a.reversed_at >= ((${asOf}::date + 1)::timestamp at time zone 'UTC' - interval '14 hours')
    )
    select p.currency, sum(p.amount_minor - coalesce(s.applied, 0))::text as amount
      from candidates x
      join payments p on p.id = x.id
      join customers c on c.id = p.customer_id
      cross join lateral (
        select sum(a.amount_minor) as applied from payment_allocations a
         where a.payment_id = p.id and (a.reversed_at is null or (a.reversed_at at time zone c.time_zone)::date > ${asOf}::date)
      ) s
     where p.received_on <= ${asOf}::date
     group by p.currency`;
  return new Map(rows.map((r) => [r.currency, minor(r.amount, 'unapplied credit')]));
}

/**
 * Receivables per currency at the end of each date (total, and the part not yet past due: due
 * on or after the date), with whether any invoice owed a non-zero amount then (a currency with
 * none is absent, as when counted invoice by invoice).
 */
export async function loadReceivablesAt(db: Db, dates: readonly IsoDate[]): Promise<Map<IsoDate, Map<string, Receivables>>> {
  const result = new Map<IsoDate, Map<string, Receivables>>(dates.map((d) => [d, new Map()]));
  if (dates.length === 0) return result;
  const since = [...dates].sort()[0]!;
  const rows = await db.$queryRaw<Array<{ on: string; currency: string; total: string; current: string }>>`
    with adj as (${adjustmentsSince(since)}),
    d as (select distinct on_date from unnest(${[...dates]}::date[]) as t(on_date)),
    moved as (select distinct invoice_id from adj),
    -- the invoices with an adjustment, one by one on each date
    moved_at as (
      select i.currency, x.on_date, i.due_date, i.open_balance_minor + x.delta as balance
        from (
          select a.invoice_id, d.on_date,
                 coalesce(sum(a.amount) filter (where (a.from_on is null or a.from_on <= d.on_date) and d.on_date < a.until_on), 0) as delta
            from adj a cross join d group by 1, 2
        ) x
        join invoices i on i.id = x.invoice_id
       where i.status <> 'void' and i.issue_date <= x.on_date
    ),
    -- every other open invoice owes its open balance on each date from its issue date
    still as (
      select i.currency, i.issue_date, i.due_date, sum(i.open_balance_minor) as balance
        from invoices i
       where i.open_balance_minor <> 0 and i.status <> 'void'
         and not exists (select 1 from moved m where m.invoice_id = i.id)
       group by 1, 2, 3
    ),
    items as (
      select currency, on_date, due_date, balance from moved_at where balance <> 0
      union all
      select s.currency, d.on_date, s.due_date, s.balance from still s join d on s.issue_date <= d.on_date
    )
    select to_char(on_date, 'YYYY-MM-DD') as on, currency, sum(balance)::text as total,
           coalesce(sum(balance) filter (where due_date >= on_date), 0)::text as current
      from items group by 1, 2`;
  for (const row of rows) {
    result
      .get(row.on)
      ?.set(row.currency, { totalMinor: minor(row.total, 'receivables'), currentMinor: minor(row.current, 'current receivables') });
  }
  return result;
}

/** Credit sales (receivables issued, any status but void) per currency and issue date, the whole ledger. */
export async function loadDailySales(db: Db): Promise<DailySales[]> {
  const rows = await db.$queryRaw<Array<{ currency: string; issuedOn: string; amount: string }>>`
    select currency, to_char(issue_date, 'YYYY-MM-DD') as "issuedOn", sum(amount_minor)::text as amount
      from invoices where status <> 'void' group by currency, issue_date`;
  return rows.map((r) => ({ currency: r.currency, issuedOn: r.issuedOn, amountMinor: minor(r.amount, 'credit sales') }));
}
