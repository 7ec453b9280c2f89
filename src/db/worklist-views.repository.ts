import { currencyExponent, type RatesInForce } from '../core/money.js';
import type { Sql } from './sql.js';

// The worklist: customers to work, filtered, ranked and paged in SQL on the pre-aggregated
// `customer_balances` (kept by triggers on invoices), with amounts converted to the base currency
// in the query from the rates handed in. Nothing is sorted in Node and nothing is read per row.

/** Saved views: the collector's day, section by section, and the ledger by value. */
export const WORKLIST_VIEWS = ['today', 'calls', 'promises', 'disputes', 'overdue', 'all'] as const;
export type WorklistView = (typeof WORKLIST_VIEWS)[number];

/**
 * Account states the worklist filters by. `workable` (the default) leaves out accounts under a
 * legal hold, in bankruptcy or written off; `any` shows every account.
 */
export const WORKLIST_STATES = ['workable', 'active', 'paused', 'closed', 'legal_hold', 'bankruptcy', 'written_off', 'any'] as const;
export type WorklistState = (typeof WORKLIST_STATES)[number];

export const WORKLIST_SORTS = ['rank', 'name', 'overdue', 'balance', 'days', 'collector'] as const;
export type WorklistSort = (typeof WORKLIST_SORTS)[number];

export type CollectorFilter = { kind: 'all' } | { kind: 'unassigned' } | { kind: 'user'; id: string };

export interface WorklistQuery {
  view: WorklistView;
  collector: CollectorFilter;
  state: WorklistState;
  /** Name, external id, invoice number, email or phone (3+ characters); null = no search. */
  search: string | null;
  step: string | null;
  /** Oldest open invoice due within [from, to] (YYYY-MM-DD, either end open). */
  oldestDue: { from: string | null; to: string | null } | null;
  sort: WorklistSort;
  direction: 'asc' | 'desc';
  offset: number;
  limit: number;
  /** "Now", and the console's day it falls in (calls due by its end, promises due on or before it). */
  now: Date;
  today: string;
  endOfToday: Date;
  rates: RatesInForce;
}

/** Why an account is on the list today (the sections of the `today` view). */
export interface WorklistReasons {
  brokenPromise: boolean;
  promiseDue: boolean;
  callDue: boolean;
  openDispute: boolean;
}

export interface WorklistRow {
  customerId: string;
  externalId: string;
  name: string;
  currency: string;
  timeZone: string;
  collectorName: string | null;
  /** `legal_hold`, `bankruptcy`, `written_off`, else the case state (`none` without a case). */
  accountState: string;
  caseState: string | null;
  pauseReason: string | null;
  step: string | null;
  balanceMinor: bigint;
  overdueMinor: bigint;
  writtenOffMinor: bigint;
  openInvoices: number;
  oldestDueOn: string | null;
  /** Earliest open call task due by the end of today, if any. */
  callDueAt: Date | null;
  openTasks: number;
  openPromises: number;
  openDisputes: number;
  reasons: WorklistReasons;
}

export interface WorklistCurrencyTotal {
  currency: string;
  accounts: number;
  balanceMinor: bigint;
  overdueMinor: bigint;
}

export interface WorklistPage {
  rows: WorklistRow[];
  /** Accounts matching the filters, per currency (convert with `sumInBase`, never add raw). */
  totals: WorklistCurrencyTotal[];
  count: number;
}

/** `%…%` for ILIKE with the user's own % and _ taken literally. */
const contains = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The digits a phone search looks for: "0721 234 567" → "721234567" (national prefix dropped), "+40 721…" → "40721…". */
function phoneDigits(text: string): string | null {
  if (!/^\+?[\d\s().\-/]+$/.test(text)) return null;
  const digits = text.replace(/\D/g, '');
  const significant = text.trim().startsWith('+') ? digits : digits.replace(/^0+/, '');
  return significant.length >= 3 ? significant : null;
}

