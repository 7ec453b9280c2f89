import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../../src/alerts/webhook.js';
import type { CaseServices } from '../../../src/cases/case-services.js';
import { addNote, logCall } from '../../../src/cases/call-log.service.js';
import { exportCaseFile, type CaseFileJson } from '../../../src/cases/case-file.js';
import { placeCreditHold, releaseCreditHold, releaseCreditHoldsIfPaid } from '../../../src/cases/credit-hold.service.js';
import { openDispute, resolveDispute } from '../../../src/cases/dispute.service.js';
import { InvalidInput, InvalidTransition, PermissionDenied } from '../../../src/cases/errors.js';
import { placeLegalHold, releaseLegalHold } from '../../../src/cases/legal-hold.service.js';
import { createPaymentPlan, cancelPaymentPlan } from '../../../src/cases/payment-plan.service.js';
import { pauseCase, resumeCase } from '../../../src/cases/pause.service.js';
import { recordBankruptcy, recordBankruptcyDischarge, recordBankruptcyDismissal } from '../../../src/cases/bankruptcy.service.js';
import { cancelPromise, markKeptPromises, recordPromise } from '../../../src/cases/promise.service.js';
import { evaluateCases } from '../../../src/dunning/evaluate-cases.js';
import type { TestDatabase } from '../../support/databases.js';
import type { LocalTwilioServer } from '../../support/fake-twilio.js';
import { seedLedger } from '../../support/ledger.js';
import type { SmtpSink } from '../../support/smtp-sink.js';
import { closeTestPipeline, startTestPipeline, type TestArrears } from '../../support/arrears.js';
import { Receiver, caseServicesOf, drain, seedUsers } from './case-support.js';

// Monday 9 March 2026, 11:00 in Bucharest: inside the send window; invoices are 8 days overdue.
const DAY_8 = '2026-03-09T09:00:00Z';
const ERP_SECRET = 'erp-secret-0123456789';

