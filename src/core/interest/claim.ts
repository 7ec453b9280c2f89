// The late-payment claim of one invoice as of a day: simple interest day by day on the principal
// still unpaid, at the rule's rate for each period, plus the rule's fixed compensation once.
// Interest is summed as an exact fraction of minor units and rounded half-up once, at the end.
// Computed from the ledger on every read (nothing stored), so a claim survives payment of the
// principal: the invoice and its payments stay, and so does the interest they produced.

import { addDays, daysBetween, type IsoDate } from '../dates.js';
import { convertBetween, roundHalfUp, type ExchangeRate, type RatesInForce } from '../money.js';
import type { InterestBasis, InterestRule, ReferenceRate, ReferenceSource, RuleId } from './rules.js';

/** How a payment to a late invoice is applied: to principal (the ledger's way), or to accrued interest first. */
export type InterestAllocation = 'principal-first' | 'interest-first';

export interface ClaimInvoice {
  number: string;
  currency: string;
  amountMinor: bigint;
  dueOn: IsoDate;
}

/** Money received against the invoice, on the day it was received. */
export interface ClaimPayment {
  receivedOn: IsoDate;
  amountMinor: bigint;
}

/** Exchange rates against `base`, any dates, for converting a fixed compensation. */
export interface ExchangeHistory {
  base: string;
  rates: readonly ExchangeRate[];
}

export interface ClaimInput {
  invoice: ClaimInvoice;
  payments: readonly ClaimPayment[];
  /** The last day counted, in the customer's zone. */
  asOf: IsoDate;
  basis: InterestBasis;
  /** Every known row of the rule's source (any order). */
  referenceRates: readonly ReferenceRate[];
  allocation: InterestAllocation;
  exchange: ExchangeHistory | null;
}

/** One stretch of days at one rate on one principal. */
export interface ClaimPeriod {
  from: IsoDate;
  to: IsoDate;
  days: number;
  principalMinor: bigint;
  /** Rate applied, percent × 100 (reference + margin, or the contractual rate). */
  rateBp: number;
  /** The reference rate and the day it was read; null for a contractual rate. */
  referenceBp: number | null;
  fixedOn: IsoDate | null;
}

export interface ClaimCompensation {
  minor: bigint;
  currency: string;
  /** Set when the statute's sum was in another currency: what it was and the rate's date. */
  converted: { fromMinor: bigint; fromCurrency: string; rateDates: string[] } | null;
}

export interface InterestClaim {
  invoiceNumber: string;
  currency: string;
  principalMinor: bigint;
  /** Principal unpaid at the end of `asOf`. */
  outstandingMinor: bigint;
  dueOn: IsoDate;
  /** Days from the due date to the day the principal was paid in full, or to `asOf`. */
  daysLate: number;
  /** Rule id, `contract`, or `none`. */
  basis: RuleId | 'contract' | 'none';
  citation: string | null;
  periods: ClaimPeriod[];
  /** Interest to date; null when a period has no known reference rate (see `gaps`). */
  interestMinor: bigint | null;
  /** Interest already covered by payments (interest-first allocation only). */
  interestPaidMinor: bigint;
  compensation: ClaimCompensation | null;
  /** Why a figure is missing: a period without a known reference rate, a conversion without a rate. */
  gaps: string[];
  /** Why no interest accrues at all (basis `none`: a consumer, no rule configured), else null. */
  reason: string | null;
  /** Set when a manager waived the claim; the figures stay for the record. */
  waived: { by: string; at: string; reason: string } | null;
}

const SCALE = 10_000n; // basis points per 1

/**
 * The reference rate in force on `day`: the latest row on or before it. It is known only when the
 * table also has a row on or after `day` (a later change, or a row restating the rate); otherwise
 * the rate may have changed since the last row and the answer is a gap, not a guess.
 */
export function referenceRateOn(
  rates: readonly ReferenceRate[],
  source: ReferenceSource,
  day: IsoDate,
): { ok: true; rate: ReferenceRate } | { ok: false; reason: string } {
  let inForce: ReferenceRate | null = null;
  let laterKnown = false;
  for (const rate of rates) {
    if (rate.source !== source) continue;
    if (rate.effectiveOn <= day && (inForce === null || rate.effectiveOn > inForce.effectiveOn)) inForce = rate;
    if (rate.effectiveOn >= day) laterKnown = true;
  }
  if (inForce === null) return { ok: false, reason: `no ${source} rate known on ${day}` };
  if (!laterKnown) {
    return {
      ok: false,
      reason: `${source} rate on ${day} unknown: the last row is ${inForce.effectiveOn}; add the rate in force on ${day} (arrears import reference-rates)`,
    };
  }
  return { ok: true, rate: inForce };
}