/** One page of the worklist, its count and its per-currency totals, in two statements. */
export async function findWorklistPage(sql: Sql, query: WorklistQuery): Promise<WorklistPage> {
  const values: unknown[] = [];
  const types: string[] = [];
  const param = (value: unknown, type: string) => {
    values.push(value);
    types.push(type);
    return `$${values.length}::${type}`;
  };
  const baseExponent = currencyExponent(query.rates.base);
  const fx = [
    { currency: query.rates.base, rate: '1', exponent: baseExponent },
    ...[...query.rates.rates.values()].map((r) => ({ currency: r.currency, rate: r.rate, exponent: currencyExponent(r.currency) })),
  ];
  const fxCurrencies = param(
    fx.map((f) => f.currency),
    'text[]',
  );
  const fxRates = param(
    fx.map((f) => f.rate),
    'numeric[]',
  );
  const fxExponents = param(
    fx.map((f) => f.exponent),
    'int[]',
  );
  const base = param(baseExponent, 'int');
  const now = param(query.now.toISOString(), 'timestamptz');
  const today = param(query.today, 'date');
  const endOfToday = param(query.endOfToday.toISOString(), 'timestamptz');

  const where: string[] = [];
  const joins: string[] = [];
  // Sections of the day: each a small indexed set, joined only when the view asks for it.
  const calls = `(select t.customer_id, min(t.due_at) as due_at from call_tasks t
                   where t.status = 'open' and t.due_at < ${endOfToday} group by t.customer_id)`;
  const promises = `(select p.customer_id, bool_or(p.status = 'broken') as broken, bool_or(p.status = 'open') as due
                       from promises_to_pay p
                      where (p.status = 'open' and p.promised_date <= ${today})
                         or (p.status = 'broken' and p.updated_at > ${now} - interval '30 days')
                      group by p.customer_id)`;
  const disputes = `(select d.customer_id, min(d.opened_at) as opened_at from disputes d where d.resolved_at is null group by d.customer_id)`;
  let rank: string;
  const byValue = 'overdue_base desc nulls last, a.oldest_due_on asc nulls last';
  switch (query.view) {
    case 'today':
      joins.push(`left join ${calls} ct on ct.customer_id = c.id`, `left join ${promises} pr on pr.customer_id = c.id`);
      joins.push(`left join ${disputes} ds on ds.customer_id = c.id`);
      where.push('(ct.customer_id is not null or pr.customer_id is not null or ds.customer_id is not null)');
      rank = `a.section asc, ${byValue}`;
      break;
    case 'calls':
      joins.push(`join ${calls} ct on ct.customer_id = c.id`);
      rank = `a.call_due_at asc, ${byValue}`;
      break;
    case 'promises':
      joins.push(`join ${promises} pr on pr.customer_id = c.id`);
      rank = `a.section asc, ${byValue}`;
      break;
    case 'disputes':
      joins.push(`join ${disputes} ds on ds.customer_id = c.id`);
      rank = `a.dispute_opened_at asc, ${byValue}`;
      break;
    case 'overdue':
      where.push('b.overdue_minor > 0');
      rank = byValue;
      break;
    case 'all':
      where.push('(b.balance_minor > 0 or b.written_off_minor > 0)');
      rank = byValue;
      break;
  }
  const sections = ['today', 'calls', 'promises', 'disputes'].includes(query.view);
  const has = (alias: string) => joins.some((j) => j.includes(` ${alias} on `));

  if (query.collector.kind === 'unassigned') where.push('c.assigned_collector_id is null');
  if (query.collector.kind === 'user') where.push(`c.assigned_collector_id = ${param(query.collector.id, 'uuid')}`);
  if (query.step !== null) where.push(`cc.current_step = ${param(query.step, 'text')}`);
  if (query.oldestDue?.from) where.push(`b.oldest_due_on >= ${param(query.oldestDue.from, 'date')}`);
  if (query.oldestDue?.to) where.push(`b.oldest_due_on <= ${param(query.oldestDue.to, 'date')}`);

  const bankrupt = `exists (select 1 from bankruptcy_filings f where f.customer_id = c.id and f.discharged_at is null and f.dismissed_at is null)`;
  const writtenOff = `(coalesce(b.balance_minor, 0) = 0 and coalesce(b.written_off_minor, 0) > 0)`;
  // A hold placed through the services also sets the case state; a hold row alone (an older import) counts too.
  const legalHold = `(cc.state = 'legal_hold' or exists (select 1 from legal_holds h where h.customer_id = c.id and h.released_at is null))`;
  switch (query.state) {
    case 'workable':
      where.push(`not ${bankrupt}`, `not ${writtenOff}`, `not ${legalHold}`);
      break;
    case 'legal_hold':
      where.push(legalHold);
      break;
    case 'bankruptcy':
      where.push(bankrupt);
      break;
    case 'written_off':
      where.push(writtenOff);
      break;
    case 'any':
      break;
    default:
      where.push(`cc.state = ${param(query.state, 'case_state')}`);
  }

  if (query.search !== null) {
    const pattern = param(contains(query.search), 'text');
    const lowered = param(contains(query.search.toLowerCase()), 'text');
    const digits = phoneDigits(query.search);
    const phone = digits === null ? '' : `union select cp.customer_id from contact_points cp where lower(cp.value) like ${param(contains(digits), 'text')}`;
    where.push(`c.id in (
      select m.id from customers m where m.name ilike ${pattern} or m.external_id ilike ${pattern}
      union select i.customer_id from invoices i where i.number ilike ${pattern}
      union select cp.customer_id from contact_points cp where lower(cp.value) like ${lowered}
      ${phone})`);
  }

  const fxJoin = `left join unnest(${fxCurrencies}, ${fxRates}, ${fxExponents}) as fx(currency, rate, exponent) on fx.currency = b.currency`;
  const from = `from customers c
      left join customer_balances b on b.customer_id = c.id
      left join collection_cases cc on cc.customer_id = c.id
      ${joins.join('\n      ')}
     where ${where.length > 0 ? where.join('\n       and ') : 'true'}`;

  const direction = query.direction === 'asc' ? 'asc' : 'desc';
  const flip = query.direction === 'asc' ? 'desc' : 'asc';
  const order: Record<WorklistSort, string> = {
    rank: query.direction === 'asc' ? rank : reverse(rank),
    name: `a.name ${direction}, a.external_id ${direction}`,
    overdue: `overdue_base ${direction} nulls last, a.external_id asc`,
    balance: `balance_base ${direction} nulls last, a.external_id asc`,
    // Days past due, most first when descending: the oldest due date first.
    days: `a.oldest_due_on ${flip} nulls last, a.external_id asc`,
    collector: `a.collector_name ${direction} nulls last, a.name asc`,
  };

  const convert = (column: string) =>
    `case when fx.rate is null then null else round(${column} * power(10::numeric, ${base} - fx.exponent) / fx.rate) end`;
  const pageSql = `
    with a as (
      select c.id, c.external_id, c.name, c.currency, c.time_zone, u.name as collector_name,
             cc.state::text as case_state, cc.pause_reason::text as pause_reason, cc.current_step,
             coalesce(b.balance_minor, 0) as balance_minor, coalesce(b.overdue_minor, 0) as overdue_minor,
             coalesce(b.written_off_minor, 0) as written_off_minor, coalesce(b.open_invoices, 0) as open_invoices, b.oldest_due_on,
             ${convert('coalesce(b.overdue_minor, 0)')} as overdue_base,
             ${convert('coalesce(b.balance_minor, 0)')} as balance_base,
             ${has('ct') ? 'ct.due_at' : 'null::timestamptz'} as call_due_at,
             ${has('ds') ? 'ds.opened_at' : 'null::timestamptz'} as dispute_opened_at,
             ${
               sections
                 ? `case when ${has('pr') ? 'pr.broken' : 'false'} then 1 when ${has('pr') ? 'pr.due' : 'false'} then 2
                         when ${has('ct') ? 'ct.customer_id is not null' : 'false'} then 3 else 4 end`
                 : '0'
             } as section
        ${from.replace('left join collection_cases cc', `${fxJoin}\n      left join users u on u.id = c.assigned_collector_id\n      left join collection_cases cc`)}
    )
    select a.id::text, a.external_id, a.name, a.currency::text, a.time_zone, a.collector_name, a.case_state, a.pause_reason,
           a.current_step, a.balance_minor::text, a.overdue_minor::text, a.written_off_minor::text, a.open_invoices::int,
           a.oldest_due_on::text, a.call_due_at,
           case when exists (select 1 from bankruptcy_filings f where f.customer_id = a.id and f.discharged_at is null and f.dismissed_at is null)
                then 'bankruptcy'
                when a.case_state = 'legal_hold' or exists (select 1 from legal_holds h where h.customer_id = a.id and h.released_at is null)
                then 'legal_hold'
                when a.balance_minor = 0 and a.written_off_minor > 0 then 'written_off'
                else coalesce(a.case_state, 'none') end as account_state,
           (select count(*) from call_tasks t where t.customer_id = a.id and t.status = 'open')::int as open_tasks,
           (select count(*) from promises_to_pay p where p.customer_id = a.id and p.status = 'open')::int as open_promises,
           (select count(*) from disputes d where d.customer_id = a.id and d.resolved_at is null)::int as open_disputes,
           exists (select 1 from promises_to_pay p where p.customer_id = a.id and p.status = 'broken'
                    and p.updated_at > ${now} - interval '30 days') as broken_promise,
           exists (select 1 from promises_to_pay p where p.customer_id = a.id and p.status = 'open' and p.promised_date <= ${today}) as promise_due,
           exists (select 1 from call_tasks t where t.customer_id = a.id and t.status = 'open' and t.due_at < ${endOfToday}) as call_due
      from a
     order by ${order[query.sort]}, a.id asc
     limit ${param(query.limit, 'int')} offset ${param(query.offset, 'int')}`;
  // The totals share the page's parameters; the ones they do not use are typed here (Postgres
  // refuses a parameter it cannot type).
  const totalsSql = `
    with parameters as (select ${types.map((type, i) => `$${i + 1}::${type}`).join(', ')})
    select coalesce(b.currency, c.currency)::text as currency, count(*)::int as accounts,
           coalesce(sum(b.balance_minor), 0)::text as balance, coalesce(sum(b.overdue_minor), 0)::text as overdue
      ${from}
     group by 1 order by 1`;

  const [rows, totals] = await Promise.all([
    sql.query<Record<string, unknown>>(pageSql, values),
    sql.query<{ currency: string; accounts: number; balance: string; overdue: string }>(totalsSql, values),
  ]);
  return {
    rows: rows.map(toRow),
    totals: totals.map((t) => ({ currency: t.currency, accounts: t.accounts, balanceMinor: BigInt(t.balance), overdueMinor: BigInt(t.overdue) })),
    count: totals.reduce((n, t) => n + t.accounts, 0),
  };
}

