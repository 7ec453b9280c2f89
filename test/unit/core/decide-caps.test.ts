import { describe, expect, it } from 'vitest';
import { decide } from '../../../src/core/decide.js';
import type { Decision } from '../../../src/core/decision.js';
import type { Consent } from '../../../src/core/domain.js';
import type { Policy } from '../../../src/core/policy.js';
import { dunningRulesSchema } from '../../../src/core/rules.js';
import { defaultPolicy } from '../../../src/workflows/policies/default.policy.js';
import { aCase, aContact, aCustomer, anInvoice, NOW } from '../../support/builders.js';

const summary = (d: Decision) => d.actions.map((a) => `${a.type}:${a.stepId}`);
const skippedAs = (d: Decision) => d.skipped.filter((s) => s.reason !== 'superseded').map((s) => `${s.type}:${s.reason}`);

describe('frequency caps', () => {
  // Caps on their own: spacing between reminders is off here (it has its own tests).
  const noSpacing = dunningRulesSchema.parse({ caps: { minDaysBetweenReminders: 0 } });
  const invoice = anInvoice({ daysPastDue: 7 });
  const ladder = { cycle: 1, open: true };
  const earlierStep = (options: { channel?: 'email' | 'sms'; at: typeof NOW; status?: 'failed' | 'bounced' | 'cancelled' | 'delivered' }) =>
    aContact({ stepId: 'overdue-1', invoices: [invoice], cycle: 1, ...options });

  it('one email a day: a second email waits for tomorrow’s window, SMS still goes', () => {
    const history = [earlierStep({ at: NOW.minus({ hours: 1 }) })];
    const decision = decide(aCase({ invoices: [invoice], history, ladder }), defaultPolicy, noSpacing);
    expect(summary(decision)).toEqual(['sms:overdue-7']);
    expect(skippedAs(decision)).toEqual(['email:cap']);
    expect(decision.nextLookAt.toISO()).toBe('2026-03-11T08:00:00.000+02:00');
  });

  it('one SMS a day: a second SMS waits, the email still goes', () => {
    const history = [earlierStep({ channel: 'sms', at: NOW.minus({ hours: 1 }) })];
    const decision = decide(aCase({ invoices: [invoice], history, ladder }), defaultPolicy, noSpacing);
    expect(summary(decision)).toEqual(['email:overdue-7']);
    expect(skippedAs(decision)).toEqual(['sms:cap']);
  });

  it('yesterday’s email in the customer’s zone does not count for today', () => {
    const history = [earlierStep({ at: NOW.startOf('day').minus({ minutes: 1 }) })];
    expect(summary(decide(aCase({ invoices: [invoice], history, ladder }), defaultPolicy, noSpacing))).toEqual([
      'email:overdue-7',
      'sms:overdue-7',
    ]);
  });

  it.each([
    { limit: 2, earlier: 2, sent: [], capped: ['email:cap', 'sms:cap'] },
    { limit: 3, earlier: 2, sent: ['email:overdue-7'], capped: ['sms:cap'] },
    { limit: 4, earlier: 2, sent: ['email:overdue-7', 'sms:overdue-7'], capped: [] },
  ])('rolling 7 days, limit $limit with $earlier recent contacts', ({ limit, sent, capped }) => {
    const rules = dunningRulesSchema.parse({ caps: { contactsPer7Days: limit, minDaysBetweenReminders: 0 } });
    const history = [
      aContact({ at: NOW.minus({ days: 5, hours: 1 }), stepId: 'courtesy', invoices: [invoice] }),
      aContact({ channel: 'sms', at: NOW.minus({ days: 3 }), stepId: 'courtesy', invoices: [anInvoice()] }),
      earlierStep({ at: NOW.minus({ days: 7 }) }),
    ];
    const decision = decide(aCase({ invoices: [invoice], history, ladder }), defaultPolicy, rules);
    expect(summary(decision)).toEqual(sent);
    expect(skippedAs(decision)).toEqual(capped);
    if (capped.length > 0) expect(decision.nextLookAt.toISO()).toBe('2026-03-12T09:00:00.000+02:00');
  });

  it.each([
    { status: 'failed' as const, counts: false },
    { status: 'bounced' as const, counts: false },
    { status: 'cancelled' as const, counts: false },
    { status: 'delivered' as const, counts: true },
  ])('a $status email today counts against the cap: $counts', ({ status, counts }) => {
    const history = [earlierStep({ at: NOW.minus({ hours: 1 }), status })];
    const decision = decide(aCase({ invoices: [invoice], history, ladder }), defaultPolicy, noSpacing);
    expect(decision.actions.some((a) => a.type === 'email')).toBe(!counts);
  });

  it.each([
    { profile: 'consumer' as const, calls: 7, capped: true },
    { profile: 'consumer' as const, calls: 6, capped: false },
    { profile: 'business' as const, calls: 7, capped: false },
  ])('$profile with $calls call tasks in 7 days: capped $capped', ({ profile, calls, capped }) => {
    const due = anInvoice({ daysPastDue: 14 });
    const history = Array.from({ length: calls }, (_, i) =>
      aContact({ channel: 'call_task', at: NOW.minus({ days: 1 + (i % 6), hours: i }), stepId: 'overdue-14', invoices: [anInvoice()] }),
    );
    const decision = decide(aCase({ customer: aCustomer({ profile }), invoices: [due], history }), defaultPolicy);
    expect(decision.actions.some((a) => a.type === 'call_task')).toBe(!capped);
    expect(skippedAs(decision).includes('call_task:cap')).toBe(capped);
  });

  it('holds and alerts are never capped', () => {
    const rules = dunningRulesSchema.parse({ caps: { emailsPerDay: 0, contactsPer7Days: 0 } });
    const decision = decide(aCase({ invoices: [anInvoice({ daysPastDue: 90 })] }), defaultPolicy, rules);
    expect(summary(decision)).toEqual(['legal_hold:legal-hold-90', 'manager_alert:legal-hold-90']);
    expect(skippedAs(decision)).toEqual(['email:cap']);
  });
});

