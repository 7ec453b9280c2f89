import { DateTime } from 'luxon';
import { BoundedCache } from './bounded-cache.js';

/** A calendar date `YYYY-MM-DD` with no time and no zone (due dates, holidays, promise dates). */
export type IsoDate = string;

/** A local wall-clock time `HH:mm`. */
export type LocalTime = string;

// Calendar-date arithmetic runs for every invoice of every case on every tick, so plain `YYYY-MM-DD`
// dates are counted as days since 1970-01-01 (the proleptic Gregorian calendar, no zone: DST
// cannot touch it); anything else goes through luxon as before.
const DAY_MS = 86_400_000;
const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function epochDay(date: IsoDate): number {
  const match = PLAIN_DATE.exec(date);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const at = new Date(Date.UTC(year, month - 1, day));
    if (year >= 1000 && at.getUTCFullYear() === year && at.getUTCMonth() === month - 1 && at.getUTCDate() === day) {
      return at.getTime() / DAY_MS;
    }
  }
  const parsed = DateTime.fromISO(date, { zone: 'utc' });
  if (!parsed.isValid) throw new Error(`invalid ISO date "${date}"`);
  return Math.floor(parsed.toMillis() / DAY_MS);
}

function fromEpochDay(day: number): IsoDate {
  const at = new Date(day * DAY_MS);
  const year = at.getUTCFullYear();
  if (year < 1000 || year > 9999) return DateTime.fromMillis(day * DAY_MS, { zone: 'utc' }).toISODate()!;
  return at.toISOString().slice(0, 10);
}

const dayFormats = new BoundedCache<Intl.DateTimeFormat | null>(1_000);

/**
 * The last instant asked about per zone, and its answer: a step asks for the date (and the local
 * time) of the same `now` for every invoice and rule of every case in its batch, and each answer
 * costs an Intl or luxon zone lookup.
 */
class LastInZone<V> {
  private readonly last = new Map<string, { at: number; value: V }>();

  get(at: number, zone: string, compute: () => V): V {
    const hit = this.last.get(zone);
    if (hit !== undefined && hit.at === at) return hit.value;
    const value = compute();
    if (this.last.size >= 1_000) this.last.clear();
    this.last.set(zone, { at, value });
    return value;
  }
}

const lastDates = new LastInZone<IsoDate>();
const lastIsos = new LastInZone<string>();
const lastInZone = new LastInZone<DateTime>();
const lastWeekLater = new LastInZone<DateTime>();

/** The calendar date an instant falls on in `zone`. */
export function localDateOf(at: DateTime, zone: string): IsoDate {
  return lastDates.get(at.toMillis(), zone, () => computeLocalDate(at, zone));
}

function computeLocalDate(at: DateTime, zone: string): IsoDate {
  const format = dayFormats.get(zone, () => {
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch {
      return null; // not an IANA name Intl knows; luxon also reads fixed offsets such as "UTC+3"
    }
  });
  if (format === null) {
    const date = at.setZone(zone).toISODate();
    if (date === null) throw new Error(`invalid DateTime: unsupported zone "${zone}"`);
    return date;
  }
  const parts = format.formatToParts(at.toMillis());
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
}

/** The same instant on `zone`'s wall clock (luxon's `setZone`). */
export function inZone(at: DateTime, zone: string): DateTime {
  return lastInZone.get(at.toMillis(), zone, () => at.setZone(zone));
}

/** The same local time 7 calendar days later in `zone` (a DST change does not stretch it). */
export function weekLaterInZone(at: DateTime, zone: string): DateTime {
  return lastWeekLater.get(at.toMillis(), zone, () => at.setZone(zone).plus({ days: 7 }));
}

/** An instant as ISO 8601 local time with its offset in `zone` (`2027-03-09T11:00:00.000+02:00`); '' for an unknown zone. */
export function localIsoOf(at: DateTime, zone: string): string {
  return lastIsos.get(at.toMillis(), zone, () => at.setZone(zone).toISO() ?? '');
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier); DST cannot affect it. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return epochDay(to) - epochDay(from);
}

/** `date` moved by `days` calendar days. */
export function addDays(date: IsoDate, days: number): IsoDate {
  return fromEpochDay(epochDay(date) + days);
}

/** ISO weekday of a calendar date: 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: IsoDate): number {
  return ((((epochDay(date) + 3) % 7) + 7) % 7) + 1; // 1970-01-01 was a Thursday
}

/**
 * The instant a local wall-clock time occurs on `date` in `zone`. A time inside a spring-forward
 * gap resolves to just after the gap and a time in the repeated fall-back hour to one of its
 * two occurrences, so a daily moment is never skipped and never doubled.
 */
export function localInstant(date: IsoDate, time: LocalTime, zone: string): DateTime {
  // Cases in one zone share their send-window instants; a DateTime is immutable, so reuse it.
  return localInstants.get(`${date}T${time} ${zone}`, () => {
    const at = DateTime.fromISO(`${date}T${time}`, { zone });
    if (!at.isValid) throw new Error(`invalid local time ${date}T${time} in zone "${zone}"`);
    return at;
  });
}

const localInstants = new BoundedCache<DateTime>(10_000);

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
