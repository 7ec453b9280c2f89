import { currencyExponent, knownCurrencies, type RatesInForce } from '../core/money.js';
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

/** `minor` (a column of the customer's currency) in base minor units, rounded half-up; null without a rate. */
function toBaseSql(column: string, rates: RatesInForce, param: (value: unknown, type: string) => string): string {
  const baseExponent = currencyExponent(rates.base);
  const branches = [
    `when ${param(rates.base, 'text')} then ${column}::numeric`,
    ...[...rates.rates.values()].map((r) => {
      // minor × 10^(e_base − e_currency) / rate, the same arithmetic as convertToBase
      const shift = baseExponent - currencyExponent(r.currency);
      const scale = shift >= 0 ? `1${'0'.repeat(shift)}` : `0.${'0'.repeat(-shift - 1)}1`;
      return `when ${param(r.currency, 'text')} then round(${column}::numeric * ${param(scale, 'numeric')} / ${param(r.rate, 'numeric')})`;
    }),
  ];
  return `(case b.currency::text ${branches.join(' ')} end)`;
}

/**
 * One page of the worklist, its count and its per-currency totals, in one statement: the accounts
 * matching the filters are found once, and both the page and the totals are taken from them. The
 * page is ranked on `customer_balances` alone where it can be (one table, top-N), and only its
 * rows are joined to customers, cases and users.
 */
