import type { IsoDate } from '../../core/dates.js';
import type { PrismaClient } from '../../db/client.js';
import { loadReceivableGroups } from '../../db/dashboard.repository.js';
import { agingReport, type AgingReport } from '../aging.report.js';
import { ceiReport, type CeiReport } from '../cei.report.js';
import { dsoReport, type DsoReport } from '../dso.report.js';
import type { PeriodLength } from '../periods.js';

/** The portfolio's figures per currency, as the dashboard shows them. */
export interface PortfolioFigures {
  /** Aging on the due-date basis with the default buckets; no per-customer rows, no unapplied credit. */
  aging: AgingReport;
  dso: DsoReport;
  cei: CeiReport;
}

/**
 * Aging, DSO and CEI per currency from the pre-aggregated receivables (`receivable_groups`,
 * as of their last refresh) through the same report modules as the API's live reports.
 */
export async function loadPortfolioFigures(
  db: PrismaClient,
  options: { asOf: IsoDate; dsoPeriod: PeriodLength; ceiMonths: number },
): Promise<PortfolioFigures> {
  const groups = await loadReceivableGroups(db);
  const { asOf } = options;
  return {
    aging: agingReport({
      asOf,
      customers: [{ id: 'portfolio', externalId: 'portfolio', name: 'Portfolio' }],
      invoices: groups,
      payments: [],
    }),
    dso: dsoReport(groups, asOf, options.dsoPeriod),
    cei: ceiReport(groups, asOf, options.ceiMonths),
  };
}
