import { percentText } from '../core/interest/reference-rate-input.js';
import type { IsoDate } from '../core/dates.js';
import type { CustomerClaim } from '../reports/interest.report.js';
import type { LateInterest } from '../templates/index.js';

/**
 * The late-payment interest a letter states, from the customer's claims: waived claims and
 * claims with a gap (an unknown reference rate) are left out rather than shown with a guess;
 * null when nothing is left to claim.
 */
export function lateInterestContext(claims: readonly CustomerClaim[], asOf: IsoDate): LateInterest | null {
  const shown = claims.filter((c) => c.waived === null && c.interestMinor !== null);
  if (shown.length === 0) return null;
  const totals = new Map<string, { currency: string; interestMinor: number; compensationMinor: number }>();
  for (const claim of shown) {
    const total = totals.get(claim.currency) ?? { currency: claim.currency, interestMinor: 0, compensationMinor: 0 };
    total.interestMinor += Number(claim.interestMinor);
    total.compensationMinor += Number(claim.compensation?.minor ?? 0n);
    totals.set(claim.currency, total);
  }
  return {
    asOf,
    legalBasis: [...new Set(shown.map((c) => c.citation ?? 'contract'))].join('; '),
    claims: shown.map((c) => ({
      number: c.invoiceNumber,
      currency: c.currency,
      principalMinor: Number(c.principalMinor),
      daysLate: c.daysLate,
      rates: [...new Set(c.periods.map((p) => `${percentText(p.rateBp)}%`))].join(', '),
      interestMinor: Number(c.interestMinor),
      compensationMinor: Number(c.compensation?.minor ?? 0n),
    })),
    totals: [...totals.values()],
  };
}
