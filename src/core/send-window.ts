import type { DateTime } from 'luxon';
import { addDays, inZone, localDateOf, localInstant, minutesOf, weekdayOf, type IsoDate } from './dates.js';
import type { CustomerProfile } from './domain.js';
import type { DunningRules, SendWindow } from './rules.js';

/** Where and when one customer may be contacted. */
export interface CustomerWindow {
  zone: string;
  window: SendWindow;
  /** Local dates on which the window stays shut. */
  holidays: ReadonlySet<IsoDate>;
}

// Bounds the search for an opening; a window open on at least one weekday opens within a week
// unless a year of holidays is configured, which is a configuration error.
const SEARCH_DAYS = 400;

/** The window that applies to a customer: consumers never outside the consumer hours. */
export function windowFor(
  customer: { timeZone: string; holidayCalendar: string | null; profile: CustomerProfile },
  rules: Pick<DunningRules, 'sendWindow' | 'consumer' | 'holidays'>,
): CustomerWindow {
  const base = rules.sendWindow;
  const window =
    customer.profile === 'consumer'
      ? {
          ...base,
          start: minutesOf(base.start) < minutesOf(rules.consumer.earliest) ? rules.consumer.earliest : base.start,
          end: minutesOf(base.end) > minutesOf(rules.consumer.latest) ? rules.consumer.latest : base.end,
        }
      : base;
  const holidays = customer.holidayCalendar === null ? [] : (rules.holidays[customer.holidayCalendar] ?? []);
  return { zone: customer.timeZone, window, holidays: new Set(holidays) };
}

function isOpenDay(date: IsoDate, cw: CustomerWindow): boolean {
  return cw.window.days.includes(weekdayOf(date)) && !cw.holidays.has(date);
}

/**
 * The first instant at or after `from` inside the window: `from` itself when the window is open.
 * Openings are built from local dates and wall-clock times, so a DST change neither skips nor
 * repeats a day.
 */
export function nextOpening(from: DateTime, cw: CustomerWindow): DateTime {
  let date = localDateOf(from, cw.zone);
  for (let i = 0; i < SEARCH_DAYS; i++, date = addDays(date, 1)) {
    if (!isOpenDay(date, cw)) continue;
    const opens = localInstant(date, cw.window.start, cw.zone);
    const closes = localInstant(date, cw.window.end, cw.zone);
    if (from.toMillis() < opens.toMillis()) return opens;
    if (from.toMillis() < closes.toMillis()) return inZone(from, cw.zone);
  }
  throw new Error(`send window never opens within ${SEARCH_DAYS} days of ${from.toISO() ?? ''} in ${cw.zone}`);
}

/** Whether `at` falls inside the window. */
export function isWindowOpen(at: DateTime, cw: CustomerWindow): boolean {
  return nextOpening(at, cw).toMillis() === at.toMillis();
}
