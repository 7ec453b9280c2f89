import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { formatMoney, sumInBase } from '../../core/money.js';
import type { PrismaClient } from '../../db/client.js';
import { DASHBOARD_VIEWS, loadPeriodActivity } from '../../db/dashboard.repository.js';
import { loadRatesInForce } from '../../db/exchange-rates.repository.js';
import { autoCommit } from '../../db/transaction.js';
import { findOpenAlerts } from '../../db/worklist.repository.js';
import { calendarPeriods } from '../../reports/periods.js';
import type { AggregateFreshness } from '../../reports/sources/aggregate-freshness.js';
import { loadPortfolioFigures } from '../../reports/sources/dashboard.source.js';
import { barChart, lineChart } from './charts.js';
import type { ConsoleHelpers } from './console.plugin.js';

// The manager dashboard: aging, DSO, CEI, the collection trend and collector performance, from
// the pre-aggregated views (src/db/dashboard.repository.ts) through the same report modules the
// API uses. The views are refreshed when older than DASHBOARD_REFRESH_SECONDS: in the background
// while the figures are less than a day old, before answering when they are older or were never
// made (and always with 0); see aggregate-freshness.ts, shared with the API's CEI.

export interface DashboardOptions {
  prisma: PrismaClient;
  clock: () => Date;
  /** The pre-aggregates' refresh policy (DASHBOARD_REFRESH_SECONDS), shared with the API's CEI. */
  aggregates: AggregateFreshness;
  /** BASE_CURRENCY: the aging summary's totals across currencies, at the rates in force today. */
  baseCurrency: string;
  canAcknowledge: boolean;
}

const PERIODS = 6;
const UNITS = ['month', 'week'] as const;
type Unit = (typeof UNITS)[number];

/** The first language of Accept-Language that Intl knows, else English. */
export function viewerLocale(request: FastifyRequest): string {
  const first = (request.headers['accept-language'] ?? '').split(',')[0]?.split(';')[0]?.trim() ?? '';
  try {
    return first !== '' && Intl.NumberFormat.supportedLocalesOf([first]).length > 0 ? first : 'en';
  } catch {
    return 'en';
  }
}

