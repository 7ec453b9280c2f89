import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { daysBetween } from '../../core/dates.js';
import { convertToBase, formatMoney, sumInBase, type RatesInForce } from '../../core/money.js';
import type { PrismaClient } from '../../db/client.js';
import { refreshOverdue } from '../../db/customer-balances.repository.js';
import { loadRatesInForce } from '../../db/exchange-rates.repository.js';
import { autoCommit } from '../../db/transaction.js';
import { listUsers } from '../../db/users.repository.js';
import {
  WORKLIST_SORTS,
  WORKLIST_STATES,
  WORKLIST_VIEWS,
  findCaseSteps,
  findWorklistPage,
  type CollectorFilter,
  type WorklistQuery,
  type WorklistRow,
  type WorklistSort,
  type WorklistState,
  type WorklistView,
} from '../../db/worklist-views.repository.js';
import { roleAtLeast } from '../../users/scopes.js';
import type { ConsoleHelpers } from './console.plugin.js';

export const WORKLIST_PAGE_SIZE = 50;
/** Deepest page served: offset paging stays cheap this far, and nobody reads further than a search. */
export const WORKLIST_MAX_PAGE = 400;

const VIEW_LABELS: Readonly<Record<WorklistView, string>> = {
  today: 'Today',
  calls: 'Calls due',
  promises: 'Promises due or broken',
  disputes: 'Disputes to resolve',
  overdue: 'Highest value overdue',
  all: 'All accounts',
};
const VIEW_CAPTIONS: Readonly<Record<WorklistView, string>> = {
  today:
    'what needs doing today: broken promises, then promises due, then calls due, then open disputes; within each, the highest overdue amount first',
  calls: 'open call tasks due by the end of today, the earliest first',
  promises: 'promises due today or earlier, and promises broken in the last 30 days; broken ones first',
  disputes: 'accounts with an open dispute, the oldest dispute first',
  overdue: 'accounts with an overdue balance, the highest first (in the base currency)',
  all: 'every account with an open balance, or written off',
};
const STATE_LABELS: Readonly<Record<WorklistState, string>> = {
  workable: 'Workable (no legal hold, bankruptcy or write-off)',
  active: 'Active',
  paused: 'Paused',
  closed: 'Closed',
  legal_hold: 'Legal hold',
  bankruptcy: 'Bankruptcy',
  written_off: 'Written off',
  any: 'Any state',
};
const SORT_COLUMNS: ReadonlyArray<{ sort: WorklistSort; label: string; numeric?: boolean; first: 'asc' | 'desc' }> = [
  { sort: 'name', label: 'Customer', first: 'asc' },
  { sort: 'overdue', label: 'Overdue', numeric: true, first: 'desc' },
  { sort: 'balance', label: 'Open balance', numeric: true, first: 'desc' },
  { sort: 'days', label: 'Days past due', numeric: true, first: 'desc' },
  { sort: 'collector', label: 'Collector', first: 'asc' },
];
const BUCKETS = ['current', '1-30', '31-60', '61-90', '90+'] as const;
const PARAMETERS = new Set(['view', 'collector', 'state', 'q', 'step', 'bucket', 'sort', 'dir', 'page']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STEP = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$/;

class BadParameter extends Error {}

export interface WorklistRouteOptions {
  prisma: PrismaClient;
  baseCurrency: string;
  clock: () => Date;
}

/** `/console/worklist`: the collector's day as saved views, search, sortable columns, base-currency totals and pages. */
export function registerWorklistRoutes(app: FastifyInstance, helpers: ConsoleHelpers, options: WorklistRouteOptions): void {
  const sql = autoCommit(options.prisma);
  app.get<{ Querystring: Record<string, string | string[] | undefined> }>(
    '/worklist',
    { config: { role: 'collector' } },
    async (request, reply) => {
      const principal = request.principal!;
      const now = options.clock();
      const day = DateTime.fromJSDate(now).setZone(helpers.readerZone(request));
      const today = day.toISODate()!;
      // Overdue amounts are refreshed for the customers an invoice fell due for since the last request.
      const [collectors, , rates] = await Promise.all([
        listUsers(options.prisma),
        refreshOverdue(sql, now),
        loadRatesInForce(sql, options.baseCurrency, today),
      ]);
      let parsed: Parsed;
      try {
        parsed = parseQuery(request.query, {
          isManager: roleAtLeast(principal.role, 'manager'),
          me: principal.userId,
          userIds: new Set(collectors.map((u) => u.id)),
          today: day,
        });
      } catch (error) {
        if (error instanceof BadParameter) return helpers.errorPage(request, reply, 400, error.message);
        throw error;
      }
      const query: WorklistQuery = {
        ...parsed.query,
        offset: (parsed.page - 1) * WORKLIST_PAGE_SIZE,
        limit: WORKLIST_PAGE_SIZE,
        now,
        today,
        endOfToday: day.plus({ days: 1 }).startOf('day').toJSDate(),
        rates,
      };
      const [page, steps] = await Promise.all([findWorklistPage(sql, query), caseSteps(sql, now)]);
      if (parsed.query.step !== null && !steps.includes(parsed.query.step)) {
        return helpers.errorPage(request, reply, 400, `step: no case is at the step "${parsed.query.step}".`);
      }
      return render(request, reply, helpers, { parsed, page, rates, collectors, steps, principal: { id: principal.userId }, now });
    },
  );
}

// The steps cases are at change with each tick, not with each page view.
let stepsCache: { at: number; steps: Promise<string[]> } | null = null;
function caseSteps(sql: ReturnType<typeof autoCommit>, now: Date): Promise<string[]> {
  if (stepsCache === null || Math.abs(now.getTime() - stepsCache.at) > 60_000) {
    stepsCache = { at: now.getTime(), steps: findCaseSteps(sql) };
    stepsCache.steps.catch(() => (stepsCache = null));
  }
  return stepsCache.steps;
}

interface Parsed {
  query: Omit<WorklistQuery, 'offset' | 'limit' | 'now' | 'today' | 'endOfToday' | 'rates'>;
  page: number;
  /** What the form shows (the values as given, defaults filled in). */
  form: {
    view: WorklistView;
    collector: string;
    state: WorklistState;
    q: string;
    step: string;
    bucket: string;
    sort: WorklistSort;
    dir: 'asc' | 'desc';
  };
  /** Parameters given explicitly, carried into links. */
  given: Record<string, string>;
}

/** Reads the query string strictly: an unknown parameter or value is a 400 naming it, never ignored. */
function parseQuery(
  raw: Record<string, string | string[] | undefined>,
  context: { isManager: boolean; me: string; userIds: ReadonlySet<string>; today: DateTime },
): Parsed {
  const given: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!PARAMETERS.has(key)) throw new BadParameter(`${key}: the worklist has no parameter "${key}".`);
    if (Array.isArray(value)) throw new BadParameter(`${key}: given more than once.`);
    if (value !== undefined && value.trim() !== '') given[key] = value.trim();
  }
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const value = given[key];
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) throw new BadParameter(`${key}: "${value}" is not one of ${allowed.join(', ')}.`);
    return value as T;
  };
  const q = given.q ?? '';
  if (q !== '' && q.length < 3) throw new BadParameter('q: type at least 3 characters to search.');
  if (q.length > 100) throw new BadParameter('q: at most 100 characters.');
  const searching = q !== '';
  // A search looks everywhere unless told otherwise; the views start from the collector's own, workable accounts.
  const view = oneOf('view', WORKLIST_VIEWS, searching ? 'all' : 'today');
  const state = oneOf('state', WORKLIST_STATES, searching ? 'any' : 'workable');
  const collectorText = given.collector ?? (searching || context.isManager ? 'all' : 'me');
  let collector: CollectorFilter;
  if (collectorText === 'all') collector = { kind: 'all' };
  else if (collectorText === 'unassigned') collector = { kind: 'unassigned' };
  else if (collectorText === 'me') collector = { kind: 'user', id: context.me };
  else if (UUID.test(collectorText) && context.userIds.has(collectorText.toLowerCase()))
    collector = { kind: 'user', id: collectorText.toLowerCase() };
  else throw new BadParameter(`collector: "${collectorText}" is not a user (use me, all, unassigned or a user's id).`);
  const step = given.step ?? '';
  if (step !== '' && !STEP.test(step)) throw new BadParameter(`step: "${step}" is not a ladder step name.`);
  const bucket = oneOf('bucket', [...BUCKETS, ''] as const, '');
  const sort = oneOf('sort', WORKLIST_SORTS, 'rank');
  const column = SORT_COLUMNS.find((c) => c.sort === sort);
  const dir = oneOf('dir', ['asc', 'desc'] as const, column?.first ?? 'asc');
  let page = 1;
  if (given.page !== undefined) {
    if (!/^\d{1,6}$/.test(given.page) || Number(given.page) < 1)
      throw new BadParameter(`page: "${given.page}" is not a page number (1, 2, …).`);
    page = Number(given.page);
    if (page > WORKLIST_MAX_PAGE) throw new BadParameter(`page: at most ${WORKLIST_MAX_PAGE}; search or filter to narrow the list.`);
  }
  return {
    query: {
      view,
      collector,
      state,
      search: searching ? q : null,
      step: step === '' ? null : step,
      oldestDue: bucket === '' ? null : bucketRange(bucket, context.today),
      sort,
      direction: dir,
    },
    page,
    form: { view, collector: collectorText, state, q, step, bucket, sort, dir },
    given,
  };
}

