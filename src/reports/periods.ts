import { DateTime } from 'luxon';
import { addDays, daysBetween, type IsoDate } from '../core/dates.js';

// Report periods are runs of calendar dates ending on the as-of date, both ends inclusive.
// Month arithmetic goes through luxon, which clamps to the month's last day (Mar 31 − 1 month
// = Feb 28), so consecutive windows always meet without a gap or an overlap.

/** A run of calendar days, both ends inclusive. */
export interface DateWindow {
  from: IsoDate;
  to: IsoDate;
  /** Number of days in the window. */
  days: number;
}

/** A look-back length: `90d` (days) or `3m` (months). */
export interface PeriodLength {
  unit: 'days' | 'months';
  count: number;
}

/** Parses `90d` / `3m`; anything else is an error naming the accepted forms. */
export function parsePeriodLength(text: string): PeriodLength {
  const match = /^(\d+)([dm])$/.exec(text.trim());
  const count = match ? Number(match[1]) : 0;
  if (!match || count < 1) throw new Error(`period must look like 90d or 3m, got "${text}"`);
  return { unit: match[2] === 'd' ? 'days' : 'months', count };
}

function isoDate(at: DateTime): IsoDate {
  const date = at.toISODate();
  if (date === null) throw new Error(`invalid date: ${at.invalidExplanation ?? 'unknown'}`);
  return date;
}

function parseIso(date: IsoDate): DateTime {
  const parsed = DateTime.fromISO(date, { zone: 'utc' });
  if (!parsed.isValid) throw new Error(`invalid ISO date "${date}"`);
  return parsed;
}

/** `date` moved back by whole months (clamped to the shorter month's end). */
export function minusMonths(date: IsoDate, months: number): IsoDate {
  return isoDate(parseIso(date).minus({ months }));
}

function window(from: IsoDate, to: IsoDate): DateWindow {
  return { from, to, days: daysBetween(from, to) + 1 };
}

/** The period of `length` ending on `asOf`: `90d` = the 90 days up to it, `3m` = the 3 trailing months. */
export function periodEnding(asOf: IsoDate, length: PeriodLength): DateWindow {
  const from = length.unit === 'days' ? addDays(asOf, -(length.count - 1)) : addDays(minusMonths(asOf, length.count), 1);
  return window(from, asOf);
}

/**
 * Trailing month `k` (1 = the latest) before `asOf`: the days after `asOf − k months` up to
 * `asOf − (k − 1) months`. On a month end these are calendar months (Mar 1–31, Feb 1–28, …).
 */
export function trailingMonth(asOf: IsoDate, k: number): DateWindow {
  return window(addDays(minusMonths(asOf, k), 1), minusMonths(asOf, k - 1));
}

/** The `count` trailing months ending on `asOf`, oldest first. */
export function trailingMonths(asOf: IsoDate, count: number): DateWindow[] {
  return Array.from({ length: count }, (_, i) => trailingMonth(asOf, count - i));
}

/** A labelled calendar period (a month `2026-03` or an ISO week `2026-W10`). */
export interface CalendarPeriod extends DateWindow {
  label: string;
}

/**
 * The `count` calendar months or ISO weeks (Monday–Sunday) up to the one containing `asOf`,
 * oldest first; the last one stops at `asOf`.
 */
export function calendarPeriods(asOf: IsoDate, unit: 'month' | 'week', count: number): CalendarPeriod[] {
  const end = parseIso(asOf);
  const periods: CalendarPeriod[] = [];
  for (let i = count - 1; i >= 0; i -= 1) {
    const start = end.minus(unit === 'month' ? { months: i } : { weeks: i }).startOf(unit);
    const last = start.endOf(unit);
    const to = last > end ? asOf : isoDate(last);
    const label = unit === 'month' ? start.toFormat('yyyy-LL') : start.toFormat("kkkk-'W'WW");
    periods.push({ label, ...window(isoDate(start), to) });
  }
  return periods;
}
