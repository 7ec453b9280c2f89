import { DateTime, Duration } from 'luxon';
import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/core/decide.js';
import { dunningRulesSchema, defaultDunningRules } from '../../../src/core/rules.js';
import { defaultPolicy } from '../../../src/workflows/policies/default.policy.js';
import { aCase, aContact, aCustomer, anInvoice, at } from '../../support/builders.js';
import { describeSent, simulate } from './simulate.js';

/** One invoice; `firedSteps` went out the day before (ladder steps in cycle 1, which is then open). */
function caseIn(zone: string, now: DateTime, dueOn: string, firedSteps: readonly string[] = []) {
  const invoice = anInvoice({ id: 'inv-1', dueOn });
  const steps = firedSteps.map((stepId) => defaultPolicy.steps.find((s) => s.id === stepId)!);
  const history = steps.flatMap((step) =>
    step.actions.map((a) =>
      aContact({
        channel: a.type,
        at: now.minus({ days: 1 }),
        stepId: step.id,
        invoices: [invoice],
        cycle: step.offsetDays > 0 ? 1 : null,
      }),
    ),
  );
  const ladder = { cycle: steps.some((step) => step.offsetDays > 0) ? 1 : 0, open: steps.some((step) => step.offsetDays > 0) };
  return aCase({ now, customer: aCustomer({ timeZone: zone, holidayCalendar: 'RO' }), invoices: [invoice], history, ladder });
}

describe('time zones east and west of UTC, when the local date is not the UTC date', () => {
  it.each([
    {
      zone: 'Pacific/Auckland',
      utc: '2026-03-10T20:00:00Z',
      dueOn: '2026-03-04',
      step: 'overdue-7',
      key: 'cus-1/email/default/cycle-1/overdue-7',
    },
    {
      zone: 'America/Los_Angeles',
      utc: '2026-03-11T02:00:00Z',
      dueOn: '2026-03-04',
      step: 'overdue-1',
      key: 'cus-1/email/default/cycle-1/overdue-1',
    },
    { zone: 'Asia/Shanghai', utc: '2026-03-10T17:00:00Z', dueOn: '2026-03-04', step: 'overdue-7', opens: '2026-03-11T08:00:00.000+08:00' },
    {
      zone: 'Europe/Istanbul',
      utc: '2026-03-10T22:30:00Z',
      dueOn: '2026-03-04',
      step: 'overdue-7',
      opens: '2026-03-11T08:00:00.000+03:00',
    },
    {
      zone: 'Europe/Bucharest',
      utc: '2026-03-10T22:30:00Z',
      dueOn: '2026-03-04',
      step: 'overdue-7',
      opens: '2026-03-11T08:00:00.000+02:00',
    },
  ])('$zone at $utc: step $step', ({ zone, utc, dueOn, step, key, opens }) => {
    const decision = decide(caseIn(zone, DateTime.fromISO(utc, { zone: 'utc' }), dueOn), defaultPolicy);
    if (key !== undefined) {
      expect(decision.actions[0]).toMatchObject({ stepId: step, idempotencyKey: key });
    } else {
      expect(decision.actions).toEqual([]);
      expect(decision.skipped.find((s) => s.type === 'email')).toMatchObject({ stepId: step, reason: 'window' });
      expect(decision.nextLookAt.toISO()).toBe(opens);
      // What a collector reads on the customer page: the local opening, with its zone.
      const local = DateTime.fromISO(opens!, { setZone: true });
      expect(decision.skipped.find((s) => s.type === 'email')?.detail).toBe(
        `outside the send window; opens ${local.toFormat('yyyy-LL-dd HH:mm')} ${zone}`,
      );
    }
  });
});

describe('month ends and leap days', () => {
  it.each([
    {
      name: 'Jan 31 +30 is Mar 2',
      dueOn: '2026-01-31',
      now: '2026-02-16T10:00',
      fired: ['overdue-14'],
      next: '2026-03-02T08:00:00.000+02:00',
    },
    {
      name: 'leap day +1 is Mar 1',
      dueOn: '2028-02-29',
      now: '2028-02-29T10:00',
      fired: ['courtesy'],
      next: '2028-03-01T08:00:00.000+02:00',
    },
    {
      name: 'leap day +30 is Mar 30',
      dueOn: '2028-02-29',
      now: '2028-03-21T10:00',
      fired: ['overdue-14'],
      next: '2028-03-30T08:00:00.000+03:00',
    },
    {
      name: 'Feb 28 +1 in a leap year',
      dueOn: '2028-02-28',
      now: '2028-02-28T12:00',
      fired: ['courtesy'],
      next: '2028-02-29T08:00:00.000+02:00',
    },
  ])('$name', ({ dueOn, now, fired, next }) => {
    const zone = 'Europe/Bucharest';
    const decision = decide(caseIn(zone, at(now, zone), dueOn, fired), defaultPolicy);
    expect(decision.actions).toEqual([]);
    expect(decision.nextLookAt.toISO()).toBe(next);
  });
});

