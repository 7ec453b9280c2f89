import { DateTime } from 'luxon';
import { daysPastDue } from '../core/aging.js';
import type { CustomerRow } from '../db/customers.repository.js';
import type { OpenInvoiceRow } from '../db/invoices.repository.js';
import type { CompanyProfile, CurrencyTotal, InvoiceLine, ReminderContext } from '../templates/index.js';

/** The render context shared by customer messages and manager alerts: the customer's open invoices as of `at`. */
export function customerMessageContext(
  customer: Pick<CustomerRow, 'name' | 'locale' | 'timeZone'>,
  invoices: readonly OpenInvoiceRow[],
  company: CompanyProfile,
  at: Date,
  stepId: string,
  unsubscribeUrl: string | null = null,
): ReminderContext {
  const now = DateTime.fromJSDate(at, { zone: customer.timeZone });
  const lines: InvoiceLine[] = invoices.map((invoice) => ({
    number: invoice.number,
    currency: invoice.currency,
    amountMinor: Number(invoice.amountMinor),
    balanceMinor: Number(invoice.openBalanceMinor),
    issuedOn: invoice.issuedOn,
    dueOn: invoice.dueOn,
    daysPastDue: daysPastDue(invoice.dueOn, now, customer.timeZone),
  }));
  const totals = new Map<string, number>();
  for (const line of lines) totals.set(line.currency, (totals.get(line.currency) ?? 0) + line.balanceMinor);
  return {
    customer: { name: customer.name, locale: customer.locale, timeZone: customer.timeZone },
    invoices: lines,
    totals: [...totals].map(([currency, balanceMinor]): CurrencyTotal => ({ currency, balanceMinor })),
    company,
    unsubscribeUrl,
    optOutRequired: false,
    stepId,
    now: now.toISO() ?? '',
  };
}
