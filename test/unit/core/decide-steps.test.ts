import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/core/decide.js';
import type { Decision } from '../../../src/core/decision.js';
import { defaultPolicy } from '../../../src/workflows/policies/default.policy.js';
import { aCase, aContact, aCustomer, anInvoice, at, NOW, noHolds, recordOf } from '../../support/builders.js';

const summary = (d: Decision) => d.actions.map((a) => `${a.type}:${a.stepId}`);

describe('the step matching today', () => {
  it.each([
    { daysPastDue: -4, actions: [] },
    { daysPastDue: -3, actions: ['email:courtesy'] },
    { daysPastDue: 0, actions: ['email:courtesy'] },
    { daysPastDue: 1, actions: ['email:overdue-1'] },
    { daysPastDue: 7, actions: ['email:overdue-7', 'sms:overdue-7'] },
    { daysPastDue: 14, actions: ['email:overdue-14', 'call_task:overdue-14'] },
    { daysPastDue: 30, actions: ['email:firm-30', 'sms:firm-30'] },
    { daysPastDue: 45, actions: ['email:credit-hold-45', 'credit_hold:credit-hold-45'] },
    { daysPastDue: 60, actions: ['email:final-notice-60', 'sms:final-notice-60'] },
    { daysPastDue: 90, actions: ['email:legal-hold-90', 'legal_hold:legal-hold-90', 'manager_alert:legal-hold-90'] },
    { daysPastDue: 200, actions: ['email:legal-hold-90', 'legal_hold:legal-hold-90', 'manager_alert:legal-hold-90'] },
  ])('$daysPastDue days past due → $actions', ({ daysPastDue, actions }) => {
    const decision = decide(aCase({ invoices: [anInvoice({ daysPastDue })] }), defaultPolicy);
    expect(summary(decision)).toEqual(actions);
    for (const action of decision.actions.filter((a) => a.template !== null)) {
      expect(action.template).toBe(`default/${action.stepId}`);
    }
  });

  it('looks again at the window opening of the first step’s day', () => {
    const decision = decide(aCase({ invoices: [anInvoice({ daysPastDue: -5 })] }), defaultPolicy);
    expect(decision.actions).toEqual([]);
    expect(decision.nextLookAt.toISO()).toBe('2026-03-12T08:00:00.000+02:00');
  });

  it('assigns call tasks to the customer’s collector and alerts with their kind', () => {
    const call = decide(aCase({ invoices: [anInvoice({ daysPastDue: 14 })] }), defaultPolicy).actions[1];
    expect(call).toMatchObject({ type: 'call_task', assigneeId: 'collector-1', template: null });
    const alert = decide(aCase({ invoices: [anInvoice({ daysPastDue: 90 })] }), defaultPolicy).actions[2];
    expect(alert).toMatchObject({ type: 'manager_alert', alertKind: 'legal_hold' });
  });
});