// Steps two days apart on purpose: spacing is off so only the calendar is under test.
const EVERY_DAY = dunningRulesSchema.parse({ sendWindow: { days: [1, 2, 3, 4, 5, 6, 7] }, caps: { minDaysBetweenReminders: 0 } });

describe('DST days never skip or double a step', () => {
  it.each([
    {
      zone: 'Europe/Bucharest',
      dueOn: '2026-03-22',
      start: '08:00',
      overdue1: '2026-03-27T08:00+02:00',
      overdue7: '2026-03-29T08:00+03:00',
    },
    {
      zone: 'Europe/Bucharest',
      dueOn: '2026-10-18',
      start: '08:00',
      overdue1: '2026-10-23T08:00+03:00',
      overdue7: '2026-10-25T08:00+02:00',
    },
    {
      zone: 'America/Los_Angeles',
      dueOn: '2026-03-01',
      start: '08:00',
      overdue1: '2026-03-06T08:00-08:00',
      overdue7: '2026-03-08T08:00-07:00',
    },
    {
      zone: 'America/Los_Angeles',
      dueOn: '2026-10-25',
      start: '08:00',
      overdue1: '2026-10-30T08:00-07:00',
      overdue7: '2026-11-01T08:00-08:00',
    },
    // Window opening inside the skipped hour (opens right after it), and inside the repeated hour
    // (opens once, at its second occurrence).
    {
      zone: 'Europe/Bucharest',
      dueOn: '2026-03-22',
      start: '03:30',
      overdue1: '2026-03-27T03:30+02:00',
      overdue7: '2026-03-29T04:30+03:00',
    },
    {
      zone: 'Europe/Bucharest',
      dueOn: '2026-10-18',
      start: '03:30',
      overdue1: '2026-10-23T03:30+03:00',
      overdue7: '2026-10-25T03:30+02:00',
    },
  ])('$zone, step on the DST day, window from $start', ({ zone, dueOn, start, overdue1, overdue7 }) => {
    const rules = dunningRulesSchema.parse({ sendWindow: { ...EVERY_DAY.sendWindow, start }, caps: EVERY_DAY.caps });
    const from = at(`${dueOn}T00:00`, zone).plus({ days: 5 });
    const input = aCase({ now: from, customer: aCustomer({ timeZone: zone }), invoices: [anInvoice({ dueOn })] });
    const until = from.plus({ days: 5 });
    const expected = [`email overdue-1 @ ${overdue1}`, `email overdue-7 @ ${overdue7}`, `sms overdue-7 @ ${overdue7}`];

    expect(describeSent(simulate(input, defaultPolicy, rules, until, Duration.fromObject({ minutes: 15 })), zone)).toEqual(expected);
    expect(describeSent(simulate(input, defaultPolicy, rules, until), zone)).toEqual(expected);
  });
});

describe('a whole sequence, run by the scheduler', () => {
  const zone = 'Europe/Bucharest';
  const rules = dunningRulesSchema.parse({ holidays: { RO: ['2026-05-01'] } });
  const input = caseIn(zone, at('2026-01-20T00:00', zone), '2026-01-31');
  const until = at('2026-05-15T00:00', zone);

  it('fires every step once, on the next working day when its day is closed, DST and month ends included', () => {
    const byLookAt = simulate(input, defaultPolicy, rules, until);
    expect(describeSent(byLookAt, zone).filter((line) => line.startsWith('email'))).toEqual([
      'email courtesy @ 2026-01-28T08:00+02:00',
      'email overdue-1 @ 2026-02-02T08:00+02:00',
      'email overdue-7 @ 2026-02-09T08:00+02:00',
      'email overdue-14 @ 2026-02-16T08:00+02:00',
      'email firm-30 @ 2026-03-02T08:00+02:00',
      'email credit-hold-45 @ 2026-03-17T08:00+02:00',
      'email final-notice-60 @ 2026-04-01T08:00+03:00',
      'email legal-hold-90 @ 2026-05-04T08:00+03:00',
    ]);
    expect(byLookAt.map((s) => s.action.type).filter((t) => t !== 'email')).toEqual([
      'sms',
      'call_task',
      'sms',
      'credit_hold',
      'sms',
      'legal_hold',
      'manager_alert',
    ]);
  });

  it('a scheduler waking only at nextLookAt does what hourly polling does', () => {
    const polled = simulate(input, defaultPolicy, rules, until, Duration.fromObject({ hours: 1 }));
    expect(describeSent(simulate(input, defaultPolicy, rules, until), zone)).toEqual(describeSent(polled, zone));
  });

  it('nextLookAt is never in the past and never later than the default idle look', () => {
    for (let day = 0; day < 120; day += 3) {
      const now = input.now.plus({ days: day, hours: 13 });
      const next = decide({ ...input, now }, defaultPolicy, defaultDunningRules).nextLookAt;
      expect(next.toMillis()).toBeGreaterThan(now.toMillis());
      expect(next.toMillis()).toBeLessThanOrEqual(now.plus({ days: 30 }).toMillis());
    }
  });
});
