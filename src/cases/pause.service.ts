import { z } from 'zod';
import { findExpiredPauses, setCaseState } from '../db/cases.repository.js';
import { customerField, reasonField, customerAction, type CaseDependencies } from './case-action.js';
import { InvalidInput, InvalidTransition } from './errors.js';
import { SYSTEM_ACTOR } from './permissions.js';

export const pauseInput = z.object({
  customer: customerField,
  reason: reasonField,
  /** ISO 8601 instant with offset; absent = until resumed by hand. */
  until: z.iso.datetime({ offset: true }).optional(),
});

/** Pauses all automated contact by hand (collector), optionally until an instant. */
export const pauseCase = customerAction('case.pause', pauseInput, async (ctx, customer, before): Promise<{ caseId: string }> => {
  const until = ctx.input.until ? new Date(ctx.input.until) : null;
  if (until && until <= ctx.at) throw new InvalidInput('case.pause', [{ field: 'until', message: 'must be in the future' }]);
  if (before.state !== 'active') {
    throw new InvalidTransition('case.pause', `the case of ${customer.externalId} is ${before.state.replace('_', ' ')}, not active`);
  }
  await setCaseState(ctx.sql, before.id, 'paused', { reason: 'manual', until });
  await ctx.audit({
    entityType: 'collection_case',
    entityId: before.id,
    action: 'case.paused',
    reason: ctx.input.reason,
    before: { state: before.state },
    after: { state: 'paused', pauseReason: 'manual', pausedUntil: until?.toISOString() ?? null },
  });
  await ctx.review(customer.id);
  return { caseId: before.id };
});

export const resumeInput = z.object({ customer: customerField, reason: reasonField });

/** Resumes a manually paused case (collector); dunning continues at its current stage. */
export const resumeCase = customerAction('case.resume', resumeInput, async (ctx, customer, before): Promise<{ caseId: string }> => {
  if (before.state !== 'paused') throw new InvalidTransition('case.resume', `the case of ${customer.externalId} is not paused`);
  await setCaseState(ctx.sql, before.id, 'active');
  await ctx.audit({
    entityType: 'collection_case',
    entityId: before.id,
    action: 'case.resumed',
    reason: ctx.input.reason,
    before: { state: 'paused', pauseReason: before.pauseReason, pausedUntil: before.pausedUntil?.toISOString() ?? null },
    after: { state: 'active' },
  });
  await ctx.review(customer.id);
  return { caseId: before.id };
});

/** Resumes every manual pause whose `until` has passed (actor `system`; run by the sweep). */
export async function resumeExpiredPauses(deps: CaseDependencies): Promise<number> {
  let resumed = 0;
  for (const { customerId } of await findExpiredPauses(deps.prisma, deps.clock())) {
    try {
      await resumeCase(deps, SYSTEM_ACTOR.id, { customer: customerId, reason: 'pause ended' });
      resumed += 1;
    } catch (error) {
      if (!(error instanceof InvalidTransition)) throw error;
    }
  }
  return resumed;
}
