import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/core/decide.js';
import { replyPauseEnd } from '../../../src/core/pauses.js';
import type { Decision } from '../../../src/core/decision.js';
import { dunningRulesSchema } from '../../../src/core/rules.js';
import { defaultPolicy } from '../../../src/workflows/policies/default.policy.js';
import {
  aCase,
  aContact,
  aCustomer,
  aDispute,
  anInstalment,
  anInvoice,
  aPaymentPlan,
  aPromise,
  NOW,
  noHolds,
} from '../../support/builders.js';

const summary = (d: Decision) => d.actions.map((a) => `${a.type}:${a.stepId}`);
const reasons = (d: Decision) => [...new Set(d.skipped.map((s) => s.reason))];

describe('holds and flags that stop all automated contact', () => {
  it.each([
    { name: 'legal hold', holds: noHolds({ legalHold: true }), doNotContact: false, reason: 'hold' },
    { name: 'bankruptcy', holds: noHolds({ bankruptcy: true }), doNotContact: false, reason: 'hold' },
    { name: 'do-not-contact', holds: noHolds(), doNotContact: true, reason: 'consent' },
    { name: 'manual pause', holds: noHolds({ manualPause: true }), doNotContact: false, reason: 'paused' },
  ])('$name: nothing goes, reason $reason', ({ holds, doNotContact, reason }) => {
    const decision = decide(
      aCase({ customer: aCustomer({ doNotContact }), holds, invoices: [anInvoice({ daysPastDue: 90 })] }),
      defaultPolicy,
    );
    expect(decision.actions).toEqual([]);
    expect(decision.skipped.map((s) => `${s.type}:${s.reason}`)).toEqual([
      `legal_hold:${reason}`,
      `manager_alert:${reason}`,
      `email:${reason}`,
    ]);
    expect(decision.nextLookAt.toISO()).toBe(NOW.plus({ days: 30 }).toISO());
  });

  it('a credit hold does not stop dunning', () => {
    const decision = decide(aCase({ holds: noHolds({ creditHold: true }), invoices: [anInvoice({ daysPastDue: 7 })] }), defaultPolicy);
    expect(summary(decision)).toEqual(['email:overdue-7', 'sms:overdue-7']);
  });
});

describe('disputes leave out the disputed invoice only', () => {
  const disputed = anInvoice({ id: 'disputed', daysPastDue: 7 });
  const other = anInvoice({ id: 'other', daysPastDue: 7 });

  it('open dispute', () => {
    const decision = decide(aCase({ invoices: [disputed, other], disputes: [aDispute(disputed)] }), defaultPolicy);
    expect(decision.actions.map((a) => a.invoices.map((i) => i.invoiceId))).toEqual([['other'], ['other']]);
    const skipped = decision.skipped.filter((s) => s.reason !== 'superseded');
    expect(skipped.map((s) => `${s.type}:${s.reason}:${s.invoices[0]?.invoiceId}`)).toEqual([
      'email:dispute:disputed',
      'sms:dispute:disputed',
    ]);
  });

  it('resolved dispute', () => {
    const decision = decide(aCase({ invoices: [disputed, other], disputes: [aDispute(disputed, 'resolved')] }), defaultPolicy);
    expect(decision.actions[0]?.invoices.map((i) => i.invoiceId)).toEqual(['disputed', 'other']);
  });
});