describe('each ladder step fires once per customer cycle', () => {
  const invoice = anInvoice({ daysPastDue: 8 });
  const earlier = NOW.minus({ days: 1 });
  const inCycle = { cycle: 1, open: true };
  const fired = [
    aContact({ channel: 'email', at: earlier, stepId: 'overdue-7', invoices: [invoice], cycle: 1 }),
    aContact({ channel: 'sms', at: earlier, stepId: 'overdue-7', invoices: [invoice], cycle: 1 }),
  ];

  it('does not fire a step again in the same cycle', () => {
    const decision = decide(aCase({ invoices: [invoice], history: fired, ladder: inCycle }), defaultPolicy);
    expect(decision.actions).toEqual([]);
    expect(decision.ladder).toMatchObject({ cycle: 1, open: true, stepId: 'overdue-7', next: { stepId: 'overdue-14' } });
  });

  it('opens a new cycle when the last one had closed, at the step matching the age', () => {
    const lastWeek = fired.map((record) => ({ ...record, at: NOW.minus({ days: 7 }) }));
    const decision = decide(aCase({ invoices: [invoice], history: lastWeek, ladder: { cycle: 1, open: false } }), defaultPolicy);
    expect(summary(decision)).toEqual(['email:overdue-7', 'sms:overdue-7']);
    expect(decision.actions.map((a) => a.cycle)).toEqual([2, 2]);
    expect(decision.ladder).toMatchObject({ cycle: 2, open: true, stepId: 'overdue-7' });
  });

  it('sends only the actions of a step that have not gone yet', () => {
    const decision = decide(aCase({ invoices: [invoice], history: fired.slice(0, 1), ladder: inCycle }), defaultPolicy);
    expect(summary(decision)).toEqual(['sms:overdue-7']);
  });

  it('ignores contacts that were cancelled before leaving', () => {
    const cancelled = fired.map((record) => ({ ...record, status: 'cancelled' as const }));
    expect(summary(decide(aCase({ invoices: [invoice], history: cancelled, ladder: inCycle }), defaultPolicy))).toEqual([
      'email:overdue-7',
      'sms:overdue-7',
    ]);
  });

  it('a younger invoice falling due mid-cycle joins the next message instead of starting its own sequence', () => {
    const young = anInvoice({ id: 'young', daysPastDue: 1 });
    const decision = decide(aCase({ invoices: [invoice, young], history: fired, ladder: inCycle }), defaultPolicy);
    expect(decision.actions).toEqual([]);
    const atNextStep = decide(
      aCase({ now: NOW.plus({ days: 6 }), invoices: [invoice, young], history: fired, ladder: inCycle }),
      defaultPolicy,
    );
    expect(summary(atNextStep)).toEqual(['email:overdue-14', 'call_task:overdue-14']);
    expect(atNextStep.actions[0]?.invoices.map((i) => i.invoiceId).sort()).toEqual([invoice.id, 'young'].sort());
  });

  it('a payment that leaves only a younger invoice starts a new cycle at its lower step', () => {
    const young = anInvoice({ id: 'young', daysPastDue: 2 });
    const history = [aContact({ at: NOW.minus({ days: 4 }), stepId: 'overdue-14', invoices: [invoice, young], cycle: 1 })];
    const decision = decide(aCase({ invoices: [young], history, ladder: inCycle }), defaultPolicy);
    expect(summary(decision)).toEqual(['email:overdue-1']);
    expect(decision.ladder).toMatchObject({ cycle: 2, open: true, stepId: 'overdue-1' });
  });

  it('nothing overdue closes the cycle; courtesy reminders go again only then', () => {
    const upcoming = anInvoice({ id: 'up', daysPastDue: -3 });
    const overdue = anInvoice({ id: 'late', daysPastDue: 3 });
    const history = [aContact({ at: NOW.minus({ days: 2 }), stepId: 'overdue-1', invoices: [overdue], cycle: 1 })];
    const inside = decide(aCase({ invoices: [overdue, upcoming], history, ladder: inCycle }), defaultPolicy);
    expect(inside.actions).toEqual([]);
    const paid = decide(aCase({ invoices: [upcoming], history, ladder: inCycle }), defaultPolicy);
    expect(paid.actions).toEqual([]);
    expect(paid.skipped).toMatchObject([{ type: 'email', stepId: 'courtesy', reason: 'spacing' }]);
    expect(paid.nextLookAt.toISO()).toBe('2026-03-12T08:00:00.000+02:00');
    const spaced = decide(aCase({ now: paid.nextLookAt, invoices: [upcoming], history, ladder: paid.ladder }), defaultPolicy);
    expect(summary(spaced)).toEqual(['email:courtesy']);
    expect(spaced.actions[0]?.cycle).toBeNull();
    expect(paid.ladder).toMatchObject({ cycle: 1, open: false, stepId: null });
  });
});

describe('no replay of missed steps', () => {
  const invoice = anInvoice({ daysPastDue: 42 });
  const history = [
    aContact({ at: NOW.minus({ days: 42 + 3 }), stepId: 'courtesy', invoices: [invoice] }),
    aContact({ at: NOW.minus({ days: 41 }), stepId: 'overdue-1', invoices: [invoice], cycle: 1 }),
  ];
  const ladder = { cycle: 1, open: true };

  it('after a 40-day pause only today’s step goes; the missed ones are superseded', () => {
    const decision = decide(aCase({ invoices: [invoice], history, ladder }), defaultPolicy);
    expect(summary(decision)).toEqual(['email:firm-30', 'sms:firm-30']);
    const superseded = decision.skipped.filter((s) => s.reason === 'superseded').map((s) => `${s.type}:${s.stepId}`);
    expect(superseded).toEqual(['email:overdue-7', 'sms:overdue-7', 'email:overdue-14', 'call_task:overdue-14']);
  });

  it('and the superseded steps never come back on the following days', () => {
    const first = decide(aCase({ invoices: [invoice], history, ladder }), defaultPolicy);
    const recorded = [...history, ...first.actions.map((a) => recordOf(a, NOW))];
    for (const day of [1, 2]) {
      const later = decide(aCase({ now: NOW.plus({ days: day }), invoices: [invoice], history: recorded, ladder }), defaultPolicy);
      expect(later.actions).toEqual([]);
      expect(later.skipped).toEqual([]);
    }
    // Three days after firm-30 the credit hold is due, but reminders go at least four days apart.
    const atCreditHold = decide(aCase({ now: NOW.plus({ days: 3 }), invoices: [invoice], history: recorded, ladder }), defaultPolicy);
    expect(atCreditHold.actions).toEqual([]);
    expect(atCreditHold.skipped.map((s) => `${s.reason}:${s.type}`)).toEqual(['spacing:credit_hold', 'spacing:email']);
    expect(atCreditHold.nextLookAt.toISO()).toBe('2026-03-16T08:00:00.000+02:00');
    const spaced = decide(aCase({ now: NOW.plus({ days: 6 }), invoices: [invoice], history: recorded, ladder }), defaultPolicy);
    expect(spaced.actions.map((a) => a.stepId)).toEqual(['credit-hold-45', 'credit-hold-45']);
  });

  it('while paused nothing fires, and the pause is explained', () => {
    const paused = decide(aCase({ invoices: [invoice], history, ladder, holds: noHolds({ manualPause: true }) }), defaultPolicy);
    expect(paused.actions).toEqual([]);
    expect(paused.skipped.map((s) => `${s.reason}:${s.type}:${s.stepId}`)).toContain('paused:email:firm-30');
  });
});

