import { z } from 'zod';
import { findOpenDispute, insertDispute, markDisputeResolved } from '../db/disputes.repository.js';
import { findInvoiceByNumber } from '../db/invoices.repository.js';
import { customerField, customerAction } from './case-action.js';
import { InvalidTransition, NotFound } from './errors.js';

export const openDisputeInput = z.object({
  customer: customerField,
  /** The invoice number as printed. */
  invoice: z.string().trim().min(1, 'is required'),
  /** e.g. `pricing`, `not_received`, `quality`, `duplicate`. */
  reasonCode: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{1,40}$/, 'must be a lower-case code such as not_received'),
  notes: z.string().trim().max(5_000).optional(),
});

/** Opens a dispute on one invoice (collector): that invoice leaves dunning, the rest continue. */
export const openDispute = customerAction('dispute.open', openDisputeInput, async (ctx, customer): Promise<{ disputeId: string }> => {
  const invoice = await findInvoiceByNumber(ctx.tx, customer.id, ctx.input.invoice);
  if (!invoice) throw new NotFound('invoice', `${customer.externalId}/${ctx.input.invoice}`);
  if (await findOpenDispute(ctx.tx, invoice.id)) {
    throw new InvalidTransition('dispute.open', `invoice ${invoice.number} is already disputed`);
  }
  const disputeId = await insertDispute(ctx.sql, {
    invoiceId: invoice.id,
    customerId: customer.id,
    reasonCode: ctx.input.reasonCode,
    notes: ctx.input.notes ?? null,
    by: ctx.actor.id,
    at: ctx.at,
  });
  await ctx.audit({
    entityType: 'dispute',
    entityId: disputeId,
    action: 'dispute.opened',
    reason: ctx.input.reasonCode,
    after: { invoice: invoice.number, reasonCode: ctx.input.reasonCode, notes: ctx.input.notes ?? null },
  });
  await ctx.review(customer.id);
  return { disputeId };
});

export const resolveDisputeInput = z.object({
  customer: customerField,
  invoice: z.string().trim().min(1, 'is required'),
  resolution: z.string().trim().min(1, 'is required').max(5_000),
});

/** Resolves the open dispute of an invoice (collector); the invoice is dunned again if still open. */
export const resolveDispute = customerAction(
  'dispute.resolve',
  resolveDisputeInput,
  async (ctx, customer): Promise<{ disputeId: string }> => {
    const invoice = await findInvoiceByNumber(ctx.tx, customer.id, ctx.input.invoice);
    if (!invoice) throw new NotFound('invoice', `${customer.externalId}/${ctx.input.invoice}`);
    const dispute = await findOpenDispute(ctx.tx, invoice.id);
    if (!dispute) throw new InvalidTransition('dispute.resolve', `invoice ${invoice.number} has no open dispute`);
    await markDisputeResolved(ctx.sql, dispute.id, ctx.input.resolution, ctx.actor.id, ctx.at);
    await ctx.audit({
      entityType: 'dispute',
      entityId: dispute.id,
      action: 'dispute.resolved',
      reason: ctx.input.resolution,
      before: { resolvedAt: null },
      after: { resolvedAt: ctx.at.toISOString(), resolution: ctx.input.resolution },
    });
    await ctx.review(customer.id);
    return { disputeId: dispute.id };
  },
);
