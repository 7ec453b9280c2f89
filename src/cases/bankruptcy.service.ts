import { z } from 'zod';
import { closeBankruptcy, findOpenBankruptcy, insertBankruptcy, lockCase } from '../db/case-actions.repository.js';
import { customerField, isoDateField, reasonField, resolveCustomer, runCaseAction, type CaseDependencies } from './case-action.js';
import { InvalidTransition } from './errors.js';

export const recordBankruptcyInput = z.object({
  customer: customerField,
  filedOn: isoDateField,
  /** Chapter or procedure, e.g. "7", "11", "insolvency". */
  chapter: z.string().trim().min(1).max(50),
  caseNumber: z.string().trim().min(1).max(100).optional(),
});

/** Records a bankruptcy filing (manager): all automated contact stops, like a legal hold. */
export function recordBankruptcy(deps: CaseDependencies, actor: string, input: z.input<typeof recordBankruptcyInput>): Promise<{ filingId: string }> {
  return runCaseAction(deps, actor, 'bankruptcy.record', recordBankruptcyInput, input, async (ctx) => {
    const customer = await resolveCustomer(ctx.tx, ctx.input.customer);
    await lockCase(ctx.tx, customer.id);
    if (await findOpenBankruptcy(ctx.tx, customer.id)) {
      throw new InvalidTransition('bankruptcy.record', `customer ${customer.externalId} already has an open filing`);
    }
    const filing = await insertBankruptcy(ctx.tx, {
      customerId: customer.id,
      filedOn: ctx.input.filedOn,
      chapter: ctx.input.chapter,
      caseNumber: ctx.input.caseNumber ?? null,
      by: ctx.actor.id,
      at: ctx.at,
    });
    await ctx.audit({
      entityType: 'customer',
      entityId: customer.id,
      action: 'bankruptcy.recorded',
      reason: `chapter ${ctx.input.chapter} filed on ${ctx.input.filedOn}`,
      after: { filingId: filing.id, filedOn: ctx.input.filedOn, chapter: ctx.input.chapter, caseNumber: ctx.input.caseNumber ?? null },
    });
    await ctx.raiseAlert('bankruptcy', customer.id, `${customer.name} filed for bankruptcy (chapter ${ctx.input.chapter}, ${ctx.input.filedOn})`);
    await ctx.review(customer.id);
    return { filingId: filing.id };
  });
}

export const closeBankruptcyInput = z.object({ customer: customerField, reason: reasonField });

function close(outcome: 'discharged' | 'dismissed') {
  const action = outcome === 'discharged' ? 'bankruptcy.discharge' : 'bankruptcy.dismiss';
  return (deps: CaseDependencies, actor: string, input: z.input<typeof closeBankruptcyInput>): Promise<{ filingId: string }> =>
    runCaseAction(deps, actor, action, closeBankruptcyInput, input, async (ctx) => {
      const customer = await resolveCustomer(ctx.tx, ctx.input.customer);
      await lockCase(ctx.tx, customer.id);
      const filing = await findOpenBankruptcy(ctx.tx, customer.id);
      if (!filing) throw new InvalidTransition(action, `customer ${customer.externalId} has no open bankruptcy filing`);
      await closeBankruptcy(ctx.tx, filing.id, outcome, ctx.actor.id, ctx.at);
      await ctx.audit({
        entityType: 'customer',
        entityId: customer.id,
        action: `bankruptcy.${outcome}`,
        reason: ctx.input.reason,
        before: { filingId: filing.id, open: true },
        after: { filingId: filing.id, outcome },
      });
      await ctx.review(customer.id);
      return { filingId: filing.id };
    });
}

/** Records the discharge of the open filing (manager). */
export const recordBankruptcyDischarge = close('discharged');
/** Records the dismissal of the open filing (manager); contact may resume. */
export const recordBankruptcyDismissal = close('dismissed');
