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

describe('each step fires once per invoice per dunning cycle', () => {
  const invoice = anInvoice({ daysPastDue: 8 });
  const earlier = NOW.minus({ days: 1 });
  const fired = [
    aContact({ channel: 'email', at: earlier, stepId: 'overdue-7', invoices: [invoice] }),
    aContact({ channel: 'sms', at: earlier, stepId: 'overdue-7', invoices: [invoice] }),
  ];

  it('does not fire a step again in the same cycle', () => {
    expect(decide(aCase({ invoices: [invoice], history: fired }), defaultPolicy).actions).toEqual([]);
  });

  it('fires again in a new cycle (the invoice was re-opened)', () => {
    const reopened = { ...invoice, dunningCycle: 2 };
    const decision = decide(aCase({ invoices: [reopened], history: fired }), defaultPolicy);
    expect(summary(decision)).toEqual(['email:overdue-7', 'sms:overdue-7']);
    expect(decision.actions[0]?.invoices).toEqual([{ invoiceId: invoice.id, number: invoice.number, cycle: 2, stepId: 'overdue-7' }]);
  });

  it('sends only the actions of a step that have not gone yet', () => {
    const decision = decide(aCase({ invoices: [invoice], history: fired.slice(0, 1) }), defaultPolicy);
    expect(summary(decision)).toEqual(['sms:overdue-7']);
  });

  it('ignores contacts that were cancelled before leaving', () => {
    const cancelled = fired.map((record) => ({ ...record, status: 'cancelled' as const }));
    expect(summary(decide(aCase({ invoices: [invoice], history: cancelled }), defaultPolicy))).toEqual([
      'email:overdue-7',
      'sms:overdue-7',
    ]);
  });

  it('never steps back to an earlier step once a later one went out', () => {
    const later = [aContact({ at: earlier, stepId: 'overdue-14', invoices: [invoice] })];
    expect(decide(aCase({ invoices: [invoice], history: later }), defaultPolicy).actions).toEqual([]);
  });
});

describe('no replay of missed steps', () => {
  const invoice = anInvoice({ daysPastDue: 42 });
  const history = [
    aContact({ at: NOW.minus({ days: 42 + 3 }), stepId: 'courtesy', invoices: [invoice] }),
    aContact({ at: NOW.minus({ days: 41 }), stepId: 'overdue-1', invoices: [invoice] }),
  ];

  it('after a 40-day pause only today’s step goes; the missed ones are superseded', () => {
    const decision = decide(aCase({ invoices: [invoice], history }), defaultPolicy);
    expect(summary(decision)).toEqual(['email:firm-30', 'sms:firm-30']);
    const superseded = decision.skipped.filter((s) => s.reason === 'superseded').map((s) => `${s.type}:${s.stepId}`);
    expect(superseded).toEqual(['email:overdue-7', 'sms:overdue-7', 'email:overdue-14', 'call_task:overdue-14']);
  });

  it('and the superseded steps never come back on the following days', () => {
    const first = decide(aCase({ invoices: [invoice], history }), defaultPolicy);
    const recorded = [...history, ...first.actions.map((a) => recordOf(a, NOW))];
    for (const day of [1, 2]) {
      const later = decide(aCase({ now: NOW.plus({ days: day }), invoices: [invoice], history: recorded }), defaultPolicy);
      expect(later.actions).toEqual([]);
      expect(later.skipped).toEqual([]);
    }
    const atCreditHold = decide(aCase({ now: NOW.plus({ days: 3 }), invoices: [invoice], history: recorded }), defaultPolicy);
    expect(atCreditHold.actions.map((a) => a.stepId)).toEqual(['credit-hold-45', 'credit-hold-45']);
    expect(atCreditHold.skipped).toEqual([]);
  });

  it('while paused nothing fires, and the pause is explained', () => {
    const paused = decide(aCase({ invoices: [invoice], history, holds: noHolds({ manualPause: true }) }), defaultPolicy);
    expect(paused.actions).toEqual([]);
    expect(paused.skipped.map((s) => `${s.reason}:${s.type}:${s.stepId}`)).toContain('paused:email:firm-30');
  });
});

