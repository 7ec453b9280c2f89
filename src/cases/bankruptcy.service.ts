import { z } from 'zod';
import { closeBankruptcy, findOpenBankruptcy, insertBankruptcy } from '../db/bankruptcy.repository.js';
import { setDoNotContact } from '../db/customers.repository.js';
import { lockInvoicesToWriteOff } from '../db/invoices.repository.js';
import { customerAction, customerField, isoDateField, reasonField, runCustomerAction, type CaseDependencies } from './case-action.js';
import { InvalidTransition } from './errors.js';
import { writeOffOpenInvoices, type WriteOffResult } from './write-off.service.js';

export const recordBankruptcyInput = z.object({
  customer: customerField,
  filedOn: isoDateField,
  /** Chapter or procedure, e.g. "7", "11", "insolvency". */
  chapter: z.string().trim().min(1).max(50),
  caseNumber: z.string().trim().min(1).max(100).optional(),
});

/** Records a bankruptcy filing (manager): all automated contact stops, like a legal hold. */
export const recordBankruptcy = customerAction(
  'bankruptcy.record',
  recordBankruptcyInput,
  async (ctx, customer): Promise<{ filingId: string }> => {
    if (await findOpenBankruptcy(ctx.tx, customer.id)) {
      throw new InvalidTransition('bankruptcy.record', `customer ${customer.externalId} already has an open filing`);
    }
    const filingId = await insertBankruptcy(ctx.sql, {
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
      after: { filingId, filedOn: ctx.input.filedOn, chapter: ctx.input.chapter, caseNumber: ctx.input.caseNumber ?? null },
    });
    await ctx.raiseAlert(
      'bankruptcy',
      customer.id,
      `${customer.name} filed for bankruptcy (chapter ${ctx.input.chapter}, ${ctx.input.filedOn})`,
    );
    await ctx.review(customer.id);
    return { filingId };
  },
);

export const closeBankruptcyInput = z.object({ customer: customerField, reason: reasonField });

/** The write-off reason of a discharge. */
export const DISCHARGE_WRITE_OFF_REASON = 'bankruptcy discharge';

function close(outcome: 'discharged' | 'dismissed') {
  const action = outcome === 'discharged' ? 'bankruptcy.discharge' : 'bankruptcy.dismiss';
  return (
    deps: CaseDependencies,
    actor: string,
    input: z.input<typeof closeBankruptcyInput>,
  ): Promise<{ filingId: string; writtenOff?: WriteOffResult }> =>
    runCustomerAction(deps, actor, action, closeBankruptcyInput, input, async (ctx, customer) => {
      const filing = await findOpenBankruptcy(ctx.tx, customer.id);
      if (!filing) throw new InvalidTransition(action, `customer ${customer.externalId} has no open bankruptcy filing`);
      await closeBankruptcy(ctx.sql, filing.id, outcome, ctx.actor.id, ctx.at);
      await ctx.audit({
        entityType: 'customer',
        entityId: customer.id,
        action: `bankruptcy.${outcome}`,
        reason: ctx.input.reason,
        before: { filingId: filing.id, open: true },
        after: { filingId: filing.id, outcome },
      });
      await ctx.resolveAlerts(['bankruptcy'], customer.id, `the bankruptcy filing was ${outcome}`);
      if (outcome === 'dismissed') {
        await ctx.review(customer.id);
        return { filingId: filing.id };
      }
      // A discharge extinguishes the debt: what is open is written off, and the customer may
      // never be chased for it again, so automated contact stops for good (do-not-contact).
      const invoices = await lockInvoicesToWriteOff(ctx.sql, customer.id, null);
      const writtenOff = await writeOffOpenInvoices(ctx, customer, invoices, DISCHARGE_WRITE_OFF_REASON);
      if (!(await setDoNotContact(ctx.sql, customer.id, true))) {
        await ctx.audit({
          entityType: 'customer',
          entityId: customer.id,
          action: 'customer.do_not_contact',
          reason: DISCHARGE_WRITE_OFF_REASON,
          before: { doNotContact: false },
          after: { doNotContact: true },
        });
      }
      await ctx.review(customer.id);
      return { filingId: filing.id, writtenOff };
    });
}

/** Records the discharge of the open filing (manager): the open balance is written off and contact stops for good. */
export const recordBankruptcyDischarge = close('discharged');
/** Records the dismissal of the open filing (manager); contact may resume. */
export const recordBankruptcyDismissal = close('dismissed');
