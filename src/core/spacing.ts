import type { DateTime } from 'luxon';
import { addDays, localDateOf, startOfLocalDay } from './dates.js';
import { reachedCustomer, type ContactRecord } from './domain.js';
import type { Climb } from './ladder.js';
import type { DunningRules } from './rules.js';

function isReminder(record: ContactRecord): boolean {
  return (record.channel === 'email' || record.channel === 'sms') && reachedCustomer(record);
}

/** Part of the step due now (its email went, its SMS waits): not a reminder of its own. */
function ofCurrentStep(record: ContactRecord, climbed: Climb): boolean {
  const step = climbed.steps[climbed.target];
  return step !== undefined && record.cycle === climbed.ladder.cycle && record.invoices.some((ref) => ref.stepId === step.id);
}

/**
 * Whether a reminder due now must wait because the customer's last one was too recent: two
 * reminders are at least `caps.minDaysBetweenReminders` local calendar days apart. Returns when
 * the wait ends, or `null` when nothing waits.
 */
export function reminderSpacing(
  history: readonly ContactRecord[],
  now: DateTime,
  zone: string,
  rules: DunningRules,
  climbed: Climb,
): { release: DateTime; detail: string } | null {
  const minDays = rules.caps.minDaysBetweenReminders;
  if (minDays === 0) return null;
  let last: DateTime | null = null;
  for (const record of history) {
    if (isReminder(record) && !ofCurrentStep(record, climbed) && (last === null || record.at > last)) last = record.at;
  }
  if (last === null) return null;
  const lastDay = localDateOf(last, zone);
  const earliestDay = addDays(lastDay, minDays);
  if (localDateOf(now, zone) >= earliestDay) return null;
  return {
    release: startOfLocalDay(earliestDay, zone),
    detail: `last reminder on ${lastDay}; reminders go at least ${minDays} days apart, so not before ${earliestDay}`,
  };
}
