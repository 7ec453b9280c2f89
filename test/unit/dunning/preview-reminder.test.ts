import { describe, expect, it } from 'vitest';
import { defaultDunningRules } from '../../../src/core/rules.js';
import type { CaseSnapshot } from '../../../src/db/case-snapshot.repository.js';
import { NothingToPreviewError, previewSubject } from '../../../src/dunning/preview-reminder.js';
import { loadPolicies } from '../../../src/workflows/load-policies.js';
import { aCase, aCustomer, aDispute, anInstalment, anInvoice, aPaymentPlan } from '../../support/builders.js';

const policies = await loadPolicies();

const old = anInvoice({ id: 'a', daysPastDue: 40 });
const recent = anInvoice({ id: 'b', daysPastDue: 2 });
const disputed = anInvoice({ id: 'c', daysPastDue: 20 });
const notYetDue = anInvoice({ id: 'd', daysPastDue: -3 });
const planned = anInvoice({ id: 'e', daysPastDue: 15, currency: 'RON' });

function snapshot(overrides: Parameters<typeof aCase>[0] = {}): CaseSnapshot {
  return {
    caseId: 'case-1',
    version: 1,
    customerName: 'Northwind SRL',
    input: aCase({ invoices: [old, recent, disputed, notYetDue], disputes: [aDispute(disputed)], ...overrides }),
    recipients: { email: 'ap@northwind.example', mobile: null },
    received: [],
  };
}

const covered = (subject: ReturnType<typeof previewSubject>) => subject.invoices.map((ref) => ref.invoiceId);

describe('previewSubject', () => {
  it('covers every overdue invoice still chased on a ladder step, as its policy step', () => {
    const subject = previewSubject(snapshot(), 'default/final-notice-60', policies, defaultDunningRules);
    expect(covered(subject)).toEqual(['a', 'b']);
    expect(subject).toMatchObject({
      policyId: 'default',
      stepId: 'final-notice-60',
      template: 'default/final-notice-60',
      requiresOptOutLine: false,
    });
  });

  it('covers the invoices not yet due on a courtesy step', () => {
    expect(covered(previewSubject(snapshot(), 'default/courtesy', policies, defaultDunningRules))).toEqual(['d']);
  });

  it("leaves a payment plan's invoices out of the ladder and covers them, with the next instalment, in a plan reminder", () => {
    const next = anInstalment({ dueOn: '2026-03-12' });
    const plan = aPaymentPlan([planned], [anInstalment({ dueOn: '2026-03-01', paid: true }), next]);
    const withPlan = snapshot({ invoices: [old, planned], paymentPlan: { ...plan, currency: 'RON' } });
    expect(covered(previewSubject(withPlan, 'default/overdue-14', policies, defaultDunningRules))).toEqual(['a']);
    const reminder = previewSubject(withPlan, 'payment-plan/instalment-upcoming', policies, defaultDunningRules);
    expect(reminder.invoices).toEqual([expect.objectContaining({ invoiceId: 'e', instalmentId: next.id })]);
    expect(() => previewSubject(withPlan, 'payment-plan/instalment-missed', policies, defaultDunningRules)).toThrow(
      'has no missed instalment in its payment plan',
    );
  });

  it('asks for the opt-out line for a consumer, as the core does', () => {
    const consumer = snapshot({ customer: aCustomer({ profile: 'consumer' }) });
    expect(previewSubject(consumer, 'default/overdue-1', policies, defaultDunningRules).requiresOptOutLine).toBe(true);
  });

  it('refuses when the template would name nothing', () => {
    const current = snapshot({ invoices: [notYetDue], disputes: [] });
    expect(() => previewSubject(current, 'default/overdue-7', policies, defaultDunningRules)).toThrow(NothingToPreviewError);
  });
});