/** Flips every asc/desc of an ORDER BY list, keeping where nulls go. */
function reverse(order: string): string {
  return order.replace(/\b(asc|desc)\b/g, (d) => (d === 'asc' ? 'desc' : 'asc'));
}

function toRow(r: Record<string, unknown>): WorklistRow {
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    customerId: String(r.id),
    externalId: String(r.external_id),
    name: String(r.name),
    currency: String(r.currency),
    timeZone: String(r.time_zone),
    collectorName: text(r.collector_name),
    accountState: String(r.account_state),
    caseState: text(r.case_state),
    pauseReason: text(r.pause_reason),
    step: text(r.current_step),
    balanceMinor: BigInt(String(r.balance_minor)),
    overdueMinor: BigInt(String(r.overdue_minor)),
    writtenOffMinor: BigInt(String(r.written_off_minor)),
    openInvoices: Number(r.open_invoices),
    oldestDueOn: text(r.oldest_due_on),
    callDueAt: r.call_due_at === null || r.call_due_at === undefined ? null : new Date(String(r.call_due_at)),
    openTasks: Number(r.open_tasks),
    openPromises: Number(r.open_promises),
    openDisputes: Number(r.open_disputes),
    reasons: {
      brokenPromise: Boolean(r.broken_promise),
      promiseDue: Boolean(r.promise_due),
      callDue: Boolean(r.call_due),
      openDispute: Number(r.open_disputes) > 0,
    },
  };
}

/** The ladder steps cases are in, for the worklist's filter. */
export async function findCaseSteps(sql: Sql): Promise<string[]> {
  const rows = await sql.query<{ step: string }>(
    `select distinct current_step as step from collection_cases where current_step is not null and current_step <> '' order by 1`,
  );
  return rows.map((r) => r.step);
}
