import { describe, expect, it } from 'vitest';
import { defaultDunningRules, dunningRulesSchema } from '../../../src/core/rules.js';
import { isWindowOpen, nextOpening, windowFor } from '../../../src/core/send-window.js';
import { aCustomer, at } from '../../support/builders.js';

const EVERY_DAY = dunningRulesSchema.parse({ sendWindow: { days: [1, 2, 3, 4, 5, 6, 7] } });

function windowIn(zone: string, rules = defaultDunningRules, profile: 'business' | 'consumer' = 'business') {
  return windowFor(aCustomer({ timeZone: zone, profile, holidayCalendar: 'RO' }), rules);
}

describe('weekday window 08:00–20:00 (default)', () => {
  const zone = 'Europe/Bucharest';
  it.each([
    { name: 'Tuesday mid-morning is open', from: '2026-03-10T10:00', opens: '2026-03-10T10:00:00.000+02:00' },
    { name: 'before 08:00 waits for 08:00', from: '2026-03-10T07:59', opens: '2026-03-10T08:00:00.000+02:00' },
    { name: '20:00 is already closed', from: '2026-03-10T20:00', opens: '2026-03-11T08:00:00.000+02:00' },
    { name: 'Friday night waits for Monday', from: '2026-03-13T20:30', opens: '2026-03-16T08:00:00.000+02:00' },
    { name: 'Sunday waits for Monday', from: '2026-03-15T12:00', opens: '2026-03-16T08:00:00.000+02:00' },
    { name: 'weekend before spring-forward opens Monday in summer time', from: '2026-03-28T21:00', opens: '2026-03-30T08:00:00.000+03:00' },
    { name: 'weekend of fall-back opens Monday in winter time', from: '2026-10-24T09:00', opens: '2026-10-26T08:00:00.000+02:00' },
  ])('$name', ({ from, opens }) => {
    const start = at(from, zone);
    const opening = nextOpening(start, windowIn(zone));
    expect(opening.toISO()).toBe(opens);
    expect(isWindowOpen(start, windowIn(zone))).toBe(opening.toMillis() === start.toMillis());
  });

  it('skips holidays of the customer’s calendar', () => {
    const rules = dunningRulesSchema.parse({ holidays: { RO: ['2026-03-16', '2026-03-17'] } });
    expect(nextOpening(at('2026-03-13T20:30', zone), windowIn(zone, rules)).toISO()).toBe('2026-03-18T08:00:00.000+02:00');
    expect(nextOpening(at('2026-03-13T20:30', zone), windowFor(aCustomer({ holidayCalendar: 'BG' }), rules)).toISO()).toBe(
      '2026-03-16T08:00:00.000+02:00',
    );
  });
});

describe('DST days with a seven-day window', () => {
  it.each([
    { zone: 'Europe/Bucharest', from: '2026-03-28T21:00', opens: '2026-03-29T08:00:00.000+03:00', hours: 10 },
    { zone: 'Europe/Bucharest', from: '2026-10-24T21:00', opens: '2026-10-25T08:00:00.000+02:00', hours: 12 },
    { zone: 'America/Los_Angeles', from: '2026-03-07T21:00', opens: '2026-03-08T08:00:00.000-07:00', hours: 10 },
    { zone: 'America/Los_Angeles', from: '2026-10-31T21:00', opens: '2026-11-01T08:00:00.000-08:00', hours: 12 },
  ])('$zone: from $from the window opens at $opens, $hours real hours later', ({ zone, from, opens, hours }) => {
    const start = at(from, zone);
    const opening = nextOpening(start, windowIn(zone, EVERY_DAY));
    expect(opening.toISO()).toBe(opens);
    expect(opening.diff(start, 'hours').hours).toBe(hours);
  });

  it('a window starting inside the spring-forward gap opens right after the gap, the same day', () => {
    const rules = dunningRulesSchema.parse({ sendWindow: { start: '03:30', days: [1, 2, 3, 4, 5, 6, 7] } });
    const zone = 'Europe/Bucharest';
    const opening = nextOpening(at('2026-03-29T00:10', zone), windowIn(zone, rules));
    expect(opening.toISO()).toBe('2026-03-29T04:30:00.000+03:00');
  });
});

describe('consumer profile', () => {
  const zone = 'Asia/Shanghai';
  const wide = dunningRulesSchema.parse({ sendWindow: { start: '06:00', end: '23:00' } });

  it.each([
    { profile: 'business' as const, local: '2026-03-10T06:30', open: true },
    { profile: 'consumer' as const, local: '2026-03-10T06:30', open: false },
    { profile: 'business' as const, local: '2026-03-10T21:30', open: true },
    { profile: 'consumer' as const, local: '2026-03-10T21:30', open: false },
    { profile: 'consumer' as const, local: '2026-03-10T20:59', open: true },
  ])('$profile at $local: open=$open', ({ profile, local, open }) => {
    expect(isWindowOpen(at(local, zone), windowIn(zone, wide, profile))).toBe(open);
  });

  it('keeps a narrower window as configured', () => {
    const narrow = dunningRulesSchema.parse({ sendWindow: { start: '09:00', end: '17:00' } });
    expect(windowIn(zone, narrow, 'consumer').window).toMatchObject({ start: '09:00', end: '17:00' });
  });
});

describe('rules config', () => {
  it('has the documented defaults', () => {
    expect(defaultDunningRules.sendWindow).toEqual({ start: '08:00', end: '20:00', days: [1, 2, 3, 4, 5] });
    expect(defaultDunningRules.consumer).toMatchObject({ earliest: '08:00', latest: '21:00', callTasksPer7Days: 7 });
  });

  it.each([
    [{ sendWindow: { start: '20:00', end: '08:00' } }, 'sendWindow.end'],
    [{ sendWindow: { start: '8am' } }, 'sendWindow.start'],
    [{ sendWindow: { days: [] } }, 'sendWindow.days'],
    [{ holidays: { RO: ['2026-02-30'] } }, 'holidays.RO.0'],
  ])('rejects %j at %s', (input, field) => {
    const result = dunningRulesSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(field);
  });
});