describe('channel rules', () => {
  const invoice = anInvoice({ daysPastDue: 7 });

  it.each<{ name: string; consent: Partial<Consent>; sent: string[]; skipped: string[] }>([
    { name: 'all channels', consent: {}, sent: ['email', 'sms'], skipped: [] },
    { name: 'email opt-out', consent: { emailOptedOut: true }, sent: ['sms'], skipped: ['email:customer opted out of email'] },
    { name: 'no email address', consent: { hasEmail: false }, sent: ['sms'], skipped: ['email:customer has no email address'] },
    { name: 'no SMS consent', consent: { smsConsent: false }, sent: ['email'], skipped: ['sms:customer has not consented to SMS'] },
    { name: 'no mobile', consent: { hasMobile: false }, sent: ['email'], skipped: ['sms:customer has no mobile number'] },
  ])('$name', ({ consent, sent, skipped }) => {
    const decision = decide(aCase({ customer: aCustomer({ consent }), invoices: [invoice] }), defaultPolicy);
    expect(decision.actions.map((a) => a.type)).toEqual(sent);
    expect(decision.skipped.filter((s) => s.reason === 'consent').map((s) => `${s.type}:${s.detail}`)).toEqual(skipped);
  });

  const smsFirst: Policy = {
    id: 'sms-first',
    name: 'SMS first',
    steps: [{ id: 'nudge', offsetDays: 1, stage: 1, actions: [{ type: 'sms', template: 'sms-first/nudge', fallback: 'email' }] }],
  };

  it.each<{ consent: Partial<Consent>; sent: string[]; skipped: string[] }>([
    { consent: {}, sent: ['sms:sms-first/nudge'], skipped: [] },
    { consent: { smsConsent: false }, sent: ['email:sms-first/nudge'], skipped: [] },
    { consent: { smsConsent: false, emailOptedOut: true }, sent: [], skipped: ['sms:consent'] },
  ])('SMS with email fallback, consent $consent', ({ consent, sent, skipped }) => {
    const decision = decide(aCase({ customer: aCustomer({ consent }), invoices: [anInvoice({ daysPastDue: 1 })] }), smsFirst);
    expect(decision.actions.map((a) => `${a.type}:${a.template}`)).toEqual(sent);
    expect(decision.skipped.map((s) => `${s.type}:${s.reason}`)).toEqual(skipped);
  });

  it('a fallback email counts as the step’s email: it is not sent again the next day', () => {
    const customer = aCustomer({ consent: { smsConsent: false } });
    const sentEmail = aContact({ at: NOW.minus({ days: 1 }), stepId: 'nudge', policyId: 'sms-first', invoices: [invoice], cycle: 1 });
    const decision = decide(aCase({ customer, invoices: [invoice], history: [sentEmail], ladder: { cycle: 1, open: true } }), smsFirst);
    expect(decision.actions).toEqual([]);
  });

  it.each([
    { profile: 'consumer' as const, optOutLine: [true, true] },
    { profile: 'business' as const, optOutLine: [false, false] },
  ])('$profile: opt-out line required $optOutLine', ({ profile, optOutLine }) => {
    const decision = decide(aCase({ customer: aCustomer({ profile }), invoices: [invoice] }), defaultPolicy);
    expect(decision.actions.map((a) => a.requiresOptOutLine)).toEqual(optOutLine);
  });
});