describe('case actions against real Postgres, Redis and SMTP', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let twilio: LocalTwilioServer;
  let erp: Receiver;
  let arrears: TestArrears;
  let cases: CaseServices;
  let users: Awaited<ReturnType<typeof seedUsers>>;
  let ids: Map<string, string>;

  beforeAll(async () => {
    erp = await Receiver.start();
    ({ database, sink, twilio, arrears } = await startTestPipeline({
      CREDIT_HOLD_WEBHOOK_URL: erp.url('/erp/credit-holds'),
      CREDIT_HOLD_WEBHOOK_SECRET: ERP_SECRET,
    }));
    cases = caseServicesOf(arrears);
    users = await seedUsers(arrears);
    const invoices = [
      { number: 'F-001', amountMinor: 120000, issuedOn: '2026-01-30', dueOn: '2026-03-01' },
      { number: 'F-002', amountMinor: 45050, issuedOn: '2026-02-01', dueOn: '2026-03-01' },
    ];
    ids = await seedLedger(arrears.runtime.prisma, [
      { externalId: 'HOLD-1', locale: 'en', email: 'hold@example.ro', invoices },
      { externalId: 'ACT-1', locale: 'en', email: 'act@example.ro', invoices },
    ]);
    await arrears.runtime.prisma.customer.update({ where: { id: ids.get('ACT-1') }, data: { salesContactEmail: 'sales@example.com' } });
  });

  afterAll(async () => {
    await closeTestPipeline({ database, sink, twilio, arrears });
    await erp?.close();
  });

  const prisma = () => arrears.runtime.prisma;
  const audits = (action: string) => prisma().auditEvent.findMany({ where: { action }, orderBy: { at: 'asc' } });

  it('drops a queued reminder when a legal hold arrives before it is sent', async () => {
    const caseId = (await prisma().collectionCase.findUniqueOrThrow({ where: { customerId: ids.get('HOLD-1') } })).id;
    // The step decides and writes the reminder as queued; its delivery job is not enqueued yet.
    const decided = await evaluateCases(arrears.services.evaluation, [caseId], DateTime.fromISO(DAY_8, { setZone: true }));
    expect(decided.queued).toHaveLength(1);

    await placeLegalHold(cases.cases, users.manager.email, { customer: 'HOLD-1', reason: 'handed to Lex & Co', agency: 'Lex & Co' });
    await arrears.queues.enqueueDeliveries(decided.queued);
    await drain(arrears);

    const contact = await prisma().contact.findUniqueOrThrow({ where: { id: decided.queued[0]!.id } });
    expect(contact.status).toBe('cancelled');
    expect(contact.failureReason).toBe('legal hold');
    expect(sink.messages.filter((m) => m.envelope.to.includes('hold@example.ro'))).toHaveLength(0);

    const kase = await prisma().collectionCase.findUniqueOrThrow({ where: { id: caseId } });
    expect(kase.state).toBe('legal_hold');
    const [audit] = await audits('legal_hold.placed');
    expect(audit).toMatchObject({ actor: users.manager.id, reason: 'handed to Lex & Co', entityId: ids.get('HOLD-1') });
    expect(await prisma().managerAlert.count({ where: { customerId: ids.get('HOLD-1'), kind: 'legal_hold' } })).toBe(1);
  });

  it('writes the case file: open invoices with aging, every contact with content and status history', async () => {
    const file = await exportCaseFile(cases.cases, users.manager.email, { customer: 'HOLD-1' });
    const json = JSON.parse(JSON.stringify(file.json)) as CaseFileJson;
    expect(json.customer.externalId).toBe('HOLD-1');
    // Aged at the wall clock (after the 1 March due date), in the customer's zone.
    const expectedDays = DateTime.now()
      .setZone('Europe/Bucharest')
      .startOf('day')
      .diff(DateTime.fromISO('2026-03-01', { zone: 'Europe/Bucharest' }), 'days').days;
    expect(json.openInvoices.map((i) => [i.number, i.daysPastDue])).toEqual([
      ['F-001', expectedDays],
      ['F-002', expectedDays],
    ]);
    expect(json.openInvoices[0]!.bucket).toMatch(/^(\d+-\d+|\d+\+)$/);
    expect(json.totals).toEqual([{ currency: 'RON', openBalanceMinor: '165050' }]);
    expect(json.contacts).toHaveLength(1);
    expect(json.contacts[0]!.statusHistory.map((s) => s.status)).toEqual(['queued', 'cancelled']);
    expect(json.contacts[0]!.invoices).toEqual(['F-001', 'F-002']);
    expect(json.holds.legal).toHaveLength(1);
    expect(json.holds.legal[0]!.agency).toBe('Lex & Co');
    expect(Object.keys(json)).toEqual([
      'generatedAt',
      'customer',
      'case',
      'openInvoices',
      'totals',
      'contacts',
      'interest',
      'promises',
      'disputes',
      'paymentPlans',
      'holds',
    ]);
    expect(file.html).toMatch(/^<!DOCTYPE html>/);
    expect(file.html).toContain('F-001');
    expect(file.html).toContain('F-002');
    expect(file.html).toContain(json.contacts[0]!.subject!);
    expect(file.html).toContain('Lex &amp; Co');
  });

  it('releases the legal hold only by a manager: the case is active and due for a decision', async () => {
    await expect(releaseLegalHold(cases.cases, users.collector.email, { customer: 'HOLD-1', reason: 'paid' })).rejects.toThrow(
      PermissionDenied,
    );
    const before = await prisma().collectionCase.findUniqueOrThrow({ where: { customerId: ids.get('HOLD-1') } });
    await releaseLegalHold(cases.cases, users.manager.id, { customer: 'HOLD-1', reason: 'settled with the agency' });
    const after = await prisma().collectionCase.findUniqueOrThrow({ where: { customerId: ids.get('HOLD-1') } });
    expect(after.state).toBe('active');
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.nextLookAt!.getTime()).toBeLessThanOrEqual(Date.now());
    expect(await prisma().legalHold.count({ where: { customerId: ids.get('HOLD-1'), releasedAt: null } })).toBe(0);
    await expect(releaseLegalHold(cases.cases, users.manager.id, { customer: 'HOLD-1', reason: 'again' })).rejects.toThrow(
      InvalidTransition,
    );
  });

  it('places and releases a credit hold: signed ERP event, sales contact emailed, audit trail', async () => {
    const { holdId } = await placeCreditHold(cases.cases, users.manager.email, { customer: 'ACT-1', reason: 'over limit' });
    await drain(arrears);
    expect(erp.requests).toHaveLength(1);
    const request = erp.requests[0]!;
    const signature = request.headers['arrears-signature'] as string;
    expect(verifyWebhookSignature(ERP_SECRET, request.body, signature, { now: new Date() })).toMatchObject({ ok: true });
    expect(verifyWebhookSignature('another-secret-xxxxxx', request.body, signature, { now: new Date() })).toEqual({
      ok: false,
      reason: 'signature',
    });
    expect(request.headers['x-arrears-delivery']).toBe(`${holdId}:placed`);
    expect(JSON.parse(request.body)).toMatchObject({
      event: 'credit_hold.placed',
      holdId,
      customer: { externalId: 'ACT-1' },
      reason: 'over limit',
    });
    const sales = sink.messages.filter((m) => m.envelope.to.includes('sales@example.com'));
    expect(sales).toHaveLength(1);
    expect(sales[0]!.parsed.subject).toContain('placed on credit hold');
    expect((await audits('credit_hold.placed.announced')).map((a) => a.entityId)).toEqual([holdId]);

    // Still overdue: a payment check releases nothing.
    expect(await releaseCreditHoldsIfPaid(cases.cases, ids.get('ACT-1')!)).toBeNull();
    await releaseCreditHold(cases.cases, users.manager.email, { customer: 'ACT-1', reason: 'agreed with sales' });
    await drain(arrears);
    expect(erp.requests.map((r) => JSON.parse(r.body).event)).toEqual(['credit_hold.placed', 'credit_hold.released']);
    expect(erp.requests[1]!.headers['x-arrears-delivery']).toBe(`${holdId}:released`);
  });

  it('releases a credit hold the system placed by payment once nothing is overdue', async () => {
    const customerId = ids.get('ACT-1')!;
    await placeCreditHold(cases.cases, 'system', { customer: 'ACT-1', reason: 'policy' });
    await prisma().invoice.updateMany({ where: { customerId }, data: { openBalanceMinor: 0n, status: 'paid' } });
    const released = await releaseCreditHoldsIfPaid(cases.cases, customerId);
    expect(released).not.toBeNull();
    const hold = await prisma().creditHold.findUniqueOrThrow({ where: { id: released! } });
    expect(hold).toMatchObject({ releasedBy: 'system', releaseReason: 'overdue balance paid' });
    await prisma().invoice.updateMany({ where: { customerId }, data: { openBalanceMinor: 45050n, status: 'open' } });
    await prisma().invoice.updateMany({ where: { customerId, number: 'F-001' }, data: { openBalanceMinor: 120000n } });
    await drain(arrears);
  });

  it('opens and resolves a dispute on one invoice', async () => {
    const { disputeId } = await openDispute(cases.cases, users.collector.email, {
      customer: 'ACT-1',
      invoice: 'F-002',
      reasonCode: 'not_received',
      notes: 'never arrived',
    });
    await expect(
      openDispute(cases.cases, users.collector.email, { customer: 'ACT-1', invoice: 'F-002', reasonCode: 'pricing' }),
    ).rejects.toThrow(InvalidTransition);
    await expect(
      openDispute(cases.cases, users.collector.email, { customer: 'ACT-1', invoice: 'F-002', reasonCode: 'Not Received!' }),
    ).rejects.toThrow(/reasonCode/);
    await resolveDispute(cases.cases, users.collector.email, { customer: 'ACT-1', invoice: 'F-002', resolution: 'proof of delivery sent' });
    const dispute = await prisma().dispute.findUniqueOrThrow({ where: { id: disputeId } });
    expect(dispute).toMatchObject({ openedBy: users.collector.id, resolvedBy: users.collector.id, resolution: 'proof of delivery sent' });
    expect((await audits('dispute.opened'))[0]).toMatchObject({ entityType: 'dispute', entityId: disputeId, actor: users.collector.id });
  });

  it('records a promise, emails the confirmation through the outbox, and marks it kept when paid', async () => {
    const promisedOn = DateTime.utc().plus({ days: 5 }).toISODate()!;
    const sent = sink.messages.length;
    const { promiseId, confirmationContactId } = await recordPromise(cases.cases, users.collector.email, {
      customer: 'ACT-1',
      amountMinor: 50000,
      promisedOn,
      channel: 'call',
    });
    expect(confirmationContactId).not.toBeNull();
    await drain(arrears);
    const confirmation = await prisma().contact.findUniqueOrThrow({ where: { id: confirmationContactId! } });
    expect(confirmation).toMatchObject({
      status: 'sent',
      templateId: 'promise-confirmation',
      actor: users.collector.id,
      recipient: 'act@example.ro',
    });
    const mail = sink.messages.slice(sent).find((m) => m.envelope.to.includes('act@example.ro'));
    expect(mail?.parsed.text).toContain('500.00');

    await expect(
      recordPromise(cases.cases, users.collector.email, { customer: 'ACT-1', amountMinor: 100, promisedOn: '2020-01-01' }),
    ).rejects.toThrow(/promisedOn/);

    // A payment received after the promise covers it.
    const customerId = ids.get('ACT-1')!;
    const invoice = await prisma().invoice.findFirstOrThrow({ where: { customerId, number: 'F-001' } });
    await prisma().payment.create({
      data: {
        externalId: 'PAY-1',
        customerId,
        amountMinor: 50000n,
        currency: 'RON',
        receivedOn: new Date(`${DateTime.utc().toISODate()}T00:00:00Z`),
        allocations: { create: { invoiceId: invoice.id, amountMinor: 50000n } },
      },
    });
    expect(await markKeptPromises(cases.cases, customerId)).toEqual([promiseId]);
    expect((await prisma().promiseToPay.findUniqueOrThrow({ where: { id: promiseId } })).status).toBe('kept');
    await expect(cancelPromise(cases.cases, users.collector.email, { customer: 'ACT-1', promiseId, reason: 'x' })).rejects.toThrow(
      InvalidTransition,
    );
  });

  it('creates and cancels a payment plan, refusing instalments that do not sum to the total', async () => {
    await expect(
      createPaymentPlan(cases.cases, users.manager.email, {
        customer: 'ACT-1',
        totalMinor: 100000,
        instalments: [
          { dueOn: '2026-05-01', amountMinor: 30000 },
          { dueOn: '2026-06-01', amountMinor: 30000 },
        ],
      }),
    ).rejects.toSatisfy((error: unknown) => error instanceof InvalidInput && error.fields[0]!.field === 'instalments');
    const { planId } = await createPaymentPlan(cases.cases, users.manager.email, {
      customer: 'ACT-1',
      totalMinor: 60000,
      instalments: [
        { dueOn: '2026-05-01', amountMinor: 30000 },
        { dueOn: '2026-06-01', amountMinor: 30000 },
      ],
    });
    const plan = await prisma().paymentPlan.findUniqueOrThrow({ where: { id: planId }, include: { instalments: true } });
    expect(plan.instalments).toHaveLength(2);
    await cancelPaymentPlan(cases.cases, users.manager.email, { customer: 'ACT-1', reason: 'customer paid in full instead' });
    expect((await prisma().paymentPlan.findUniqueOrThrow({ where: { id: planId } })).status).toBe('cancelled');
  });

  it('logs a call completing the open call task, and a note; both on the contact log', async () => {
    const customerId = ids.get('ACT-1')!;
    const task = await prisma().callTask.create({ data: { customerId, dueAt: new Date(), stepId: 'overdue-14' } });
    const call = await logCall(cases.cases, users.collector.email, {
      customer: 'ACT-1',
      outcome: 'voicemail',
      notes: 'left a message',
      with: '+40721000111',
    });
    expect(call.completedTaskId).toBe(task.id);
    expect(await prisma().callTask.findUniqueOrThrow({ where: { id: task.id } })).toMatchObject({
      status: 'done',
      completedContactId: call.contactId,
    });
    const note = await addNote(cases.cases, users.collector.email, { customer: 'ACT-1', text: 'CFO back on Monday' });
    const logged = await prisma().contact.findMany({
      where: { id: { in: [call.contactId, note.contactId] } },
      orderBy: { channel: 'asc' },
    });
    expect(logged.map((c) => [c.channel, c.status, c.actor, c.outcome])).toEqual([
      ['call', 'logged', users.collector.id, 'voicemail'],
      ['note', 'logged', users.collector.id, null],
    ]);
    await expect(
      logCall(cases.cases, users.collector.email, { customer: 'ACT-1', outcome: 'shouted' as 'other', notes: 'x' }),
    ).rejects.toThrow(/outcome/);
  });

  it('pauses and resumes by hand; a paused case cannot be paused again', async () => {
    const until = DateTime.utc().plus({ days: 3 }).toISO()!;
    await pauseCase(cases.cases, users.collector.email, { customer: 'ACT-1', reason: 'CFO on holiday', until });
    const paused = await prisma().collectionCase.findUniqueOrThrow({ where: { customerId: ids.get('ACT-1') } });
    expect(paused).toMatchObject({ state: 'paused', pauseReason: 'manual' });
    expect(paused.pausedUntil?.toISOString()).toBe(new Date(until).toISOString());
    await expect(pauseCase(cases.cases, users.collector.email, { customer: 'ACT-1', reason: 'again' })).rejects.toThrow(InvalidTransition);
    await resumeCase(cases.cases, users.collector.email, { customer: 'ACT-1', reason: 'back' });
    expect((await prisma().collectionCase.findUniqueOrThrow({ where: { customerId: ids.get('ACT-1') } })).state).toBe('active');
  });

  it('records a bankruptcy filing and its discharge or dismissal', async () => {
    const { filingId } = await recordBankruptcy(cases.cases, users.manager.email, {
      customer: 'ACT-1',
      filedOn: '2026-03-01',
      chapter: '11',
      caseNumber: 'B-77',
    });
    await expect(
      recordBankruptcy(cases.cases, users.manager.email, { customer: 'ACT-1', filedOn: '2026-03-01', chapter: '7' }),
    ).rejects.toThrow(InvalidTransition);
    await recordBankruptcyDismissal(cases.cases, users.manager.email, { customer: 'ACT-1', reason: 'court dismissed' });
    expect((await prisma().bankruptcyFiling.findUniqueOrThrow({ where: { id: filingId } })).dismissedBy).toBe(users.manager.id);
    await recordBankruptcy(cases.cases, users.manager.email, { customer: 'ACT-1', filedOn: '2026-03-05', chapter: '7' });
    await recordBankruptcyDischarge(cases.cases, users.manager.email, { customer: 'ACT-1', reason: 'discharged' });
    expect(await prisma().bankruptcyFiling.count({ where: { customerId: ids.get('ACT-1'), dischargedAt: null, dismissedAt: null } })).toBe(
      0,
    );
    expect((await audits('bankruptcy.recorded')).length).toBe(2);
  });

  describe('refuses collectors every manager action, naming the action and role', () => {
    const refused: Array<[string, (c: CaseServices, actor: string) => Promise<unknown>]> = [
      ['legal_hold.place', (c, a) => placeLegalHold(c.cases, a, { customer: 'ACT-1', reason: 'r' })],
      ['legal_hold.release', (c, a) => releaseLegalHold(c.cases, a, { customer: 'ACT-1', reason: 'r' })],
      ['credit_hold.place', (c, a) => placeCreditHold(c.cases, a, { customer: 'ACT-1', reason: 'r' })],
      ['credit_hold.release', (c, a) => releaseCreditHold(c.cases, a, { customer: 'ACT-1', reason: 'r' })],
      ['bankruptcy.record', (c, a) => recordBankruptcy(c.cases, a, { customer: 'ACT-1', filedOn: '2026-03-01', chapter: '7' })],
      ['bankruptcy.discharge', (c, a) => recordBankruptcyDischarge(c.cases, a, { customer: 'ACT-1', reason: 'r' })],
      ['bankruptcy.dismiss', (c, a) => recordBankruptcyDismissal(c.cases, a, { customer: 'ACT-1', reason: 'r' })],
      [
        'payment_plan.create',
        (c, a) =>
          createPaymentPlan(c.cases, a, { customer: 'ACT-1', totalMinor: 1, instalments: [{ dueOn: '2026-05-01', amountMinor: 1 }] }),
      ],
      ['payment_plan.cancel', (c, a) => cancelPaymentPlan(c.cases, a, { customer: 'ACT-1', reason: 'r' })],
      ['case_file.export', (c, a) => exportCaseFile(c.cases, a, { customer: 'ACT-1' })],
    ];
    it.each(refused)('%s', async (action, run) => {
      const error = await run(cases, users.collector.email).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PermissionDenied);
      expect(error).toMatchObject({ action, role: 'collector', message: `${action} is not allowed for role collector` });
    });
  });

  it('refuses an inactive user and an unknown one', async () => {
    await prisma().user.create({ data: { email: 'gone@example.com', name: 'Gone', role: 'manager', active: false } });
    await expect(placeCreditHold(cases.cases, 'gone@example.com', { customer: 'ACT-1', reason: 'r' })).rejects.toThrow(PermissionDenied);
    await expect(placeCreditHold(cases.cases, 'nobody@example.com', { customer: 'ACT-1', reason: 'r' })).rejects.toThrow(
      /user nobody@example.com not found/,
    );
  });
});
