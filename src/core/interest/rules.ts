// Late-payment rules as data. Each rule says which published reference rate it follows, how many
// points it adds, on which day the reference rate is read (and so where a claim is split), how
// days are counted, and what fixed compensation an invoice earns. The sources of every figure are
// in the README ("Late-payment interest"); a figure we could not confirm is said there too.

import type { IsoDate } from '../dates.js';

/** The published rates the rules follow, as stored in `reference_rates.source`. */
export const REFERENCE_SOURCES = ['boe-bank-rate', 'ecb-mro', 'nbr-reference', 'tcmb-ttk-1530'] as const;
export type ReferenceSource = (typeof REFERENCE_SOURCES)[number];

/** One published rate: in force from `effectiveOn` until the next row of the same source. */
export interface ReferenceRate {
  source: ReferenceSource;
  effectiveOn: IsoDate;
  /** Percent per year × 100 (4.25 % = 425). */
  rateBp: number;
  /** A fixed compensation published with the rate (Turkey's yearly minimum), in minor units of `fixedSumCurrency`. */
  fixedSumMinor: bigint | null;
  fixedSumCurrency: string | null;
}

/**
 * When the reference rate is read:
 * - `fixed-at-start`: once, on the 30 June or 31 December before the day interest starts to run,
 *   for the whole claim (UK);
 * - `half-year`: on 1 January and 1 July, each for its half-year (EU, Romania): a claim is split there;
 * - `calendar-year`: on 1 January, for the year (Turkey): a claim is split at each new year.
 */
export type RateFixing = 'fixed-at-start' | 'half-year' | 'calendar-year';

export type Compensation =
  /** A fixed sum chosen by the invoice amount (UK: below £1,000 → £40, below £10,000 → £70, else £100). */
  | { kind: 'bands'; currency: string; bands: ReadonlyArray<{ belowMinor: bigint | null; sumMinor: bigint }> }
  /** A fixed sum per invoice, converted into the invoice currency at the rate of the due date when it differs. */
  | { kind: 'fixed'; currency: string; sumMinor: bigint }
  /** The sum published with the reference rate of the year the interest starts to run (Turkey). */
  | { kind: 'published'; currency: string };

export const RULE_IDS = ['uk-late-payment', 'eu-late-payment', 'ro-law-72-2013', 'tr-ttk-1530'] as const;
export type RuleId = (typeof RULE_IDS)[number];

export interface InterestRule {
  id: RuleId;
  /** Short citation printed on letters and reports. */
  citation: string;
  source: ReferenceSource;
  /** Points added to the reference rate, × 100 (8 points = 800). */
  marginBp: number;
  fixing: RateFixing;
  /** Days in the year interest is divided by (simple interest, day by day). */
  dayCount: number;
  compensation: Compensation;
}

export const INTEREST_RULES: Readonly<Record<RuleId, InterestRule>> = {
  'uk-late-payment': {
    id: 'uk-late-payment',
    citation:
      'Late Payment of Commercial Debts (Interest) Act 1998, ss. 4 and 5A; Late Payment of Commercial Debts (Rate of Interest) (No. 3) Order 2002, art. 4',
    source: 'boe-bank-rate',
    marginBp: 800,
    fixing: 'fixed-at-start',
    dayCount: 365,
    compensation: {
      kind: 'bands',
      currency: 'GBP',
      bands: [
        { belowMinor: 100_000n, sumMinor: 4_000n },
        { belowMinor: 1_000_000n, sumMinor: 7_000n },
        { belowMinor: null, sumMinor: 10_000n },
      ],
    },
  },
  'eu-late-payment': {
    id: 'eu-late-payment',
    citation: 'Directive 2011/7/EU, arts. 2(6)–(7), 3, 4 and 6',
    source: 'ecb-mro',
    marginBp: 800,
    fixing: 'half-year',
    dayCount: 365,
    compensation: { kind: 'fixed', currency: 'EUR', sumMinor: 4_000n },
  },
  'ro-law-72-2013': {
    id: 'ro-law-72-2013',
    citation: 'Legea nr. 72/2013, art. 3 and art. 13; OG nr. 13/2011, art. 3 alin. (2^1)',
    source: 'nbr-reference',
    marginBp: 800,
    fixing: 'half-year',
    dayCount: 365,
    compensation: { kind: 'fixed', currency: 'EUR', sumMinor: 4_000n },
  },
  'tr-ttk-1530': {
    id: 'tr-ttk-1530',
    citation: '6102 sayılı Türk Ticaret Kanunu, madde 1530 (7); TCMB tebliği',
    // The TCMB publishes the late-payment rate itself each January (already at least 8 points
    // over the Law 3095 commercial rate), so nothing is added here.
    source: 'tcmb-ttk-1530',
    marginBp: 0,
    fixing: 'calendar-year',
    dayCount: 365,
    compensation: { kind: 'published', currency: 'TRY' },
  },
};

export function isRuleId(text: string): text is RuleId {
  return (RULE_IDS as readonly string[]).includes(text);
}

export function isReferenceSource(text: string): text is ReferenceSource {
  return (REFERENCE_SOURCES as readonly string[]).includes(text);
}

/** What a customer's invoices accrue: a statutory rule, a contractual rate, or nothing (and why). */
export type InterestBasis =
  { kind: 'statutory'; rule: InterestRule } | { kind: 'contract'; rateBp: number } | { kind: 'none'; reason: string };

/**
 * The basis for one customer: a contractual rate overrides the statute; a consumer gets nothing
 * without one (the statutes cover business debts only); otherwise the customer's own rule, or the
 * business default (INTEREST_RULE), or none.
 */
export function interestBasisFor(
  customer: { profile: 'business' | 'consumer'; interestRule: RuleId | 'none' | null; contractRateBp: number | null },
  defaultRule: RuleId | null,
): InterestBasis {
  if (customer.contractRateBp !== null) return { kind: 'contract', rateBp: customer.contractRateBp };
  if (customer.profile === 'consumer') return { kind: 'none', reason: 'consumer without a contractual rate' };
  if (customer.interestRule === 'none') return { kind: 'none', reason: 'interest turned off for this customer' };
  const id = customer.interestRule ?? defaultRule;
  if (id === null) return { kind: 'none', reason: 'no interest rule configured (INTEREST_RULE)' };
  return { kind: 'statutory', rule: INTEREST_RULES[id] };
}
