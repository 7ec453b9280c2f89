import { DateTime } from 'luxon';

/** A calendar date `YYYY-MM-DD` with no time and no zone (due dates, holidays, promise dates). */
export type IsoDate = string;

/** A local wall-clock time `HH:mm`. */
export type LocalTime = string;

function utcMidnight(date: IsoDate): DateTime {
  const parsed = DateTime.fromISO(date, { zone: 'utc' });
  if (!parsed.isValid) throw new Error(`invalid ISO date "${date}"`);
  return parsed;
}

function toIsoDate(at: DateTime): IsoDate {
  const date = at.toISODate();
  if (date === null) throw new Error(`invalid DateTime: ${at.invalidExplanation ?? 'unknown'}`);
  return date;
}

/** The calendar date an instant falls on in `zone`. */
export function localDateOf(at: DateTime, zone: string): IsoDate {
  return toIsoDate(at.setZone(zone));
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier); DST cannot affect it. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round(utcMidnight(to).diff(utcMidnight(from), 'days').days);
}

/** `date` moved by `days` calendar days. */
export function addDays(date: IsoDate, days: number): IsoDate {
  return toIsoDate(utcMidnight(date).plus({ days }));
}

/** ISO weekday of a calendar date: 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: IsoDate): number {
  return utcMidnight(date).weekday;
}

/**
 * The instant a local wall-clock time occurs on `date` in `zone`. A time inside a spring-forward
 * gap resolves to just after the gap and a time in the repeated fall-back hour to one of its
 * two occurrences, so a daily moment is never skipped and never doubled.
 */
export function localInstant(date: IsoDate, time: LocalTime, zone: string): DateTime {
  const at = DateTime.fromISO(`${date}T${time}`, { zone });
  if (!at.isValid) throw new Error(`invalid local time ${date}T${time} in zone "${zone}"`);
  return at;
}

/** The first instant of `date` in `zone`. */
export function startOfLocalDay(date: IsoDate, zone: string): DateTime {
  return localInstant(date, '00:00', zone);
}

/** Minutes since local midnight of an `HH:mm` time. */
export function minutesOf(time: LocalTime): number {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return hours * 60 + minutes;
}

/** The earliest of some instants, or `null` for none. */
export function earliest(instants: readonly DateTime[]): DateTime | null {
  let first: DateTime | null = null;
  for (const at of instants) if (first === null || at.toMillis() < first.toMillis()) first = at;
  return first;
}
