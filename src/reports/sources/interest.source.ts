import { INTEREST_RULES, REFERENCE_SOURCES } from '../../core/interest/rules.js';
import type { IsoDate } from '../../core/dates.js';
import { loadExchangeHistory, loadInterestLedger } from '../../db/interest.repository.js';
import { loadReferenceRates } from '../../db/reference-rates.repository.js';
import type { PrismaClient } from '../../db/client.js';
import type { Sql } from '../../db/sql.js';
import { autoCommit } from '../../db/transaction.js';
import { buildClaims, interestReport, type CustomerClaim, type InterestReport, type InterestSettings } from '../interest.report.js';

/**
 * The late-payment claims as of `asOf` (of some customers, or all), computed from the ledger, the
 * reference rates and the exchange rates a converted compensation needs.
 */
export async function loadClaims(
  sql: Sql,
  options: { asOf: IsoDate; customerIds?: readonly string[]; baseCurrency: string; settings: InterestSettings },
): Promise<CustomerClaim[]> {
  const ledger = await loadInterestLedger(sql, {
    asOf: options.asOf,
    ...(options.customerIds ? { customerIds: options.customerIds } : {}),
  });
  if (ledger.length === 0) return [];
  const referenceRates = await loadReferenceRates(sql, REFERENCE_SOURCES);
  // A fixed compensation in another currency than the invoice's is converted at the due date's rates.
  const needs = ledger.flatMap((invoice) => {
    const fixed = Object.values(INTEREST_RULES).map((rule) => rule.compensation.currency);
    return [...new Set(fixed)]
      .filter((currency) => currency !== invoice.currency)
      .flatMap((currency) => [
        { currency, day: invoice.dueOn },
        { currency: invoice.currency, day: invoice.dueOn },
      ]);
  });
  const exchange = await loadExchangeHistory(sql, options.baseCurrency, needs);
  return buildClaims(ledger, referenceRates, exchange, options.asOf, options.settings);
}

/** `arrears report interest`: every claim as of `asOf`. */
export async function loadInterestReport(
  db: PrismaClient,
  options: { asOf: IsoDate; baseCurrency: string; settings: InterestSettings },
): Promise<InterestReport> {
  const claims = await loadClaims(autoCommit(db), options);
  return interestReport(claims, options.asOf, options.settings.allocation);
}