/** The oldest-due-date range of an aging bucket on `today`. */
function bucketRange(bucket: (typeof BUCKETS)[number], today: DateTime): { from: string | null; to: string | null } {
  const ago = (days: number) => today.minus({ days }).toISODate()!;
  switch (bucket) {
    case 'current':
      return { from: ago(0), to: null };
    case '1-30':
      return { from: ago(30), to: ago(1) };
    case '31-60':
      return { from: ago(60), to: ago(31) };
    case '61-90':
      return { from: ago(90), to: ago(61) };
    case '90+':
      return { from: null, to: ago(91) };
  }
}

function render(
  request: FastifyRequest,
  reply: FastifyReply,
  helpers: ConsoleHelpers,
  input: {
    parsed: Parsed;
    page: Awaited<ReturnType<typeof findWorklistPage>>;
    rates: RatesInForce;
    collectors: Awaited<ReturnType<typeof listUsers>>;
    steps: string[];
    principal: { id: string };
    now: Date;
  },
) {
  const { parsed, page, rates } = input;
  const locale = viewerLocale(request);
  const money = (minor: bigint, currency: string) => formatMoney(minor, currency, locale, 'code');
  const link = (changes: Record<string, string | null>) => {
    const params = { ...parsed.given, ...changes };
    const search = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== null && e[1] !== ''));
    const text = search.toString();
    return `/console/worklist${text ? `?${text}` : ''}`;
  };
  const pages = Math.max(1, Math.ceil(page.count / WORKLIST_PAGE_SIZE));
  const overdue = sumInBase(
    page.totals.map((t) => ({ minor: t.overdueMinor, currency: t.currency })),
    rates,
  );
  const missing = page.totals
    .filter((t) => overdue.missing.includes(t.currency))
    .map((t) => ({ currency: t.currency, accounts: t.accounts, overdue: money(t.overdueMinor, t.currency) }));
  const rows = page.rows.map((row, i) => presentRow(row, parsed.page, i, rates, money, input.now));
  return helpers.page(request, reply, 'worklist', {
    title: 'Worklist',
    nav: 'worklist',
    form: parsed.form,
    views: WORKLIST_VIEWS.map((view) => ({
      value: view,
      label: VIEW_LABELS[view],
      url: link({ view, page: null, sort: null, dir: null }),
      current: view === parsed.form.view,
    })),
    viewLabel: VIEW_LABELS[parsed.form.view],
    caption: VIEW_CAPTIONS[parsed.form.view],
    searching: parsed.form.q !== '',
    collectors: [
      { value: 'me', label: 'Me', selected: parsed.form.collector === 'me' },
      { value: 'all', label: 'Everyone', selected: parsed.form.collector === 'all' },
      { value: 'unassigned', label: 'Unassigned', selected: parsed.form.collector === 'unassigned' },
      ...input.collectors
        .filter((u) => u.id !== input.principal.id)
        .map((u) => ({ value: u.id, label: u.name, selected: u.id === parsed.form.collector })),
    ],
    states: WORKLIST_STATES.map((value) => ({ value, label: STATE_LABELS[value], selected: value === parsed.form.state })),
    steps: input.steps.map((value) => ({ value, selected: value === parsed.form.step })),
    buckets: BUCKETS.map((value) => ({ value, selected: value === parsed.form.bucket })),
    columns: SORT_COLUMNS.map((c) => {
      const active = parsed.form.sort === c.sort;
      const next = active ? (parsed.form.dir === 'asc' ? 'desc' : 'asc') : c.first;
      return {
        label: c.label,
        numeric: c.numeric === true,
        url: link({ sort: c.sort, dir: next, page: null }),
        ariaSort: active ? (parsed.form.dir === 'asc' ? 'ascending' : 'descending') : 'none',
        arrow: active ? (parsed.form.dir === 'asc' ? '▲' : '▼') : '',
      };
    }),
    rankUrl: link({ sort: null, dir: null, page: null }),
    rankSorted: parsed.form.sort === 'rank',
    rows,
    count: page.count,
    base: rates.base,
    overdueTotal: money(overdue.minor, rates.base),
    rateDates: overdue.rateDates.length === 0 ? null : overdue.rateDates.join(', '),
    missing,
    ratesAsOf: rates.asOf,
    pageNumber: parsed.page,
    pages,
    beyond: parsed.page > pages && page.count > 0,
    firstUrl: parsed.page > 1 ? link({ page: null }) : null,
    prevUrl: parsed.page > 1 ? link({ page: parsed.page === 2 ? null : String(parsed.page - 1) }) : null,
    nextUrl: parsed.page < pages && parsed.page < WORKLIST_MAX_PAGE ? link({ page: String(parsed.page + 1) }) : null,
    lastUrl: parsed.page < pages && pages <= WORKLIST_MAX_PAGE ? link({ page: String(pages) }) : null,
  });
}