export function registerDashboardRoutes(app: FastifyInstance, helpers: ConsoleHelpers, options: DashboardOptions): void {
  const { prisma } = options;

  app.get<{ Querystring: Record<string, string | undefined> }>('/dashboard', { config: { role: 'manager' } }, async (request, reply) => {
    const known = new Set(['unit', 'period']);
    const unknown = Object.keys(request.query).filter((k) => !known.has(k));
    if (unknown.length > 0) return helpers.errorPage(request, reply, 400, `Unknown parameter: ${unknown.join(', ')}.`);
    const unit = (request.query.unit ?? 'month') as Unit;
    if (!UNITS.includes(unit)) return helpers.errorPage(request, reply, 400, `unit must be month or week, got "${request.query.unit}".`);

    const now = options.clock();
    const zone = helpers.readerZone(request);
    const asOf = DateTime.fromJSDate(now).setZone(zone).toISODate()!;
    const periods = calendarPeriods(asOf, unit, PERIODS);
    const period = request.query.period ?? periods.at(-1)!.label;
    const chosen = periods.find((p) => p.label === period);
    if (chosen === undefined) {
      return helpers.errorPage(
        request,
        reply,
        400,
        `period must be one of the last ${PERIODS} ${unit}s (${periods.map((p) => p.label).join(', ')}), got "${period}".`,
      );
    }

    const refreshedAt = await options.aggregates.ensure(DASHBOARD_VIEWS);

    const [{ aging, dso, cei }, activity, alerts, rates] = await Promise.all([
      loadPortfolioFigures(prisma, { asOf, dsoPeriod: { unit: 'days', count: 90 }, ceiMonths: PERIODS }),
      loadPeriodActivity(prisma, periods),
      findOpenAlerts(prisma),
      loadRatesInForce(autoCommit(prisma), options.baseCurrency, asOf),
    ]);
    const locale = viewerLocale(request);
    const money = (minor: number, currency: string) => formatMoney(minor, currency, locale);

    const collectedCurrencies = [...new Set(activity.flatMap((a) => Object.keys(a.collected)))].sort();
    const trend = collectedCurrencies.map((currency) => {
      const points = periods.map((p) => ({
        label: p.label,
        minor: activity.filter((a) => a.period === p.label).reduce((sum, a) => sum + (a.collected[currency] ?? 0), 0),
      }));
      return {
        currency,
        svg: lineChart(`Payments received per ${unit}, ${currency}`, currency, points, { locale }),
      };
    });

    const collectors = activity
      .filter((a) => a.period === chosen.label)
      .sort((a, b) => (a.collectorName ?? '\uffff').localeCompare(b.collectorName ?? '\uffff'))
      .map((a) => {
        const decided = a.promisesKept + a.promisesBroken;
        const amounts = Object.entries(a.collected).map(([currency, minor]) => ({ currency, minor }));
        const inBase = sumInBase(amounts, rates);
        const foreign = amounts.some((x) => x.currency !== rates.base);
        return {
          name: a.collectorName ?? 'Unassigned',
          contacts: a.contacts.toLocaleString(locale),
          calls: a.calls.toLocaleString(locale),
          keptRate: decided === 0 ? null : `${Math.round((a.promisesKept / decided) * 100)}%`,
          kept: a.promisesKept,
          decided,
          collectedInBase:
            !foreign || inBase.missing.length === amounts.length
              ? null
              : { total: money(Number(inBase.minor), rates.base), missing: inBase.missing.join(', ') },
          collected: Object.entries(a.collected)
            .sort(([x], [y]) => x.localeCompare(y))
            .map(([currency, minor]) => money(minor, currency)),
        };
      });

    // Each bucket and the total across currencies in the base currency; a currency without a
    // rate is named and left out, never added as it is.
    const inBase = (pick: (c: (typeof aging.currencies)[number]) => number) =>
      sumInBase(
        aging.currencies.map((c) => ({ minor: pick(c), currency: c.currency })),
        rates,
      );
    const agingTotal = inBase((c) => c.totalMinor);
    const agingInBase =
      aging.currencies.length === 0
        ? null
        : {
            base: rates.base,
            cells: aging.buckets.map((b) => money(Number(inBase((c) => c.buckets[b] ?? 0).minor), rates.base)),
            total: money(Number(agingTotal.minor), rates.base),
            rateDates: agingTotal.rateDates.join(', '),
            missing: agingTotal.missing.join(', '),
          };

    return helpers.page(request, reply, 'dashboard', {
      title: 'Dashboard',
      nav: 'dashboard',
      asOf,
      base: rates.base,
      timeZone: zone,
      refreshedAt: refreshedAt === null ? null : DateTime.fromJSDate(refreshedAt).setZone(zone).toFormat('yyyy-LL-dd HH:mm'),
      refreshMinutes: Math.max(1, Math.round(options.aggregates.refreshSeconds / 60)),
      alerts,
      canAcknowledge: options.canAcknowledge,
      dso: dso.currencies.map((f) => ({
        currency: f.currency,
        dso: f.dso,
        countback: f.countbackDso,
        bpdso: f.bestPossibleDso,
        percentCurrent: f.percentCurrent,
        sales: money(f.creditSalesMinor, f.currency),
        receivables: money(f.receivablesMinor, f.currency),
      })),
      dsoDays: dso.period.days,
      cei: cei.currencies.map((c) => ({
        currency: c.currency,
        value: c.span.cei,
        months: c.months.map((m) => ({ label: m.window.to.slice(0, 7), value: m.cei })),
      })),
      ceiMonths: PERIODS,
      bucketLabels: aging.buckets,
      agingInBase,
      agingRows: aging.currencies.map((c) => ({
        currency: c.currency,
        cells: aging.buckets.map((b) => money(c.buckets[b] ?? 0, c.currency)),
        total: money(c.totalMinor, c.currency),
        svg: barChart(
          `Receivables by age (days past due), ${c.currency}`,
          c.currency,
          aging.buckets.map((b) => ({ label: b, minor: c.buckets[b] ?? 0 })),
          { locale },
        ),
      })),
      trend,
      unit,
      units: UNITS.map((u) => ({ value: u, selected: u === unit })),
      periods: periods.map((p) => ({ value: p.label, selected: p.label === chosen.label })),
      period: chosen,
      collectors,
    });
  });
}
