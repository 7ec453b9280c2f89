import { z } from 'zod';
import { RULE_IDS } from '../core/interest/rules.js';
import { lockCustomerSettings, updateCustomerSettings as writeCustomerSettings } from '../db/customers.repository.js';
import { findUser } from '../db/users.repository.js';
import { CUSTOMER_PROFILES, STATEMENT_SCHEDULES } from '../ingest/rows.js';
import { customerField, customerAction } from './case-action.js';
import { InvalidInput } from './errors.js';

const email = z.string().trim().max(320).pipe(z.email('must be an email address'));

export const updateCustomerInput = z.object({
  customer: customerField,
  /** Email of the user who works the account; null = unassigned. */
  collector: email.nullable().optional(),
  /** `consumer` applies the stricter consumer rules (hours, call tasks, opt-out line). */
  profile: z.enum(CUSTOMER_PROFILES).optional(),
  /** A holiday calendar code of the dunning rules (`DE`, `US-NY`); null = none. */
  holidayCalendar: z
    .string()
    .trim()
    .max(50)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'must be a calendar code such as DE or US-NY')
    .nullable()
    .optional(),
  /** Blocks every automated contact on every channel. */
  doNotContact: z.boolean().optional(),
  statementSchedule: z.enum(STATEMENT_SCHEDULES).optional(),
  /** Told when a credit hold is placed or released; null = nobody. */
  salesContactEmail: email.nullable().optional(),
  /** Late-payment rule (`none` turns interest off for the customer); null = the business default (INTEREST_RULE). */
  interestRule: z
    .enum(['none', ...RULE_IDS])
    .nullable()
    .optional(),
  /** Contractual late-payment rate in percent × 100 (8.5 % = 850), overriding the rule; null = none. */
  interestContractRateBp: z.number().int('must be a whole number of hundredths of a percent').min(0).max(100_000).nullable().optional(),
  reason: z.string().trim().max(2_000).optional(),
});

type Settings = {
  collector: string | null;
  profile: string;
  holidayCalendar: string | null;
  doNotContact: boolean;
  statementSchedule: string;
  salesContactEmail: string | null;
  interestRule: string | null;
  interestContractRateBp: number | null;
};

/**
 * Changes the customer fields the business owns outside the ledger (manager): assigned
 * collector, contact profile, holiday calendar, do-not-contact, statement schedule, sales
 * contact, and the late-payment interest rule and contractual rate. Fields left out stay as they are; what changed is audited (before/after) and the case
 * is decided again at the next tick. Returns the names of the fields changed (none is no error).
 */
export const updateCustomerSettings = customerAction(
  'customer.update',
  updateCustomerInput,
  async (ctx, customer): Promise<{ changed: string[] }> => {
    const stored = await lockCustomerSettings(ctx.sql, customer.id);
    const before: Settings = { ...stored, collector: stored.collector?.email ?? null };
    const collector = ctx.input.collector ? await findUser(ctx.tx, ctx.input.collector) : null;
    if (ctx.input.collector && (!collector || !collector.active)) {
      const message = collector ? `${collector.email} is not an active user` : `no user has the email ${ctx.input.collector}`;
      throw new InvalidInput('customer.update', [{ field: 'collector', message }]);
    }
    const wanted: Partial<Settings> = {
      ...(ctx.input.collector !== undefined && { collector: collector?.email ?? null }),
      ...(ctx.input.profile !== undefined && { profile: ctx.input.profile }),
      ...(ctx.input.holidayCalendar !== undefined && { holidayCalendar: ctx.input.holidayCalendar }),
      ...(ctx.input.doNotContact !== undefined && { doNotContact: ctx.input.doNotContact }),
      ...(ctx.input.statementSchedule !== undefined && { statementSchedule: ctx.input.statementSchedule }),
      ...(ctx.input.salesContactEmail !== undefined && { salesContactEmail: ctx.input.salesContactEmail }),
      ...(ctx.input.interestRule !== undefined && { interestRule: ctx.input.interestRule }),
      ...(ctx.input.interestContractRateBp !== undefined && { interestContractRateBp: ctx.input.interestContractRateBp }),
    };
    const changed = (Object.keys(wanted) as Array<keyof Settings>).filter((key) => wanted[key] !== before[key]);
    if (changed.length === 0) return { changed };
    await writeCustomerSettings(ctx.sql, customer.id, {
      ...(changed.includes('collector') && { collectorId: collector?.id ?? null }),
      ...(changed.includes('profile') && { profile: wanted.profile as (typeof CUSTOMER_PROFILES)[number] }),
      ...(changed.includes('holidayCalendar') && { holidayCalendar: wanted.holidayCalendar ?? null }),
      ...(changed.includes('doNotContact') && { doNotContact: wanted.doNotContact! }),
      ...(changed.includes('statementSchedule') && { statementSchedule: wanted.statementSchedule as (typeof STATEMENT_SCHEDULES)[number] }),
      ...(changed.includes('salesContactEmail') && { salesContactEmail: wanted.salesContactEmail ?? null }),
      ...(changed.includes('interestRule') && { interestRule: wanted.interestRule ?? null }),
      ...(changed.includes('interestContractRateBp') && { interestContractRateBp: wanted.interestContractRateBp ?? null }),
    });
    await ctx.audit({
      entityType: 'customer',
      entityId: customer.id,
      action: 'customer.updated',
      reason: ctx.input.reason || `changed ${changed.join(', ')}`,
      before: Object.fromEntries(changed.map((key) => [key, before[key]])),
      after: Object.fromEntries(changed.map((key) => [key, wanted[key]])),
    });
    await ctx.review(customer.id);
    return { changed };
  },
);
