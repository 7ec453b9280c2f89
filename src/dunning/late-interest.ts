import { percentText } from '../core/interest/reference-rate-input.js';
import type { IsoDate } from '../core/dates.js';
import type { ContactInterestClaim } from '../db/contact-log.repository.js';
import type { CustomerClaim } from '../reports/interest.report.js';
import type { LateInterest } from '../templates/index.js';

/** What a step's email claims: the template's `interest`, and the same figures per invoice for the contact log. */
export interface StepInterest {
  context: LateInterest;
  claimed: ContactInterestClaim[];
}

const shownClaims = (claims: readonly CustomerClaim[]) => claims.filter((c) => c.waived === null && c.interestMinor !== null);
const ratesBpOf = (claim: CustomerClaim) => [...new Set(claim.periods.map((p) => p.rateBp))];
const ratesOf = (claim: CustomerClaim) =>
  ratesBpOf(claim)
    .map((bp) => `${percentText(bp)}%`)
    .join(', ');

/**
 * The late-payment interest a letter states, from the customer's claims: waived claims and
 * claims with a gap (an unknown reference rate) are left out rather than shown with a guess;
 * null when nothing is left to claim.
 */
export function lateInterestContext(claims: readonly CustomerClaim[], asOf: IsoDate): LateInterest | null {
  const shown = shownClaims(claims);
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
    legalBasis: [...new Set(shown.flatMap((c) => (c.citation === null ? [] : [c.citation])))].join('; ') || null,
    contractual: shown.some((c) => c.citation === null),
    claims: shown.map((c) => ({
      number: c.invoiceNumber,
      currency: c.currency,
      principalMinor: Number(c.principalMinor),
      daysLate: c.daysLate,
      rates: ratesOf(c),
      ratesBp: ratesBpOf(c),
      interestMinor: Number(c.interestMinor),
      compensationMinor: Number(c.compensation?.minor ?? 0n),
    })),
    totals: [...totals.values()],
  };
}

/**
 * The claims a message makes: of the invoices it is about, and of those already paid late (a claim
 * survives payment of the principal); never of an invoice under open dispute.
 */
export function claimsOfMessage(
  claims: readonly CustomerClaim[],
  covered: ReadonlySet<string>,
  disputed: ReadonlySet<string>,
): CustomerClaim[] {
  return claims.filter((c) => !disputed.has(c.invoiceId) && (covered.has(c.invoiceId) || c.outstandingMinor === 0n));
}

/** `lateInterestContext` and the rows the contact log keeps of it; null when nothing is claimed. */
export function stepInterest(claims: readonly CustomerClaim[], asOf: IsoDate): StepInterest | null {
  const context = lateInterestContext(claims, asOf);
  if (context === null) return null;
  return {
    context,
    claimed: shownClaims(claims).map((c) => ({
      invoiceId: c.invoiceId,
      asOf,
      currency: c.currency,
      principalMinor: c.principalMinor,
      daysLate: c.daysLate,
      rule: c.basis,
      rates: ratesOf(c),
      interestMinor: c.interestMinor ?? 0n,
      compensationMinor: c.compensation?.minor ?? 0n,
      legalBasis: c.citation,
    })),
  };
}
