import { ageInvoice, defaultAgingConfig, type AgingConfig } from '../core/aging.js';
import { startOfLocalDay, type IsoDate } from '../core/dates.js';
import { percentText } from '../core/interest/reference-rate-input.js';
import type { CompanyProfile, CurrencyTotal, InvoiceLine, ReminderContext } from '../templates/context.js';
import { agingReport, type BucketAmounts, type ReportCustomer } from './aging.report.js';
import type { CustomerClaim } from './interest.report.js';
import { daysPastDueOn, openItemsAsOf, type LedgerInvoice, type LedgerPayment } from './ledger.js';

/** The customer a statement is addressed to. */
export interface StatementCustomer extends ReportCustomer {
  /** BCP 47 tag; picks the template locale. */
  locale: string;
  /** IANA zone; ages are counted in it. */
  timeZone: string;
}

/** An open item on the statement: the template's invoice line plus its aging bucket. */
export interface StatementLine extends InvoiceLine {
  bucket: string;
}

/** A customer's statement of account at the end of `asOf`. */
export interface Statement {
  asOf: IsoDate;
  customer: StatementCustomer;
  /** Open items, oldest due date first. */
  lines: StatementLine[];
  /** Open balance per currency. */
  totals: CurrencyTotal[];
  /** Bucket labels, youngest first. */
  buckets: string[];
  aging: Array<{ currency: string; buckets: BucketAmounts }>;
  /** Payments received but not applied, per currency (currencies with none are left out). */
  unappliedCredit: CurrencyTotal[];
  /** Late-payment interest and compensation to `asOf`; null when not asked for or the customer has no claim. */
  interest: StatementInterest | null;
}

/** One invoice's late-payment claim on a statement (money in integer minor units). */
export interface StatementInterestLine {
  invoice: string;
  currency: string;
  principalMinor: number;
  /** Unpaid principal at the end of `asOf`: 0 for an invoice paid late (its claim survives). */
  outstandingMinor: number;
  dueOn: IsoDate;
  daysLate: number;
  /** Rule id or `contract`. */
  rule: string;
  citation: string | null;
  /** The rates applied, e.g. "10.15%" or "12.25%, 11.15%". */
  rates: string;
  /** Null when a reference rate is unknown (see `gaps`). */
  interestMinor: number | null;
  compensationMinor: number | null;
  gaps: string[];
  /** A manager's waiver: the figures are shown, marked waived, and left out of the totals. */
  waived: { by: string; at: string; reason: string } | null;
}

/** The claims of a statement, and per currency what is claimed and what was waived. */
export interface StatementInterest {
  lines: StatementInterestLine[];
  totals: Array<{
    currency: string;
    interestMinor: number;
    compensationMinor: number;
    waivedInterestMinor: number;
    waivedCompensationMinor: number;
  }>;
}

/** A customer's claims as a statement shows them; null when there are none. */
export function statementInterest(claims: readonly CustomerClaim[]): StatementInterest | null {
  if (claims.length === 0) return null;
  const totals = new Map<string, StatementInterest['totals'][number]>();
  const lines = claims.map((c): StatementInterestLine => {
    const interestMinor = c.interestMinor === null ? null : Number(c.interestMinor);
    const compensationMinor = c.compensation === null ? null : Number(c.compensation.minor);
    const total = totals.get(c.currency) ?? {
      currency: c.currency,
      interestMinor: 0,
      compensationMinor: 0,
      waivedInterestMinor: 0,
      waivedCompensationMinor: 0,
    };
    if (c.waived === null) {
      total.interestMinor += interestMinor ?? 0;
      total.compensationMinor += compensationMinor ?? 0;
    } else {
      total.waivedInterestMinor += interestMinor ?? 0;
      total.waivedCompensationMinor += compensationMinor ?? 0;
    }
    totals.set(c.currency, total);
    return {
      invoice: c.invoiceNumber,
      currency: c.currency,
      principalMinor: Number(c.principalMinor),
      outstandingMinor: Number(c.outstandingMinor),
      dueOn: c.dueOn,
      daysLate: c.daysLate,
      rule: c.basis,
      citation: c.citation,
      rates: [...new Set(c.periods.map((p) => `${percentText(p.rateBp)}%`))].join(', '),
      interestMinor,
      compensationMinor,
      gaps: c.gaps,
      waived: c.waived,
    };
  });
  return { lines, totals: [...totals.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1)) };
}

/** Builds a statement from one customer's ledger rows. */
export function buildStatement(input: {
  asOf: IsoDate;
  customer: StatementCustomer;
  invoices: readonly LedgerInvoice[];
  payments: readonly LedgerPayment[];
  config?: AgingConfig;
  /** The customer's late-payment claims to `asOf` (omitted: the statement shows no interest). */
  claims?: readonly CustomerClaim[];
}): Statement {
  const config = input.config ?? defaultAgingConfig;
  const { asOf, customer } = input;
  const aging = agingReport({ asOf, customers: [customer], invoices: input.invoices, payments: input.payments, config });
  const lines = openItemsAsOf(input.invoices, asOf)
    .map(({ invoice, balanceMinor }): StatementLine => ({
      number: invoice.number,
      currency: invoice.currency,
      amountMinor: invoice.amountMinor,
      balanceMinor,
      issuedOn: invoice.issuedOn,
      dueOn: invoice.dueOn,
      daysPastDue: daysPastDueOn(invoice, asOf),
      bucket: ageInvoice(invoice, startOfLocalDay(asOf, invoice.timeZone), invoice.timeZone, config).bucket.label,
    }))
    .sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.number.localeCompare(b.number));
  return {
    asOf,
    customer,
    lines,
    totals: aging.currencies.filter((c) => c.totalMinor !== 0).map((c) => ({ currency: c.currency, balanceMinor: c.totalMinor })),
    buckets: aging.buckets,
    aging: aging.currencies.filter((c) => c.totalMinor !== 0).map((c) => ({ currency: c.currency, buckets: c.buckets })),
    unappliedCredit: aging.currencies
      .filter((c) => c.unappliedCreditMinor !== 0)
      .map((c) => ({ currency: c.currency, balanceMinor: c.unappliedCreditMinor })),
    interest: input.claims ? statementInterest(input.claims) : null,
  };
}

/** The id of the statement template, used as the context's `stepId`. */
export const STATEMENT_TEMPLATE_ID = 'statement-of-account';

/**
 * The render context of the `statement-of-account` template. `now` is the moment of rendering
 * (ISO 8601 with offset); the statement's own date is its `asOf`.
 */
export function statementContext(
  statement: Statement,
  options: { company: CompanyProfile; now: string; unsubscribeUrl?: string | null; optOutRequired?: boolean },
): ReminderContext {
  return {
    customer: { name: statement.customer.name, locale: statement.customer.locale, timeZone: statement.customer.timeZone },
    invoices: statement.lines.map(({ bucket: _bucket, ...line }) => line),
    totals: statement.totals,
    company: options.company,
    unsubscribeUrl: options.unsubscribeUrl ?? null,
    optOutRequired: options.optOutRequired ?? false,
    stepId: STATEMENT_TEMPLATE_ID,
    now: options.now,
  };
}
