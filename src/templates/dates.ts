import { DateTime, type DateTimeFormatOptions } from 'luxon';
import { BoundedCache } from '../core/bounded-cache.js';

/** How much of a date to show: `long` in prose, `medium` in tables, `short` where space is tight. */
export type DateStyle = 'long' | 'medium' | 'short';

const DATE_STYLES: Readonly<Record<DateStyle, DateTimeFormatOptions>> = {
  long: DateTime.DATE_FULL,
  medium: DateTime.DATE_MED,
  short: DateTime.DATE_SHORT,
};

/**
 * Reads an ISO calendar date (taken as that day in `timeZone`) or an ISO instant (moved into
 * `timeZone`), so `2025-03-14` is the 14th everywhere and an instant shows the customer's clock.
 */
export function parseInZone(iso: string, timeZone: string, locale: string): DateTime {
  const parsed = DateTime.fromISO(iso, { zone: timeZone }).setLocale(locale);
  if (!parsed.isValid) throw new RangeError(`not an ISO date: "${iso}" (${parsed.invalidExplanation})`);
  return parsed;
}

/** A date in words for a locale: `March 14, 2025`, `2025年3月14日`, `14 martie 2025`. */
export function formatDate(iso: string, locale: string, timeZone: string, style: DateStyle = 'long'): string {
  return formatted.get(`d ${iso} ${locale} ${timeZone} ${style}`, () =>
    parseInZone(iso, timeZone, locale).toLocaleString(DATE_STYLES[style]),
  );
}

/** An instant with time and zone name, for logs shown to people (`Mar 14, 2025, 9:30 AM EET`). */
export function formatDateTime(iso: string, locale: string, timeZone: string): string {
  return parseInZone(iso, timeZone, locale).toLocaleString({ ...DateTime.DATETIME_MED, timeZoneName: 'short' });
}

/**
 * Calendar days from `now` to a date, in words (`in 3 days`, `yesterday`, `3天后`), counted in the
 * customer's zone so that an evening send does not say "tomorrow" about today.
 */
export function relativeDays(iso: string, nowIso: string, locale: string, timeZone: string): string {
  return formatted.get(`r ${iso} ${nowIso} ${locale} ${timeZone}`, () => {
    const base = parseInZone(nowIso, timeZone, locale);
    const relative = parseInZone(iso, timeZone, locale).toRelativeCalendar({ base, unit: 'days' });
    if (relative === null) throw new RangeError(`cannot compare "${iso}" with "${nowIso}"`);
    return relative;
  });
}

// Reminders in one batch quote the same due dates in the same few locales and zones, and each
// formatting costs several Intl calls: the words are remembered.
const formatted = new BoundedCache<string>(20_000);