function presentRow(
  row: WorklistRow,
  pageNumber: number,
  index: number,
  rates: RatesInForce,
  money: (minor: bigint, currency: string) => string,
  now: Date,
) {
  const inBase = (minor: bigint) => {
    const converted = convertToBase(minor, row.currency, rates);
    return converted.ok
      ? { text: money(converted.minor, rates.base), rateDate: converted.rateDate, missing: null }
      : { text: null, rateDate: null, missing: `no rate for ${row.currency}` };
  };
  const today = DateTime.fromJSDate(now).setZone(row.timeZone).toISODate()!;
  return {
    rank: (pageNumber - 1) * WORKLIST_PAGE_SIZE + index + 1,
    externalId: row.externalId,
    name: row.name,
    overdue: inBase(row.overdueMinor),
    balance: inBase(row.balanceMinor),
    converted: row.currency !== rates.base,
    overdueOwn: money(row.overdueMinor, row.currency),
    balanceOwn: money(row.balanceMinor, row.currency),
    writtenOff: row.writtenOffMinor > 0n ? money(row.writtenOffMinor, row.currency) : null,
    oldestDueOn: row.oldestDueOn,
    daysPastDue: row.oldestDueOn === null ? '' : Math.max(0, daysBetween(row.oldestDueOn, today)),
    collectorName: row.collectorName,
    accountState: row.accountState,
    blocked: ['legal_hold', 'bankruptcy', 'written_off'].includes(row.accountState),
    pauseReason: row.pauseReason,
    step: row.step,
    reasons: row.reasons,
    openTasks: row.openTasks,
    openPromises: row.openPromises,
    openDisputes: row.openDisputes,
    callDueAt: row.callDueAt,
  };
}

/** The viewer's first Accept-Language tag Intl knows, else English. */
function viewerLocale(request: FastifyRequest): string {
  const first = String(request.headers['accept-language'] ?? '')
    .split(',')[0]
    ?.split(';')[0]
    ?.trim();
  if (!first) return 'en';
  try {
    return Intl.NumberFormat.supportedLocalesOf([first]).length > 0 ? first : 'en';
  } catch {
    return 'en';
  }
}