/** The day a rule reads its reference rate for interest accruing on `day` (claim starting `start`). */
export function fixingDay(rule: InterestRule, start: IsoDate, day: IsoDate): IsoDate {
  const year = Number(day.slice(0, 4));
  switch (rule.fixing) {
    case 'fixed-at-start': {
      // 31 December for interest starting January–June, 30 June for July–December.
      const startYear = Number(start.slice(0, 4));
      return start.slice(5) < '07-01' ? `${startYear - 1}-12-31` : `${startYear}-06-30`;
    }
    case 'half-year':
      return day.slice(5) < '07-01' ? `${year}-01-01` : `${year}-07-01`;
    case 'calendar-year':
      return `${year}-01-01`;
  }
}

/** Days (inclusive, after `start`) where the rule reads a new rate, up to `end`. */
function rateBoundaries(rule: InterestRule, start: IsoDate, end: IsoDate): IsoDate[] {
  if (rule.fixing === 'fixed-at-start') return [];
  const boundaries: IsoDate[] = [];
  for (let year = Number(start.slice(0, 4)); year <= Number(end.slice(0, 4)); year++) {
    const candidates = rule.fixing === 'half-year' ? [`${year}-01-01`, `${year}-07-01`] : [`${year}-01-01`];
    for (const day of candidates) if (day > start && day <= end) boundaries.push(day);
  }
  return boundaries;
}

/** The claim of one invoice as of `input.asOf`. */
export function computeClaim(input: ClaimInput): InterestClaim {
  const { invoice, basis, asOf } = input;
  const claim: InterestClaim = {
    invoiceNumber: invoice.number,
    currency: invoice.currency,
    principalMinor: invoice.amountMinor,
    outstandingMinor: invoice.amountMinor,
    dueOn: invoice.dueOn,
    daysLate: 0,
    basis: basis.kind === 'statutory' ? basis.rule.id : basis.kind,
    citation: basis.kind === 'statutory' ? basis.rule.citation : null,
    periods: [],
    interestMinor: 0n,
    interestPaidMinor: 0n,
    compensation: null,
    gaps: [],
    reason: basis.kind === 'none' ? basis.reason : null,
    waived: null,
  };
  const payments = [...input.payments].filter((p) => p.receivedOn <= asOf).sort((a, b) => (a.receivedOn < b.receivedOn ? -1 : 1));
  const start = addDays(invoice.dueOn, 1); // interest runs from the day after the due date
  let principal = invoice.amountMinor;
  let index = 0;
  // Paid on or before the due date: never late for that part.
  for (; index < payments.length && payments[index]!.receivedOn < start; index++) principal -= payments[index]!.amountMinor;
  principal = principal < 0n ? 0n : principal;
  claim.outstandingMinor = principal;
  if (principal === 0n || asOf < start) return claim;

  const dayCount = BigInt(basis.kind === 'statutory' ? basis.rule.dayCount : 365);
  const denominator = SCALE * dayCount;
  let accrued = 0n; // exact interest × denominator
  let paidInterest = 0n; // whole minor units
  let gap = false;
  let lastDay = asOf;

  // Segment edges: the rule's rate boundaries and the day after each payment.
  const edges = new Set<IsoDate>(basis.kind === 'statutory' ? rateBoundaries(basis.rule, start, asOf) : []);
  for (const payment of payments.slice(index)) {
    const next = addDays(payment.receivedOn, 1);
    if (next <= asOf) edges.add(next);
  }
  const sortedEdges = [...edges].sort();
  let from = start;
  for (const edge of [...sortedEdges, addDays(asOf, 1)]) {
    const to = addDays(edge, -1);
    if (principal > 0n && from <= to) {
      const days = daysBetween(from, to) + 1;
      let rateBp: number | null = null;
      let referenceBp: number | null = null;
      let fixedOn: IsoDate | null = null;
      if (basis.kind === 'contract') rateBp = basis.rateBp;
      else if (basis.kind === 'statutory') {
        fixedOn = fixingDay(basis.rule, start, from);
        const reference = referenceRateOn(input.referenceRates, basis.rule.source, fixedOn);
        if (reference.ok) {
          referenceBp = reference.rate.rateBp;
          rateBp = reference.rate.rateBp + basis.rule.marginBp;
        } else {
          gap = true;
          if (!claim.gaps.includes(reference.reason)) claim.gaps.push(reference.reason);
        }
      }
      if (rateBp !== null) {
        accrued += principal * BigInt(rateBp) * BigInt(days);
        claim.periods.push({ from, to, days, principalMinor: principal, rateBp, referenceBp, fixedOn });
      }
    }
    // Payments received on `to` take effect from `edge`.
    for (; index < payments.length && payments[index]!.receivedOn <= to; index++) {
      if (principal === 0n) continue;
      let amount = payments[index]!.amountMinor;
      if (input.allocation === 'interest-first') {
        const unpaid = roundHalfUp(accrued, denominator) - paidInterest;
        const toInterest = unpaid > 0n ? (amount < unpaid ? amount : unpaid) : 0n;
        paidInterest += toInterest;
        amount -= toInterest;
      }
      principal = amount >= principal ? 0n : principal - amount;
      if (principal === 0n) lastDay = payments[index]!.receivedOn;
    }
    from = edge;
  }
  claim.outstandingMinor = principal;
  claim.daysLate = daysBetween(invoice.dueOn, principal === 0n ? lastDay : asOf);
  claim.interestMinor = gap ? null : roundHalfUp(accrued, denominator);
  claim.interestPaidMinor = paidInterest;
  if (basis.kind === 'statutory') claim.compensation = compensationFor(basis.rule, input, start, claim.gaps);
  return claim;
}

