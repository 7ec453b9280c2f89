import { z } from 'zod';

const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm');
const isoDate = z.iso.date();
const count = z.int().min(0);

/** Hours and weekdays in which the customer may be contacted, in the customer's local time. */
export const sendWindowSchema = z
  .object({
    start: localTime.default('08:00'),
    end: localTime.default('20:00'),
    /** ISO weekdays, 1 = Monday … 7 = Sunday. */
    days: z.array(z.int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5]),
  })
  .refine((w) => w.start < w.end, { message: 'start must be before end', path: ['end'] });

/**
 * The rules the decision core enforces, with their defaults. Parse a partial object (from
 * config) with `dunningRulesSchema.parse(...)`; `{}` gives `defaultDunningRules`.
 */
export const dunningRulesSchema = z.object({
  sendWindow: sendWindowSchema.prefault({}),
  /** Non-working days per calendar code (`Customer.holidayCalendar`); no contact on them. */
  holidays: z.record(z.string(), z.array(isoDate)).default({}),
  caps: z
    .object({
      /** Emails per customer per local day (consolidation already makes every channel one a day). */
      emailsPerDay: count.default(1),
      /** Emails and SMS per customer in any rolling 7 days. */
      contactsPer7Days: count.default(4),
      /** Local calendar days between two reminders to one customer (a step due sooner waits); 0 = off. */
      minDaysBetweenReminders: count.default(4),
    })
    .prefault({}),
  /** Per ISO 4217 currency: below this total open balance (minor units) nothing is sent. */
  minimumBalanceMinor: z.record(z.string(), count).default({}),
  /** Days after a promised date before the promise counts as broken. */
  promiseGraceDays: count.default(2),
  paymentPlan: z
    .object({
      /** An upcoming-instalment reminder goes this many days before each instalment. */
      reminderDaysBefore: count.default(3),
      upcomingTemplate: z.string().min(1).default('payment-plan/instalment-upcoming'),
      missedTemplate: z.string().min(1).default('payment-plan/instalment-missed'),
      /** Severity of plan reminders when consolidated with policy steps. */
      stage: z.int().default(0),
    })
    .prefault({}),
  /** The stricter `consumer` profile; applies whatever the policy or send window says. */
  consumer: z
    .object({
      earliest: localTime.default('08:00'),
      latest: localTime.default('21:00'),
      callTasksPer7Days: count.default(7),
      optOutLineRequired: z.boolean().default(true),
    })
    .prefault({}),
  /** When nothing is scheduled, look again after this many days anyway. */
  idleLookAheadDays: z.int().min(1).default(30),
});

/** The rules config of the decision core (see `dunningRulesSchema` for each key). */
export type DunningRules = z.output<typeof dunningRulesSchema>;

/** A send window: `start` ≤ local time < `end`, on `days`. */
export type SendWindow = DunningRules['sendWindow'];

export const defaultDunningRules: DunningRules = dunningRulesSchema.parse({});