describe('one consolidated notice per channel per day, highest stage wins', () => {
  const a = anInvoice({ id: 'a', daysPastDue: 7 });
  const b = anInvoice({ id: 'b', daysPastDue: 14 });
  const c = anInvoice({ id: 'c', daysPastDue: -3 });
  const decision = decide(aCase({ invoices: [c, b, a] }), defaultPolicy);

  it('merges every invoice due for a channel into one action', () => {
    expect(summary(decision)).toEqual(['email:overdue-14', 'sms:overdue-7', 'call_task:overdue-14']);
  });

  it('uses the highest stage’s template and lists each invoice at its own step', () => {
    const email = decision.actions[0];
    expect(email?.template).toBe('default/overdue-14');
    expect(email?.invoices.map((i) => `${i.invoiceId}@${i.stepId}`)).toEqual(['a@overdue-7', 'b@overdue-14', 'c@courtesy']);
    expect(decision.actions[1]?.invoices.map((i) => i.invoiceId)).toEqual(['a']);
  });

  it('keys the day’s notices by customer, channel and local date', () => {
    expect(decision.actions.map((x) => x.idempotencyKey)).toEqual([
      'cus-1/email/2026-03-10',
      'cus-1/sms/2026-03-10',
      'cus-1/call_task/2026-03-10',
    ]);
  });

  it('does not contact again the next day for steps the notice covered', () => {
    const history = decision.actions.map((x) => recordOf(x, NOW));
    const next = decide(aCase({ now: NOW.plus({ days: 1 }), invoices: [a, b, c], history }), defaultPolicy);
    expect(next.actions).toEqual([]);
  });

  it('sends a second invoice reaching a step the same day no second email', () => {
    const history = decision.actions.map((x) => recordOf(x, NOW));
    const d = anInvoice({ id: 'd', daysPastDue: 1 });
    const later = decide(aCase({ now: NOW.plus({ hours: 2 }), invoices: [a, b, c, d], history }), defaultPolicy);
    expect(later.actions).toEqual([]);
    expect(later.skipped.filter((x) => x.reason === 'cap')).toMatchObject([{ type: 'email', invoices: [{ invoiceId: 'd' }] }]);
    expect(later.nextLookAt.toISO()).toBe('2026-03-11T08:00:00.000+02:00');
  });
});

describe('idempotency keys', () => {
  it.each([
    { customerId: 'cus:42', daysPastDue: 45, type: 'credit_hold', key: 'cus%3A42/credit_hold/default/credit-hold-45/inv%3A7-c3' },
    { customerId: 'cus:42', daysPastDue: 90, type: 'manager_alert', key: 'cus%3A42/manager_alert/legal_hold/default/legal-hold-90/inv%3A7-c3' },
    { customerId: 'cus:42', daysPastDue: 90, type: 'email', key: 'cus%3A42/email/2026-03-10' },
  ])('$type: $key', ({ customerId, daysPastDue, type, key }) => {
    const input = aCase({ customer: aCustomer({ id: customerId }), invoices: [anInvoice({ id: 'inv:7', daysPastDue, dunningCycle: 3 })] });
    const first = decide(input, defaultPolicy).actions.find((x) => x.type === type);
    expect(first?.idempotencyKey).toBe(key);
    expect(first?.idempotencyKey).not.toContain(':');
    expect(decide(input, defaultPolicy).actions.find((x) => x.type === type)?.idempotencyKey).toBe(key);
  });

  it('the same notice on another local day gets another key', () => {
    const tomorrow = at('2026-03-11T10:00', 'Europe/Bucharest');
    const keys = [NOW, tomorrow].map(
      (now) => decide(aCase({ now, invoices: [anInvoice({ now, daysPastDue: 1, id: 'x' })] }), defaultPolicy).actions[0]?.idempotencyKey,
    );
    expect(keys).toEqual(['cus-1/email/2026-03-10', 'cus-1/email/2026-03-11']);
  });
});
