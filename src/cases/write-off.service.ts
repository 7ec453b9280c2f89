import { z } from 'zod';
import type { CustomerRow } from '../db/customers.repository.js';
import { hasOpenBalance, lockInvoicesToWriteOff, writeOffInvoices } from '../db/invoices.repository.js';
import { cancelPlan, findActivePlan } from '../db/payment-plans.repository.js';
import { closePromises } from '../db/promises.repository.js';
import { customerField, reasonField, customerAction, type ActionContext } from './case-action.js';
import { InvalidTransition, NotFound } from './errors.js';

export const writeOffInput = z
  .object({
    customer: customerField,
    /** The invoice number as printed; or `all` for the customer's whole open balance. */
    invoice: z.string().trim().min(1, 'is required').optional(),
    all: z.literal(true, 'must be true to write off every open invoice').optional(),
    reason: reasonField,
  })
  .superRefine((input, ctx) => {
    if (input.invoice === undefined && input.all === undefined) {
      ctx.addIssue({ code: 'custom', path: ['invoice'], message: 'name an invoice, or set all: true for the whole open balance' });
    }
    if (input.invoice !== undefined && input.all !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['all'], message: 'give an invoice or all, not both' });
    }
  });

/** What a write-off wrote: each invoice's amount written off (minor units, as text) and totals per currency. */
export interface WriteOffResult {
  invoices: Array<{ number: string; currency: string; writtenOffMinor: string }>;
  totals: Array<{ currency: string; writtenOffMinor: string }>;
}

/**
 * Writes off one invoice's open balance, or every open invoice of the customer (manager): each
 * becomes `written_off` with its balance recorded as written off, leaves dunning, balances and
 * the reports from that day on. When nothing stays open, open promises and the active payment
 * plan are cancelled (there is nothing left for them to pay). Nothing open to write off is a 409.
 */
export const writeOff = customerAction('invoice.write_off', writeOffInput, async (ctx, customer): Promise<WriteOffResult> => {
  const number = ctx.input.invoice ?? null;
  const invoices = await lockInvoicesToWriteOff(ctx.sql, customer.id, number);
  if (number !== null) {
    const [invoice] = invoices;
    if (!invoice) throw new NotFound('invoice', `${customer.externalId}/${number}`);
    if (invoice.status !== 'open' || invoice.openBalanceMinor <= 0n) {
      throw new InvalidTransition(
        'invoice.write_off',
        `invoice ${invoice.number} has nothing open to write off (${invoice.status.replace('_', ' ')})`,
      );
    }
  } else if (invoices.length === 0) {
    throw new InvalidTransition('invoice.write_off', `customer ${customer.externalId} has no open balance to write off`);
  }
  return writeOffOpenInvoices(ctx, customer, invoices, ctx.input.reason);
});

/**
 * The write-off inside an action's transaction (also bankruptcy discharge): the invoices (locked
 * by {@link lockInvoicesToWriteOff}) become `written_off`, one audit event each on the customer.
 */
export async function writeOffOpenInvoices(
  ctx: ActionContext<unknown>,
  customer: CustomerRow,
  invoices: ReadonlyArray<{ id: string; number: string; currency: string; openBalanceMinor: bigint }>,
  reason: string,
): Promise<WriteOffResult> {
  const result: WriteOffResult = { invoices: [], totals: [] };
  if (invoices.length === 0) return result;
  await writeOffInvoices(
    ctx.sql,
    invoices.map((i) => i.id),
    ctx.actor.id,
    reason,
    ctx.at,
  );
  const totals = new Map<string, bigint>();
  for (const invoice of invoices) {
    await ctx.audit({
      entityType: 'customer',
      entityId: customer.id,
      action: 'invoice.written_off',
      reason,
      before: { invoice: invoice.number, status: 'open', openBalanceMinor: invoice.openBalanceMinor, currency: invoice.currency },
      after: { invoice: invoice.number, status: 'written_off', writtenOffMinor: invoice.openBalanceMinor, currency: invoice.currency },
    });
    result.invoices.push({ number: invoice.number, currency: invoice.currency, writtenOffMinor: invoice.openBalanceMinor.toString() });
    totals.set(invoice.currency, (totals.get(invoice.currency) ?? 0n) + invoice.openBalanceMinor);
  }
  result.totals = [...totals]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, minor]) => ({ currency, writtenOffMinor: minor.toString() }));

  if (!(await hasOpenBalance(ctx.tx, customer.id))) {
    for (const promiseId of await closePromises(ctx.sql, { customerId: customer.id }, 'cancelled', ctx.at)) {
      await ctx.audit({
        entityType: 'promise_to_pay',
        entityId: promiseId,
        action: 'promise.cancelled',
        reason: 'balance written off',
        before: { status: 'open' },
        after: { status: 'cancelled' },
      });
    }
    const plan = await findActivePlan(ctx.tx, customer.id);
    if (plan) {
      await cancelPlan(ctx.sql, plan.id, ctx.at);
      await ctx.audit({
        entityType: 'payment_plan',
        entityId: plan.id,
        action: 'payment_plan.cancelled',
        reason: 'balance written off',
        before: { status: 'active' },
        after: { status: 'cancelled' },
      });
    }
  }
  await ctx.review(customer.id);
  return result;
}
