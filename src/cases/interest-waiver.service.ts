import { z } from 'zod';
import { insertInterestWaiver, lockInvoiceForWaiver } from '../db/interest.repository.js';
import { customerAction, customerField, reasonField } from './case-action.js';
import { InvalidTransition, NotFound } from './errors.js';

export const waiveInterestInput = z.object({
  customer: customerField,
  /** The invoice number as printed. */
  invoice: z.string().trim().min(1, 'is required'),
  reason: reasonField,
});

/**
 * Waives an invoice's late-payment claim (manager): interest and compensation are no longer
 * claimed in letters, statements or the report's totals; the claim is still computed and shown,
 * marked waived, and the waiver (who, when, why) is audited. Waiving twice is a 409.
 */
export const waiveInterest = customerAction('interest.waive', waiveInterestInput, async (ctx, customer) => {
  const invoice = await lockInvoiceForWaiver(ctx.sql, customer.id, ctx.input.invoice);
  if (invoice === null) throw new NotFound('invoice', `${customer.externalId}/${ctx.input.invoice}`);
  if (invoice.waivedBy !== null) {
    throw new InvalidTransition('interest.waive', `the interest on invoice ${invoice.number} is already waived`);
  }
  await insertInterestWaiver(ctx.sql, { invoiceId: invoice.id, by: ctx.actor.id, reason: ctx.input.reason, at: ctx.at });
  await ctx.audit({
    entityType: 'customer',
    entityId: customer.id,
    action: 'interest.waived',
    reason: ctx.input.reason,
    after: { invoice: invoice.number, invoiceId: invoice.id },
  });
  return { invoice: invoice.number, waivedAt: ctx.at.toISOString() };
});
