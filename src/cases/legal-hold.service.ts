import { z } from 'zod';
import { setCaseState } from '../db/cases.repository.js';
import { findActiveLegalHold, insertLegalHold, markLegalHoldReleased } from '../db/holds.repository.js';
import { customerField, reasonField, customerAction } from './case-action.js';
import { InvalidTransition } from './errors.js';

export const placeLegalHoldInput = z.object({
  customer: customerField,
  reason: reasonField,
  agency: z.string().trim().min(1).max(200).optional(),
  notes: z.string().trim().max(5_000).optional(),
});

/**
 * Places a legal hold (manager): the case moves to `legal_hold`, all automated contact stops at
 * once (queued contacts are cancelled by the delivery's last-moment check), and managers are alerted.
 */
export const placeLegalHold = customerAction(
  'legal_hold.place',
  placeLegalHoldInput,
  async (ctx, customer, before): Promise<{ holdId: string }> => {
    const holdId = await insertLegalHold(ctx.sql, {
      customerId: customer.id,
      at: ctx.at,
      reason: ctx.input.reason,
      placedBy: ctx.actor.id,
      agency: ctx.input.agency ?? null,
      notes: ctx.input.notes ?? null,
    });
    if (!holdId) throw new InvalidTransition('legal_hold.place', `customer ${customer.externalId} is already on legal hold`);
    await ctx.audit({
      entityType: 'customer',
      entityId: customer.id,
      action: 'legal_hold.placed',
      reason: ctx.input.reason,
      before: { caseState: before.state },
      after: { caseState: 'legal_hold', legalHoldId: holdId, agency: ctx.input.agency ?? null },
    });
    await ctx.raiseAlert('legal_hold', customer.id, `${customer.name} was placed on legal hold by ${ctx.actor.name}: ${ctx.input.reason}`);
    await ctx.review(customer.id);
    return { holdId };
  },
);

export const releaseLegalHoldInput = z.object({ customer: customerField, reason: reasonField });

/** Releases the legal hold (manager only): the case is active again and dunning resumes at its current stage. */
export const releaseLegalHold = customerAction(
  'legal_hold.release',
  releaseLegalHoldInput,
  async (ctx, customer, before): Promise<{ holdId: string }> => {
    const hold = await findActiveLegalHold(ctx.tx, customer.id);
    if (!hold) throw new InvalidTransition('legal_hold.release', `customer ${customer.externalId} is not on legal hold`);
    await markLegalHoldReleased(ctx.sql, hold.id, ctx.actor.id, ctx.input.reason, ctx.at);
    await setCaseState(ctx.sql, before.id, 'active');
    await ctx.audit({
      entityType: 'customer',
      entityId: customer.id,
      action: 'legal_hold.released',
      reason: ctx.input.reason,
      before: { caseState: before.state, legalHoldId: hold.id },
      after: { caseState: 'active', currentStep: before.currentStep },
    });
    await ctx.resolveAlerts(['legal_hold'], customer.id, `the legal hold was released: ${ctx.input.reason}`);
    await ctx.review(customer.id);
    return { holdId: hold.id };
  },
);
