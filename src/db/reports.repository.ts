import { addDays, type IsoDate } from '../core/dates.js';
import type { AppliedAllocation, ContactEvent, PromiseOutcome, ReceivedPayment } from '../reports/collections.report.js';
import { withRecordedBalance, type LedgerInvoice, type LedgerPayment } from '../reports/ledger.js';
import type { PaidInvoiceRecord } from '../reports/payment-prediction.js';
import type { StatementCustomer } from '../reports/statement.js';
import { Prisma, type PrismaClient, type PrismaTransaction } from './client.js';

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
  const rows = await db.$queryRaw<PaidRow[]>`
    select i.customer_id as "customerId", to_char(i.due_date, 'YYYY-MM-DD') as "dueOn", to_char(paid.on, 'YYYY-MM-DD') as "paidOn"
      from invoices i
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
     ${options.limit === undefined ? Prisma.empty : Prisma.sql`limit ${options.limit}`}`;
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