describe('promises to pay', () => {
  const invoice = anInvoice({ daysPastDue: 7 });

  it.each([
    { name: 'promised in 2 days, grace 2', promisedOn: '2026-03-12', graceDays: undefined, resumes: '2026-03-16T08:00:00.000+02:00' },
    {
      name: 'promised yesterday, still in grace',
      promisedOn: '2026-03-09',
      graceDays: undefined,
      resumes: '2026-03-12T08:00:00.000+02:00',
    },
    { name: 'own grace of 0 days, promised today', promisedOn: '2026-03-10', graceDays: 0, resumes: '2026-03-11T08:00:00.000+02:00' },
  ])('open promise pauses the customer: $name', ({ promisedOn, graceDays, resumes }) => {
    const decision = decide(aCase({ invoices: [invoice], promises: [aPromise({ promisedOn, graceDays })] }), defaultPolicy);
    expect(decision.actions).toEqual([]);
    expect(reasons(decision)).toEqual(['paused']);
    expect(decision.nextLookAt.toISO()).toBe(resumes);
  });

  it('a broken promise resumes dunning and alerts a manager once, keyed by the promise', () => {
    const promise = aPromise({ id: 'ptp-9', promisedOn: '2026-03-07' });
    const decision = decide(aCase({ invoices: [invoice], promises: [promise] }), defaultPolicy);
    expect(summary(decision)).toEqual(['email:overdue-7', 'sms:overdue-7', 'manager_alert:broken-promise']);
    expect(decision.actions[2]).toMatchObject({ alertKind: 'broken_promise', promiseId: 'ptp-9', invoices: [] });
    expect(decision.actions[2]?.idempotencyKey).toBe('cus-1/manager_alert/broken_promise/ptp-9');
  });

  it.each(['kept', 'broken', 'cancelled'] as const)('a %s promise neither pauses nor alerts', (status) => {
    const decision = decide(aCase({ invoices: [invoice], promises: [aPromise({ status, promisedOn: '2026-03-07' })] }), defaultPolicy);
    expect(summary(decision)).toEqual(['email:overdue-7', 'sms:overdue-7']);
  });
});

describe('payment plans replace the invoices’ steps', () => {
  const inPlan = anInvoice({ id: 'in-plan', daysPastDue: 30 });

  it.each([
    { name: 'instalment in 2 days', dueOn: '2026-03-12', paid: false, step: 'instalment-upcoming' },
    { name: 'instalment due today', dueOn: '2026-03-10', paid: false, step: 'instalment-upcoming' },
    { name: 'instalment missed yesterday', dueOn: '2026-03-09', paid: false, step: 'instalment-missed' },
    { name: 'instalment in 4 days', dueOn: '2026-03-14', paid: false, step: null },
    { name: 'paid instalment', dueOn: '2026-03-09', paid: true, step: null },
  ])('$name → $step', ({ dueOn, paid, step }) => {
    const plan = aPaymentPlan([inPlan], [anInstalment({ id: 'i1', dueOn, paid })]);
    const decision = decide(aCase({ invoices: [inPlan], paymentPlan: plan }), defaultPolicy);
    expect(decision.actions.map((a) => a.stepId)).toEqual(step === null ? [] : [step]);
    if (step !== null) {
      expect(decision.actions[0]?.template).toBe(`payment-plan/${step}`);
      expect(decision.actions[0]?.invoices).toMatchObject([{ invoiceId: 'in-plan', stepId: step, instalmentId: 'i1' }]);
    }
  });

  it('reminds once per instalment', () => {
    const plan = aPaymentPlan([inPlan], [anInstalment({ id: 'i1', dueOn: '2026-03-09' })]);
    const reminded = aContact({ at: NOW.minus({ days: 1 }), stepId: 'instalment-missed', policyId: 'payment-plan', invoices: [inPlan] });
    const history = [{ ...reminded, invoices: reminded.invoices.map((ref) => ({ ...ref, instalmentId: 'i1' })) }];
    expect(decide(aCase({ invoices: [inPlan], paymentPlan: plan, history }), defaultPolicy).actions).toEqual([]);
  });

  it('looks again at the next reminder day', () => {
    const plan = aPaymentPlan([inPlan], [anInstalment({ dueOn: '2026-03-20' })]);
    expect(decide(aCase({ invoices: [inPlan], paymentPlan: plan }), defaultPolicy).nextLookAt.toISO()).toBe(
      '2026-03-17T08:00:00.000+02:00',
    );
  });

  it('invoices outside the plan keep their steps; a plan no longer active gives them back', () => {
    const outside = anInvoice({ id: 'outside', daysPastDue: 7 });
    const plan = aPaymentPlan([inPlan], [anInstalment({ dueOn: '2026-04-20' })]);
    const active = decide(aCase({ invoices: [inPlan, outside], paymentPlan: plan }), defaultPolicy);
    expect(active.actions[0]?.invoices.map((i) => i.invoiceId)).toEqual(['outside']);
    const broken = decide(aCase({ invoices: [inPlan, outside], paymentPlan: { ...plan, status: 'broken' } }), defaultPolicy);
    // Back on the ladder, the plan's invoice is the oldest: one message names both at its step.
    expect(broken.actions[0]?.invoices.map((i) => `${i.invoiceId}@${i.stepId}`)).toEqual(['in-plan@firm-30', 'outside@firm-30']);
  });
});