describe('one message names every overdue invoice, at the oldest one’s step', () => {
  const a = anInvoice({ id: 'a', daysPastDue: 7 });
  const b = anInvoice({ id: 'b', daysPastDue: 14 });
  const c = anInvoice({ id: 'c', daysPastDue: -3 });
  const decision = decide(aCase({ invoices: [c, b, a] }), defaultPolicy);

  it('the oldest overdue invoice sets the step; upcoming ones get no courtesy reminder inside a cycle', () => {
    expect(summary(decision)).toEqual(['email:overdue-14', 'call_task:overdue-14']);
  });

  it('covers every overdue invoice at the ladder step', () => {
    expect(decision.actions[0]?.invoices.map((i) => `${i.invoiceId}@${i.stepId}`)).toEqual(['a@overdue-14', 'b@overdue-14']);
  });

  it('keys the step’s actions by customer, cycle and step', () => {
    expect(decision.actions.map((x) => x.idempotencyKey)).toEqual([
      'cus-1/email/default/cycle-1/overdue-14',
      'cus-1/call_task/default/cycle-1/overdue-14',
    ]);
  });

  it('does not contact again the next day', () => {
    const history = decision.actions.map((x) => recordOf(x, NOW));
    const next = decide(aCase({ now: NOW.plus({ days: 1 }), invoices: [a, b, c], history, ladder: decision.ladder }), defaultPolicy);
    expect(next.actions).toEqual([]);
  });
});

describe('idempotency keys', () => {
  it.each([
    { customerId: 'cus:42', daysPastDue: 45, type: 'credit_hold', key: 'cus%3A42/credit_hold/default/cycle-1/credit-hold-45' },
    {
      customerId: 'cus:42',
      daysPastDue: 90,
      type: 'manager_alert',
      key: 'cus%3A42/manager_alert/legal_hold/default/cycle-1/legal-hold-90',
    },
    { customerId: 'cus:42', daysPastDue: 90, type: 'email', key: 'cus%3A42/email/default/cycle-1/legal-hold-90' },
    { customerId: 'cus:42', daysPastDue: -3, type: 'email', key: 'cus%3A42/email/2026-03-10' },
  ])('$type: $key', ({ customerId, daysPastDue, type, key }) => {
    const input = aCase({ customer: aCustomer({ id: customerId }), invoices: [anInvoice({ id: 'inv:7', daysPastDue, dunningCycle: 3 })] });
    const first = decide(input, defaultPolicy).actions.find((x) => x.type === type);
    expect(first?.idempotencyKey).toBe(key);
    expect(first?.idempotencyKey).not.toContain(':');
    expect(decide(input, defaultPolicy).actions.find((x) => x.type === type)?.idempotencyKey).toBe(key);
  });

  it('the same courtesy notice on another local day gets another key', () => {
    const tomorrow = at('2026-03-11T10:00', 'Europe/Bucharest');
    const keys = [NOW, tomorrow].map(
      (now) => decide(aCase({ now, invoices: [anInvoice({ now, daysPastDue: -3, id: 'x' })] }), defaultPolicy).actions[0]?.idempotencyKey,
    );
    expect(keys).toEqual(['cus-1/email/2026-03-10', 'cus-1/email/2026-03-11']);
  });
});