export async function findWorklistPage(sql: Sql, query: WorklistQuery): Promise<WorklistPage> {
  const values: unknown[] = [];
  const param = (value: unknown, type: string) => {
    values.push(value);
    return `$${values.length}::${type}`;
  };
  const now = param(query.now.toISOString(), 'timestamptz');
  const today = param(query.today, 'date');
  const endOfToday = param(query.endOfToday.toISOString(), 'timestamptz');

  // Sections of the day: each a small indexed set of customers, with what ranks them.
  const parts: string[] = [];
  const wants = (view: WorklistView) => query.view === view || query.view === 'today';
  if (wants('promises')) {
    parts.push(`select p.customer_id, case when p.status = 'broken' then 1 else 2 end as section,
                       null::timestamptz as call_due_at, null::timestamptz as dispute_opened_at
                  from promises_to_pay p
                 where (p.status = 'open' and p.promised_date <= ${today})
                    or (p.status = 'broken' and p.updated_at > ${now} - interval '30 days')`);
  }
  if (wants('calls')) {
    parts.push(`select t.customer_id, 3 as section, t.due_at as call_due_at, null::timestamptz as dispute_opened_at
                  from call_tasks t where t.status = 'open' and t.due_at < ${endOfToday}`);
  }
  if (wants('disputes')) {
    parts.push(`select d.customer_id, 4 as section, null::timestamptz as call_due_at, d.opened_at as dispute_opened_at
                  from disputes d where d.resolved_at is null`);
  }
  const sections = parts.length > 0;

  const joins: string[] = [];
  const where: string[] = [];
  if (sections) {
    joins.push(`join (select x.customer_id, min(x.section) as section, min(x.call_due_at) as call_due_at,
                             min(x.dispute_opened_at) as dispute_opened_at
                        from (${parts.join('\n union all ')}) x group by x.customer_id) s on s.customer_id = b.customer_id`);
  }
  if (query.view === 'overdue') where.push('b.overdue_minor > 0');
  if (query.view === 'all') where.push('(b.balance_minor > 0 or b.written_off_minor > 0)');

  if (query.collector.kind === 'unassigned') where.push('b.collector_id is null');
  if (query.collector.kind === 'user') where.push(`b.collector_id = ${param(query.collector.id, 'uuid')}`);
  if (query.oldestDue?.from) where.push(`b.oldest_due_on >= ${param(query.oldestDue.from, 'date')}`);
  if (query.oldestDue?.to) where.push(`b.oldest_due_on <= ${param(query.oldestDue.to, 'date')}`);

  // Legal holds and bankruptcies are few: anti-joins on their small sets, not a join of every case.
  const legalHold = `b.customer_id in (select h.customer_id from legal_holds h where h.released_at is null)`;
  const bankrupt = `b.customer_id in (select f.customer_id from bankruptcy_filings f where f.discharged_at is null and f.dismissed_at is null)`;
  const writtenOff = `(b.balance_minor = 0 and b.written_off_minor > 0)`;
  let needsCase = query.step !== null;
  switch (query.state) {
    case 'workable':
      // A legal hold is a legal_holds row (placing one also sets the case state): no join of every case.
      where.push(`not ${bankrupt}`, `not ${writtenOff}`, `not ${legalHold}`);
      break;
    case 'legal_hold':
      where.push(`(${legalHold} or cc.state = 'legal_hold')`);
      needsCase = true;
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
      needsCase = true;
  }
  if (query.step !== null) where.push(`cc.current_step = ${param(query.step, 'text')}`);
  if (needsCase) joins.push('left join collection_cases cc on cc.customer_id = b.customer_id');

  const needsCustomer = query.sort === 'name' || query.sort === 'collector';
  if (needsCustomer) joins.push('join customers c on c.id = b.customer_id');
  if (query.sort === 'collector') joins.push('left join users u on u.id = b.collector_id');
  if (query.search !== null) {
    const pattern = param(contains(query.search), 'text');
    const lowered = param(contains(query.search.toLowerCase()), 'text');
    const digits = phoneDigits(query.search);
    const phone =
      digits === null
        ? ''
        : `union all select cp.customer_id from contact_points cp where lower(cp.value) like ${param(contains(digits), 'text')}`;
    // `in` keeps each account once: the branches need no `union` of their own to remove repeats.
    where.push(`b.customer_id in (
      select m.id from customers m where m.name ilike ${pattern} or m.external_id ilike ${pattern}
      union all select i.customer_id from invoices i where i.number ilike ${pattern}
      union all select cp.customer_id from contact_points cp where lower(cp.value) like ${lowered}
      ${phone})`);
  }

  const from = `from customer_balances b
      ${joins.join('\n      ')}
     where ${where.length > 0 ? where.join('\n       and ') : 'true'}`;

  // The raw overdue amount after the converted one keeps the order exact across the per-currency walk below.
  const byValue = 'overdue_base desc nulls last, overdue_minor desc, oldest_due_on asc nulls last';
  const rank = {
    today: `section asc, ${byValue}`,
    calls: `call_due_at asc, ${byValue}`,
    promises: `section asc, ${byValue}`,
    disputes: `dispute_opened_at asc, ${byValue}`,
    overdue: byValue,
    all: byValue,
  }[query.view];
  const direction = query.direction === 'asc' ? 'asc' : 'desc';
  const flip = query.direction === 'asc' ? 'desc' : 'asc';
  const order: Record<WorklistSort, string> = {
    rank: query.direction === 'asc' ? rank : reverse(rank),
    name: `name ${direction}, external_id ${direction}`,
    overdue: `overdue_base ${direction} nulls last`,
    balance: `balance_base ${direction} nulls last`,
    // Days past due, most first when descending: the oldest due date first.
    days: `oldest_due_on ${flip} nulls last`,
    collector: `collector_name ${direction} nulls last, name asc`,
  };

  const columns = `b.customer_id, b.oldest_due_on, b.overdue_minor,
           ${toBaseSql('b.overdue_minor', query.rates, param)} as overdue_base,
           ${toBaseSql('b.balance_minor', query.rates, param)} as balance_base,
           ${sections ? 's.section, s.call_due_at, s.dispute_opened_at' : '0 as section, null::timestamptz as call_due_at, null::timestamptz as dispute_opened_at'},
           ${needsCustomer ? 'c.name, c.external_id' : 'null::text as name, null::text as external_id'},
           ${query.sort === 'collector' ? 'u.name' : 'null::text'} as collector_name`;
  const limit = param(query.limit, 'int');
  const offset = param(query.offset, 'int');
  // Ranked by value over the whole ledger: the conversion to the base currency is monotonic within
  // a currency, so the page is among each currency's first offset+limit rows by overdue amount
  // (an index walk each) — a top-N of a few hundred rows instead of a sort of every account.
  const byIndex =
    (query.view === 'overdue' || query.view === 'all') && query.search === null && query.sort === 'rank' && query.direction === 'asc';
  // The accounts matching the filters are found once and kept for both the page and the totals;
  // beside the index walk, the totals add up the ledger in one pass and keep nothing.
  const matching = `matching as ${byIndex ? 'not materialized' : 'materialized'} (select b.currency, b.balance_minor, ${columns} ${from})`;
  const ranked = byIndex
    ? `
    select k.* from unnest(${param(knownCurrencies(), 'text[]')}) as currency(code)
     cross join lateral (
           select ${columns}
             ${from} and b.currency = currency.code::char(3)
            order by b.overdue_minor desc, b.oldest_due_on asc nulls last, b.customer_id asc
            limit ${limit} + ${offset}
          ) k
     order by ${order.rank}, customer_id asc
     limit ${limit} offset ${offset}`
    : `
    select * from matching
     order by ${order[query.sort]}, customer_id asc
     limit ${limit} offset ${offset}`;
  // Every row carries the totals (as JSON text, the same through both drivers); a page past the
  // end is one row with the totals and no customer.
  const rows = await sql.query<Record<string, unknown>>(
    `
    with ${matching},
    r as materialized (${ranked}),
    totals as (select b.currency::text as currency, count(*)::int as accounts,
                      sum(b.balance_minor)::text as balance, sum(b.overdue_minor)::text as overdue
                 from matching b group by 1)
    select t.totals, c.id::text, c.external_id, c.name, c.currency::text, c.time_zone, u.name as collector_name,
           cc.state::text as case_state, cc.pause_reason::text as pause_reason, cc.current_step,
           b.balance_minor::text, b.overdue_minor::text, b.written_off_minor::text, b.open_invoices::int,
           b.oldest_due_on::text, r.call_due_at,
           case when exists (select 1 from bankruptcy_filings f where f.customer_id = c.id and f.discharged_at is null and f.dismissed_at is null)
                then 'bankruptcy'
                when cc.state = 'legal_hold' or exists (select 1 from legal_holds h where h.customer_id = c.id and h.released_at is null)
                then 'legal_hold'
                when b.balance_minor = 0 and b.written_off_minor > 0 then 'written_off'
                else coalesce(cc.state::text, 'none') end as account_state,
           (select count(*) from call_tasks t where t.customer_id = c.id and t.status = 'open')::int as open_tasks,
           (select count(*) from promises_to_pay p where p.customer_id = c.id and p.status = 'open')::int as open_promises,
           (select count(*) from disputes d where d.customer_id = c.id and d.resolved_at is null)::int as open_disputes,
           exists (select 1 from promises_to_pay p where p.customer_id = c.id and p.status = 'broken'
                    and p.updated_at > ${now} - interval '30 days') as broken_promise,
           exists (select 1 from promises_to_pay p where p.customer_id = c.id and p.status = 'open' and p.promised_date <= ${today}) as promise_due,
           exists (select 1 from call_tasks t where t.customer_id = c.id and t.status = 'open' and t.due_at < ${endOfToday}) as call_due
      from (select coalesce(json_agg(totals order by currency), '[]')::text as totals from totals) t
      left join (r
           join customer_balances b on b.customer_id = r.customer_id
           join customers c on c.id = r.customer_id
           left join collection_cases cc on cc.customer_id = r.customer_id
           left join users u on u.id = c.assigned_collector_id) on true
     order by ${order[query.sort].replace(/\b(name|external_id|collector_name|overdue_minor|oldest_due_on|overdue_base|balance_base|section|call_due_at|dispute_opened_at)\b/g, 'r.$1')}, r.customer_id asc`,
    values,
  );
  const totals = JSON.parse(String(rows[0]!.totals)) as Array<{ currency: string; accounts: number; balance: string; overdue: string }>;
  return {
    rows: rows.filter((r) => r.id !== null).map(toRow),
    totals: totals.map((t) => ({
      currency: t.currency,
      accounts: t.accounts,
      balanceMinor: BigInt(t.balance),
      overdueMinor: BigInt(t.overdue),
    })),
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

/**
 * Why calling this customer needs care, or null: an active legal hold (the case is with a lawyer
 * or agency) or an open bankruptcy filing (collection is stayed). The call form warns with it.
 */
export async function findContactRestriction(sql: Sql, customerId: string): Promise<'legal_hold' | 'bankruptcy' | null> {
  const [row] = await sql.query<{ restriction: 'legal_hold' | 'bankruptcy' | null }>(
    `select case
              when exists (select 1 from bankruptcy_filings f where f.customer_id = $1::uuid and f.discharged_at is null and f.dismissed_at is null)
              then 'bankruptcy'
              when exists (select 1 from legal_holds h where h.customer_id = $1::uuid and h.released_at is null)
                or exists (select 1 from collection_cases cc where cc.customer_id = $1::uuid and cc.state = 'legal_hold')
              then 'legal_hold'
            end as restriction`,
    [customerId],
  );
  return row?.restriction ?? null;
}

/** The warning a collector sees after logging a call on a restricted account. */
export const CONTACT_RESTRICTION_WARNINGS = {
  legal_hold: 'Warning: this account is under a legal hold; contact about the debt goes through the agency or lawyer named on the hold.',
  bankruptcy: 'Warning: this customer is in bankruptcy; collection is stayed, do not ask for payment.',
} as const;
