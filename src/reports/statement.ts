import { ageInvoice, defaultAgingConfig, type AgingConfig } from '../core/aging.js';
import { startOfLocalDay, type IsoDate } from '../core/dates.js';
import type { CompanyProfile, CurrencyTotal, InvoiceLine, ReminderContext } from '../templates/context.js';
import { agingReport, type BucketAmounts, type ReportCustomer } from './aging.report.js';
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
}

/** Builds a statement from one customer's ledger rows. */
export function buildStatement(input: {
  asOf: IsoDate;
  customer: StatementCustomer;
  invoices: readonly LedgerInvoice[];
  payments: readonly LedgerPayment[];
  config?: AgingConfig;
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