function compensationFor(rule: InterestRule, input: ClaimInput, start: IsoDate, gaps: string[]): ClaimCompensation | null {
  const { invoice } = input;
  const comp = rule.compensation;
  let sum: bigint;
  if (comp.kind === 'bands') {
    if (invoice.currency !== comp.currency) {
      gaps.push(`compensation bands are in ${comp.currency}; invoice is in ${invoice.currency}`);
      return null;
    }
    const band = comp.bands.find((b) => b.belowMinor === null || invoice.amountMinor < b.belowMinor);
    return band === undefined ? null : { minor: band.sumMinor, currency: invoice.currency, converted: null };
  } else if (comp.kind === 'fixed') {
    sum = comp.sumMinor;
  } else {
    const reference = referenceRateOn(input.referenceRates, rule.source, fixingDay(rule, start, start));
    const published = reference.ok ? reference.rate : null;
    if (published === null || published.fixedSumMinor === null || published.fixedSumCurrency !== comp.currency) {
      gaps.push(`no published compensation for ${start.slice(0, 4)} (${rule.source})`);
      return null;
    }
    sum = published.fixedSumMinor;
  }
  if (invoice.currency === comp.currency) return { minor: sum, currency: comp.currency, converted: null };
  // Converted at the rates in force on the due date, the day the debt fell due.
  const converted =
    input.exchange === null ? null : convertBetween(sum, comp.currency, invoice.currency, ratesOn(input.exchange, invoice.dueOn));
  if (converted === null || !converted.ok) {
    gaps.push(`compensation of ${comp.currency} ${sum} not converted to ${invoice.currency}: ${converted?.reason ?? 'no exchange rates'}`);
    return null;
  }
  return {
    minor: converted.minor,
    currency: invoice.currency,
    converted: { fromMinor: sum, fromCurrency: comp.currency, rateDates: converted.rateDates },
  };
}

/** The latest rate of each currency on or before `day`. */
export function ratesOn(history: ExchangeHistory, day: IsoDate): RatesInForce {
  const rates = new Map<string, ExchangeRate>();
  for (const rate of history.rates) {
    if (rate.rateDate > day) continue;
    const known = rates.get(rate.currency);
    if (known === undefined || known.rateDate < rate.rateDate) rates.set(rate.currency, rate);
  }
  return { base: history.base, asOf: day, rates };
}

/** Σ of claims per currency: interest (known ones), compensation, and how many had a gap. */
export function claimTotals(
  claims: readonly InterestClaim[],
): Array<{ currency: string; interestMinor: bigint; compensationMinor: bigint; withGaps: number }> {
  const totals = new Map<string, { currency: string; interestMinor: bigint; compensationMinor: bigint; withGaps: number }>();
  for (const claim of claims) {
    const total = totals.get(claim.currency) ?? { currency: claim.currency, interestMinor: 0n, compensationMinor: 0n, withGaps: 0 };
    total.interestMinor += claim.interestMinor ?? 0n;
    total.compensationMinor += claim.compensation?.minor ?? 0n;
    if (claim.interestMinor === null) total.withGaps += 1;
    totals.set(claim.currency, total);
  }
  return [...totals.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1));
}
