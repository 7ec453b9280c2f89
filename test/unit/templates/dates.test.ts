import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, relativeDays } from '../../../src/templates/dates.js';

describe('formatDate', () => {
  it.each([
    ['en', 'March 14, 2025'],
    ['en-GB', '14 March 2025'],
    ['zh-CN', '2025年3月14日'],
    ['ro', '14 martie 2025'],
    ['tr', '14 Mart 2025'],
  ])('a calendar date stays that day in %s', (locale, expected) => {
    expect(formatDate('2025-03-14', locale, 'Pacific/Auckland')).toBe(expected);
    expect(formatDate('2025-03-14', locale, 'America/Los_Angeles')).toBe(expected);
  });

  it('shows an instant on the customer’s calendar, east and west of UTC', () => {
    expect(formatDate('2025-03-14T23:30:00Z', 'en', 'Asia/Tokyo')).toBe('March 15, 2025');
    expect(formatDate('2025-03-14T23:30:00Z', 'en', 'America/New_York')).toBe('March 14, 2025');
  });

  it('has table and compact styles', () => {
    expect(formatDate('2025-03-14', 'en', 'UTC', 'medium')).toBe('Mar 14, 2025');
    expect(formatDate('2025-03-14', 'ro', 'UTC', 'short')).toBe('14.03.2025');
  });

  it('rejects what is not ISO', () => {
    expect(() => formatDate('14/03/2025', 'en', 'UTC')).toThrow(/not an ISO date/);
  });

  it('gives the clock time in the customer zone across the DST change', () => {
    // Europe/Bucharest moves from +02:00 to +03:00 on 30 March 2025 at 03:00.
    expect(formatDateTime('2025-03-30T00:30:00Z', 'en', 'Europe/Bucharest')).toBe('Mar 30, 2025, 2:30 AM GMT+2');
    expect(formatDateTime('2025-03-30T01:30:00Z', 'en', 'Europe/Bucharest')).toBe('Mar 30, 2025, 4:30 AM GMT+3');
  });
});

describe('relativeDays', () => {
  // 23:30 UTC: already the 18th in Tokyo, still the 17th in Los Angeles.
  const now = '2025-03-17T23:30:00Z';

  it('counts calendar days in the customer zone', () => {
    expect(relativeDays('2025-03-18', now, 'en', 'Asia/Tokyo')).toBe('today');
    expect(relativeDays('2025-03-18', now, 'en', 'America/Los_Angeles')).toBe('tomorrow');
  });

  it.each([
    ['en', 'in 3 days'],
    ['zh-CN', '3天后'],
    ['ro', 'peste 3 zile'],
    ['tr', '3 gün sonra'],
  ])('says "in three days" in %s', (locale, expected) => {
    expect(relativeDays('2025-03-20', '2025-03-17T09:00:00+02:00', locale, 'Europe/Bucharest')).toBe(expected);
  });

  it('says how long ago', () => {
    expect(relativeDays('2025-03-10', '2025-03-17T09:00:00+02:00', 'en', 'Europe/Bucharest')).toBe('7 days ago');
  });
});
