import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  inZone,
  localDateOf,
  localInstant,
  localIsoOf,
  weekdayOf,
  weekLaterInZone,
} from '../../../src/core/dates.js';

// The calendar arithmetic has a fast path for plain `YYYY-MM-DD` dates; luxon is the reference.
const reference = {
  daysBetween: (from: string, to: string) =>
    Math.round(DateTime.fromISO(to, { zone: 'utc' }).diff(DateTime.fromISO(from, { zone: 'utc' }), 'days').days),
  addDays: (date: string, days: number) => DateTime.fromISO(date, { zone: 'utc' }).plus({ days }).toISODate(),
  weekdayOf: (date: string) => DateTime.fromISO(date, { zone: 'utc' }).weekday,
  localDateOf: (at: DateTime, zone: string) => at.setZone(zone).toISODate(),
};

const dates = ['1999-12-31', '2000-02-28', '2000-02-29', '2024-02-29', '2025-03-30', '2025-10-26', '2026-12-31', '2100-03-01'];
const zones = ['UTC', 'Europe/Bucharest', 'America/Los_Angeles', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Asia/Kathmandu'];

describe('calendar dates', () => {
  it.each(dates)('%s: weekday, ±days and differences agree with luxon (leap days, month and year ends)', (date) => {
    expect(weekdayOf(date)).toBe(reference.weekdayOf(date));
    for (const days of [-400, -366, -60, -29, -1, 0, 1, 28, 31, 365, 366, 1_000]) {
      expect(addDays(date, days)).toBe(reference.addDays(date, days));
    }
    for (const other of dates) expect(daysBetween(date, other)).toBe(reference.daysBetween(date, other));
  });

  it('rejects dates that do not exist', () => {
    for (const bad of ['2025-02-29', '2025-13-01', '2025-04-31', 'yesterday']) {
      expect(() => daysBetween(bad, '2025-01-01')).toThrow(/invalid ISO date/);
    }
  });

  it.each(zones)('the local date of an instant in %s agrees with luxon, across DST changes and midnight', (zone) => {
    for (let hours = 0; hours < 24 * 400; hours += 7) {
      const at = DateTime.fromISO('2025-01-01T00:30:00Z', { zone: 'utc' }).plus({ hours });
      expect(localDateOf(at, zone)).toBe(reference.localDateOf(at, zone));
    }
  });

  it('answers for the instant asked, not the one asked before in the same zone (dates, local times, a week later)', () => {
    // The last answer per zone is remembered: instants a minute and a day apart, asked in turns.
    const instants = ['2025-03-29T21:59:00Z', '2025-03-29T22:00:00Z', '2025-03-30T22:00:00Z'].map((iso) =>
      DateTime.fromISO(iso, { zone: 'utc' }),
    );
    for (let round = 0; round < 3; round += 1) {
      for (const at of [...instants, ...[...instants].reverse()]) {
        for (const zone of zones) {
          expect(localDateOf(at, zone)).toBe(reference.localDateOf(at, zone));
          expect(localIsoOf(at, zone)).toBe(at.setZone(zone).toISO());
          expect(inZone(at, zone).toISO()).toBe(at.setZone(zone).toISO());
          expect(weekLaterInZone(at, zone).toISO()).toBe(at.setZone(zone).plus({ days: 7 }).toISO());
        }
      }
    }
    expect(localIsoOf(DateTime.utc(2025, 1, 1), 'Mars/Olympus')).toBe('');
  });

  it('gives the same instant for a local time whether or not it was asked before, and refuses a bad zone', () => {
    const first = localInstant('2025-03-30', '03:30', 'Europe/Bucharest');
    const again = localInstant('2025-03-30', '03:30', 'Europe/Bucharest');
    expect(again.toISO()).toBe(first.toISO());
    expect(first.toISO()).toBe(DateTime.fromISO('2025-03-30T03:30', { zone: 'Europe/Bucharest' }).toISO());
    expect(() => localInstant('2025-03-30', '08:00', 'Mars/Olympus')).toThrow(/invalid local time/);
    expect(() => localDateOf(DateTime.utc(2025, 1, 1), 'Mars/Olympus')).toThrow(/unsupported zone/);
  });
});