describe('minimum balance per currency', () => {
  const rules = dunningRulesSchema.parse({ minimumBalanceMinor: { EUR: 50_000 } });

  it.each([
    { balances: [30_000], currency: 'EUR', sent: false },
    { balances: [30_000, 30_000], currency: 'EUR', sent: true },
    { balances: [50_000], currency: 'EUR', sent: true },
    { balances: [100], currency: 'USD', sent: true },
  ])('$currency $balances → sent: $sent', ({ balances, currency, sent }) => {
    const invoices = balances.map((balanceMinor) => anInvoice({ daysPastDue: 1, balanceMinor, currency }));
    const decision = decide(aCase({ invoices }), defaultPolicy, rules);
    expect(decision.actions.length > 0).toBe(sent);
    expect(reasons(decision)).toEqual(sent ? [] : ['min_balance']);
  });

  it("says why in the currency's own units", () => {
    const decision = decide(
      aCase({ invoices: [anInvoice({ daysPastDue: 1, balanceMinor: 30_000, currency: 'EUR' })] }),
      defaultPolicy,
      rules,
    );
    expect(decision.skipped[0]?.detail).toBe('open EUR balance 300.00 is below the minimum 500.00');
  });

  it('ignores invoices already paid', () => {
    const decision = decide(aCase({ invoices: [anInvoice({ daysPastDue: 1, balanceMinor: 0 })] }), defaultPolicy);
    expect(decision.actions).toEqual([]);
  });
});

describe('replies: the reply pause and an out-of-office return date', () => {
  const overdue = () => [anInvoice({ daysPastDue: 8 })];
  it.each([
    {
      name: 'a reply awaiting a collector, paused through Thursday',
      holds: noHolds({ replyPausedThrough: '2026-03-12' }),
      resumes: '2026-03-13',
    },
    { name: 'out of office until Thursday', holds: noHolds({ awayUntil: '2026-03-12' }), resumes: '2026-03-12' },
    { name: 'both: the later wins', holds: noHolds({ replyPausedThrough: '2026-03-11', awayUntil: '2026-03-13' }), resumes: '2026-03-13' },
  ])('$name: nothing goes, looked at again from $resumes', ({ holds, resumes }) => {
    const decision = decide(aCase({ holds, invoices: overdue() }), defaultPolicy);
    expect(decision.actions).toEqual([]);
    expect(reasons(decision)).toEqual(['paused']);
    expect(decision.nextLookAt.setZone('Europe/Bucharest').toISODate()).toBe(resumes);
  });

  it.each([
    { name: 'a reply pause that ended yesterday', holds: noHolds({ replyPausedThrough: '2026-03-09' }) },
    { name: 'an out-of-office back today', holds: noHolds({ awayUntil: '2026-03-10' }) },
  ])('$name holds nothing', ({ holds }) => {
    expect(summary(decide(aCase({ holds, invoices: overdue() }), defaultPolicy))).toEqual(
      summary(decide(aCase({ invoices: overdue() }), defaultPolicy)),
    );
    expect(summary(decide(aCase({ holds, invoices: overdue() }), defaultPolicy))).not.toEqual([]);
  });

  it('counts business days: weekends and holidays do not count', () => {
    // Friday 6 March; Tuesday 10 March a holiday: Mon 9, Wed 11, Thu 12, Fri 13, Mon 16.
    expect(replyPauseEnd('2026-03-06', 5, [1, 2, 3, 4, 5], new Set(['2026-03-10']))).toBe('2026-03-16');
    expect(replyPauseEnd('2026-03-06', 1, [1, 2, 3, 4, 5], new Set())).toBe('2026-03-09');
  });
});
