import { z } from 'zod';
import { appendAudit } from '../db/audit.repository.js';
import {
  cancelPlan,
  findActivePlan,
  insertPlan,
  loadActivePlanProgress,
  setPlanStatus,
  updateInstalment,
  type PlanProgress,
} from '../db/payment-plans.repository.js';
import { inTransaction } from '../db/transaction.js';
import { requestReview } from '../db/cases.repository.js';
import { addDays } from '../core/dates.js';
import { customerField, isoDateField, reasonField, customerAction, type CaseDependencies } from './case-action.js';
import { InvalidTransition } from './errors.js';

/** An unpaid instalment this many days past its due date is `missed` and its plan `broken`. */
export const PLAN_MISSED_AFTER_DAYS = 7;

export const createPlanInput = z
  .object({
    customer: customerField,
    currency: z
      .string()
      .trim()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
      .optional(),
    /** Integer minor units; must equal the sum of the instalments. */
    totalMinor: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    instalments: z
      .array(z.object({ dueOn: isoDateField, amountMinor: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) }))
      .min(1, 'needs at least one instalment')
      .max(120),
    notes: z.string().trim().max(5_000).optional(),
  })
  .superRefine((plan, ctx) => {
    const sum = plan.instalments.reduce((total, i) => total + i.amountMinor, 0);
    if (sum !== plan.totalMinor) {
      ctx.addIssue({ code: 'custom', path: ['instalments'], message: `amounts sum to ${sum}, not the plan total ${plan.totalMinor}` });
    }
    plan.instalments.forEach((instalment, i) => {
      const previous = plan.instalments[i - 1];
      if (previous && instalment.dueOn <= previous.dueOn) {
        ctx.addIssue({ code: 'custom', path: ['instalments', i, 'dueOn'], message: 'must be after the previous instalment' });
      }
    });
  });

/**
 * Agrees a payment plan (manager): the plan's reminders replace the policy steps of the
 * customer's invoices in its currency until it completes, breaks or is cancelled.
 */
export const createPaymentPlan = customerAction(
  'payment_plan.create',
  createPlanInput,
  async (ctx, customer): Promise<{ planId: string }> => {
    if (await findActivePlan(ctx.tx, customer.id)) {
      throw new InvalidTransition('payment_plan.create', `customer ${customer.externalId} already has an active payment plan`);
    }
    const currency = ctx.input.currency ?? customer.currency;
    const planId = await insertPlan(ctx.sql, {
      customerId: customer.id,
      currency,
      totalMinor: BigInt(ctx.input.totalMinor),
      notes: ctx.input.notes ?? null,
      by: ctx.actor.id,
      at: ctx.at,
      instalments: ctx.input.instalments.map((i) => ({ dueOn: i.dueOn, amountMinor: BigInt(i.amountMinor) })),
    });
    await ctx.audit({
      entityType: 'payment_plan',
      entityId: planId,
      action: 'payment_plan.created',
      reason: ctx.input.notes ?? null,
      after: { currency, totalMinor: ctx.input.totalMinor, instalments: ctx.input.instalments },
    });
    await ctx.review(customer.id);
    return { planId };
  },
);

export const cancelPlanInput = z.object({ customer: customerField, reason: reasonField });

/** Cancels the active plan (manager); the policy steps take over again. */
export const cancelPaymentPlan = customerAction(
  'payment_plan.cancel',
  cancelPlanInput,
  async (ctx, customer): Promise<{ planId: string }> => {
    const plan = await findActivePlan(ctx.tx, customer.id);
    if (!plan) throw new InvalidTransition('payment_plan.cancel', `customer ${customer.externalId} has no active payment plan`);
    await cancelPlan(ctx.sql, plan.id, ctx.at);
    await ctx.audit({
      entityType: 'payment_plan',
      entityId: plan.id,
      action: 'payment_plan.cancelled',
      reason: ctx.input.reason,
      before: { status: 'active' },
      after: { status: 'cancelled' },
    });
    await ctx.review(customer.id);
    return { planId: plan.id };
  },
);

export interface InstalmentChange {
  id: string;
  paidMinor: bigint;
  status: 'pending' | 'paid' | 'missed';
}

/**
 * Pure: what payments towards a plan mean for its instalments. Payments pay instalments in
 * order; an unpaid instalment more than `PLAN_MISSED_AFTER_DAYS` past due is missed and breaks
 * the plan; a plan whose instalments are all paid is completed.
 */
export function assessPlan(progress: PlanProgress): { changes: InstalmentChange[]; planStatus: 'active' | 'completed' | 'broken' } {
  let left = progress.paidMinor;
  const changes: InstalmentChange[] = [];
  let missed = false;
  let allPaid = true;
  for (const instalment of progress.instalments) {
    if (instalment.status === 'cancelled') continue;
    const paidMinor = left >= instalment.amountMinor ? instalment.amountMinor : left > 0n ? left : 0n;
    left -= paidMinor;
    let status: InstalmentChange['status'] = paidMinor >= instalment.amountMinor ? 'paid' : 'pending';
    if (status === 'pending' && progress.today > addDays(instalment.dueOn, PLAN_MISSED_AFTER_DAYS)) status = 'missed';
    if (status === 'missed') missed = true;
    if (status !== 'paid') allPaid = false;
    if (status !== instalment.status || paidMinor !== instalment.paidMinor) changes.push({ id: instalment.id, paidMinor, status });
  }
  return { changes, planStatus: missed ? 'broken' : allPaid ? 'completed' : 'active' };
}

/** Applies `assessPlan` to every active plan (actor `system`; run by the sweep). Returns the plans that broke. */
export async function evaluatePaymentPlans(deps: CaseDependencies): Promise<{ broken: string[]; completed: string[] }> {
  const at = deps.clock();
  const outcome = { broken: [] as string[], completed: [] as string[] };
  for (const progress of await loadActivePlanProgress(deps.prisma, at)) {
    const { changes, planStatus } = assessPlan(progress);
    if (changes.length === 0 && planStatus === 'active') continue;
    await inTransaction(deps.prisma, async ({ sql }) => {
      for (const change of changes) await updateInstalment(sql, change.id, { paidMinor: change.paidMinor, status: change.status });
      if (planStatus !== 'active') {
        await setPlanStatus(sql, progress.planId, planStatus);
        await appendAudit(sql, {
          entityType: 'payment_plan',
          entityId: progress.planId,
          action: `payment_plan.${planStatus}`,
          actor: 'system',
          reason: planStatus === 'broken' ? `an instalment is more than ${PLAN_MISSED_AFTER_DAYS} days overdue` : 'every instalment paid',
          before: { status: 'active' },
          after: { status: planStatus },
          at,
        });
      }
      await requestReview(sql, [progress.customerId], at);
    });
    if (planStatus === 'broken') outcome.broken.push(progress.planId);
    if (planStatus === 'completed') outcome.completed.push(progress.planId);
  }
  return outcome;
}
