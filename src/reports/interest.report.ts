// `arrears report interest`: every late-payment claim as of a day, per invoice, with the rates it
// applied and the rule it follows, and totals per currency. Waived claims are listed, marked
// waived, and left out of the totals.

import {
  claimTotals,
  computeClaim,
  type ClaimPayment,
  type ExchangeHistory,
  type InterestAllocation,
  type InterestClaim,
} from '../core/interest/claim.js';
import { percentText } from '../core/interest/reference-rate-input.js';
import { interestBasisFor, type ReferenceRate, type RuleId } from '../core/interest/rules.js';
import type { IsoDate } from '../core/dates.js';
import { money, type Cell, type ReportTable } from './table.js';

/** An invoice that may carry a late-payment claim, with what its customer's basis needs. */
export interface InterestLedgerInvoice {
  invoiceId: string;
  number: string;
  currency: string;
  amountMinor: bigint;
  dueOn: IsoDate;
  status: 'open' | 'paid';
  customer: {
    id: string;
    externalId: string;
    name: string;
    profile: 'business' | 'consumer';
    interestRule: RuleId | 'none' | null;
    contractRateBp: number | null;
  };
  /** Allocations not reversed, dated by their payment's received day. */
  payments: ClaimPayment[];
  waiver: { by: string; at: string; reason: string } | null;
}

export interface InterestSettings {
  defaultRule: RuleId | null;
  allocation: InterestAllocation;
}

export interface CustomerClaim extends InterestClaim {
  invoiceId: string;
  customerId: string;
  customerExternalId: string;
  customerName: string;
}

/** The claim of each invoice (those with no basis, e.g. consumers, are left out). */
export function buildClaims(
  ledger: readonly InterestLedgerInvoice[],
  referenceRates: readonly ReferenceRate[],
  exchange: ExchangeHistory | null,
  asOf: IsoDate,
  settings: InterestSettings,
): CustomerClaim[] {
  const claims: CustomerClaim[] = [];
  for (const invoice of ledger) {
    const basis = interestBasisFor(invoice.customer, settings.defaultRule);
    if (basis.kind === 'none') continue;
    const claim = computeClaim({
      invoice: { number: invoice.number, currency: invoice.currency, amountMinor: invoice.amountMinor, dueOn: invoice.dueOn },
      payments: invoice.payments,
      asOf,
      basis,
      referenceRates,
      allocation: settings.allocation,
      exchange,
    });
    if (claim.daysLate === 0) continue;
    claims.push({
      ...claim,
      waived: invoice.waiver,
      invoiceId: invoice.invoiceId,
      customerId: invoice.customer.id,
      customerExternalId: invoice.customer.externalId,
      customerName: invoice.customer.name,
    });
  }
  return claims;
}

/** The report as JSON: money in integer minor units (numbers), rates in percent × 100. */
export interface InterestReport {
  asOf: IsoDate;
  allocation: InterestAllocation;
  claims: Array<{
    customer: string;
    name: string;
    invoice: string;
    currency: string;
    principal_minor: number;
    outstanding_minor: number;
    due_on: IsoDate;
    days_late: number;
    rule: string;
    citation: string | null;
    periods: Array<{
      from: IsoDate;
      to: IsoDate;
      days: number;
      principal_minor: number;
      rate_bp: number;
      reference_bp: number | null;
      fixed_on: IsoDate | null;
    }>;
    interest_minor: number | null;
    interest_paid_minor: number;
    compensation: {
      minor: number;
      currency: string;
      converted_from: { minor: number; currency: string; rate_dates: string[] } | null;
    } | null;
    gaps: string[];
    waived: { by: string; at: string; reason: string } | null;
  }>;
  totals: Array<{ currency: string; interest_minor: number; compensation_minor: number; claims_with_gaps: number; waived_claims: number }>;
}

export function interestReport(claims: readonly CustomerClaim[], asOf: IsoDate, allocation: InterestAllocation): InterestReport {
  const active = claims.filter((c) => c.waived === null);
  const waivedPerCurrency = new Map<string, number>();
  for (const c of claims) if (c.waived !== null) waivedPerCurrency.set(c.currency, (waivedPerCurrency.get(c.currency) ?? 0) + 1);
  const totals = claimTotals(active).map((t) => ({
    currency: t.currency,
    interest_minor: Number(t.interestMinor),
    compensation_minor: Number(t.compensationMinor),
    claims_with_gaps: t.withGaps,
    waived_claims: waivedPerCurrency.get(t.currency) ?? 0,
  }));
  for (const [currency, count] of waivedPerCurrency) {
    if (!totals.some((t) => t.currency === currency))
      totals.push({ currency, interest_minor: 0, compensation_minor: 0, claims_with_gaps: 0, waived_claims: count });
  }
  totals.sort((a, b) => (a.currency < b.currency ? -1 : 1));
  return {
    asOf,
    allocation,
    claims: claims.map((c) => ({
      customer: c.customerExternalId,
      name: c.customerName,
      invoice: c.invoiceNumber,
      currency: c.currency,
      principal_minor: Number(c.principalMinor),
      outstanding_minor: Number(c.outstandingMinor),
      due_on: c.dueOn,
      days_late: c.daysLate,
      rule: c.basis,
      citation: c.citation,
      periods: c.periods.map((p) => ({
        from: p.from,
        to: p.to,
        days: p.days,
        principal_minor: Number(p.principalMinor),
        rate_bp: p.rateBp,
        reference_bp: p.referenceBp,
        fixed_on: p.fixedOn,
      })),
      interest_minor: c.interestMinor === null ? null : Number(c.interestMinor),
      interest_paid_minor: Number(c.interestPaidMinor),
      compensation:
        c.compensation === null
          ? null
          : {
              minor: Number(c.compensation.minor),
              currency: c.compensation.currency,
              converted_from:
                c.compensation.converted === null
                  ? null
                  : {
                      minor: Number(c.compensation.converted.fromMinor),
                      currency: c.compensation.converted.fromCurrency,
                      rate_dates: c.compensation.converted.rateDates,
                    },
            },
      gaps: c.gaps,
      waived: c.waived,
    })),
    totals,
  };
}

/** One row per claim (rates as "13.00% from 2024-01-01"), then a total row per currency. */
export function interestTable(report: InterestReport): ReportTable {
  const rows: Cell[][] = report.claims.map((c) => [
    c.customer,
    c.invoice,
    c.currency,
    money(c.principal_minor, c.currency),
    c.days_late,
    c.periods.length === 0
      ? null
      : [...new Set(c.periods.map((p) => `${percentText(p.rate_bp)}%${p.fixed_on === null ? '' : ` (ref. ${p.fixed_on})`}`))].join('; '),
    c.interest_minor === null ? `unknown: ${c.gaps.join('; ')}` : money(c.interest_minor, c.currency),
    c.compensation === null ? null : money(c.compensation.minor, c.compensation.currency),
    c.rule,
    c.waived === null ? null : `waived by ${c.waived.by}: ${c.waived.reason}`,
  ]);
  for (const t of report.totals) {
    rows.push([
      'total',
      null,
      t.currency,
      null,
      null,
      null,
      money(t.interest_minor, t.currency),
      money(t.compensation_minor, t.currency),
      null,
      t.waived_claims > 0 ? `${t.waived_claims} waived, not counted` : null,
    ]);
  }
  return {
    columns: ['customer', 'invoice', 'currency', 'principal', 'days_late', 'rates', 'interest', 'compensation', 'rule', 'waived'],
    rows,
  };
}
