import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acknowledgeAlert, raiseSystemAlert } from '../../../src/alerts/alert.service.js';
import { sendDigests } from '../../../src/alerts/digest.js';
import { verifyWebhookSignature } from '../../../src/alerts/webhook.js';
import type { CaseServices } from '../../../src/cases/case-services.js';
import { PermissionDenied } from '../../../src/cases/errors.js';
import { runCaseSweep } from '../../../src/cases/sweep.js';
import type { TestDatabase } from '../../support/databases.js';
import type { LocalTwilioServer } from '../../support/fake-twilio.js';
import { seedLedger } from '../../support/ledger.js';
import type { SmtpSink } from '../../support/smtp-sink.js';
import { closeTestPipeline, startTestPipeline, type TestArrears } from '../../support/arrears.js';
import { Receiver, caseServicesOf, drain, seedUsers } from '../cases/case-support.js';

const ALERT_SECRET = 'alert-secret-0123456789';

describe('manager alerts: email, signed webhook, dedupe, acknowledge, re-raise, digest', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let twilio: LocalTwilioServer;
  let hook: Receiver;
  let arrears: TestArrears;
  let services: CaseServices;
  let users: Awaited<ReturnType<typeof seedUsers>>;
  let ids: Map<string, string>;

  beforeAll(async () => {
    hook = await Receiver.start();
    ({ database, sink, twilio, arrears } = await startTestPipeline({
      ALERT_WEBHOOK_URL: hook.url('/alerts'),
      ALERT_WEBHOOK_SECRET: ALERT_SECRET,
      ALERT_RERAISE_HOURS: '4',
    }));
    services = caseServicesOf(arrears);
    users = await seedUsers(arrears);
    await arrears.runtime.prisma.user.create({ data: { email: 'max@example.com', name: 'Max Manager', role: 'manager' } });
    ids = await seedLedger(arrears.runtime.prisma, [
      { externalId: 'AL-1', locale: 'en', invoices: [{ number: 'A-1', amountMinor: 500000, issuedOn: '2025-10-01', dueOn: '2025-11-01' }] },
    ]);
    await arrears.runtime.prisma.customer.update({ where: { id: ids.get('AL-1') }, data: { creditLimitMinor: 100000n } });
  });

  afterAll(async () => {
    await closeTestPipeline({ database, sink, twilio, arrears });
    await hook?.close();
  });

  const prisma = () => arrears.runtime.prisma;
  let alertId: string;

  it('detects a crossed credit limit and delivers it by email to every manager and by the signed webhook', async () => {
    const result = await runCaseSweep(services.cases, services.sweep);
    expect(result.alertsRaised).toBe(1);
    await drain(arrears);
    const alert = await prisma().managerAlert.findFirstOrThrow({ where: { customerId: ids.get('AL-1'), kind: 'credit_limit_crossed' } });
    alertId = alert.id;
    const mails = sink.messages.filter((m) => m.parsed.subject?.includes('Credit limit crossed'));
    expect(mails.flatMap((m) => m.envelope.to).sort()).toEqual(['mara@example.com', 'max@example.com']);
    expect(mails[0]!.parsed.text).toContain('AL-1 SRL');
    expect(mails[0]!.parsed.text).toContain('A-1');

    expect(hook.requests).toHaveLength(1);
    const request = hook.requests[0]!;
    const signature = request.headers['arrears-signature'] as string;
    expect(verifyWebhookSignature(ALERT_SECRET, request.body, signature, { now: new Date() })).toMatchObject({ ok: true });
    expect(verifyWebhookSignature(ALERT_SECRET, `${request.body} `, signature, { now: new Date() })).toEqual({
      ok: false,
      reason: 'signature',
    });
    // Captured and sent again an hour later, it is refused by a receiver with the default tolerance.
    expect(verifyWebhookSignature(ALERT_SECRET, request.body, signature, { now: new Date(Date.now() + 3_600_000) })).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(request.headers['x-arrears-delivery']).toBe(`${alertId}:0`);
    expect(JSON.parse(request.body)).toMatchObject({
      event: 'manager_alert.raised',
      alert: { id: alertId, kind: 'credit_limit_crossed', round: 0, customer: { externalId: 'AL-1' } },
    });
  });

  it('keeps one open alert per customer and kind, and delivers each round once', async () => {
    const again = await raiseSystemAlert(services.cases, { kind: 'credit_limit_crossed', customerId: ids.get('AL-1')!, message: 'again' });
    expect(again).toEqual({ id: alertId, created: false });
    const result = await runCaseSweep(services.cases, services.sweep);
    expect(result).toMatchObject({ alertsRaised: 0, alertDeliveries: 0 });
    await drain(arrears);
    expect(hook.requests).toHaveLength(1);
    expect(await prisma().managerAlert.count()).toBe(1);
  });

  it('re-raises an unacknowledged alert after ALERT_RERAISE_HOURS and delivers it again', async () => {
    const sent = sink.messages.length;
    const later = new Date(Date.now() + 5 * 3_600_000);
    const result = await runCaseSweep({ ...services.cases, clock: () => later }, services.sweep);
    expect(result.alertsReRaised).toBe(1);
    await drain(arrears);
    const alert = await prisma().managerAlert.findUniqueOrThrow({ where: { id: alertId } });
    expect(alert.reRaiseCount).toBe(1);
    expect(alert.lastRaisedAt.getTime()).toBe(later.getTime());
    const reminders = sink.messages.slice(sent);
    expect(reminders).toHaveLength(2);
    expect(reminders[0]!.parsed.subject).toContain('(reminder 1)');
    expect(JSON.parse(hook.requests[1]!.body).alert.round).toBe(1);
  });

  it('sends each manager one digest, grouped by kind', async () => {
    await raiseSystemAlert(services.cases, {
      kind: 'channels_failing',
      customerId: ids.get('AL-1')!,
      message: 'AL-1 SRL: every address bounced',
    });
    await raiseSystemAlert(services.cases, { kind: 'legal_hold', customerId: ids.get('AL-1')!, message: 'AL-1 SRL: placed on legal hold' });
    await drain(arrears);
    const sent = sink.messages.length;
    expect(await sendDigests(services.alertDelivery, 'UTC')).toBe(2);
    const digests = sink.messages.slice(sent);
    expect(digests.flatMap((m) => m.envelope.to).sort()).toEqual(['mara@example.com', 'max@example.com']);
    const text = digests[0]!.parsed.text ?? '';
    expect(digests[0]!.parsed.subject).toMatch(/Daily alert digest .*: 3 open/);
    const order = ['Legal holds (1)', 'Credit limits crossed (1)', 'All channels failing (1)'].map((title) => text.indexOf(title));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('acknowledges (managers only): no more re-raising', async () => {
    await expect(acknowledgeAlert(services.cases, users.collector.email, { alertId })).rejects.toThrow(PermissionDenied);
    await acknowledgeAlert(services.cases, users.manager.email, { alertId, note: 'talked to sales' });
    const alert = await prisma().managerAlert.findUniqueOrThrow({ where: { id: alertId } });
    expect(alert.acknowledgedBy).toBe(users.manager.id);
    const muchLater = new Date(Date.now() + 48 * 3_600_000);
    const result = await runCaseSweep({ ...services.cases, clock: () => muchLater }, services.sweep);
    // The legal-hold alert has no hold in force behind it, so it is resolved, not re-raised; the
    // channels alert is re-raised; the acknowledged one is not, and the credit limit is not raised again within 30 days.
    expect(result.alertsResolved).toBe(1);
    expect(result.alertsReRaised).toBe(1);
    expect(result.alertsRaised).toBe(0);
    expect((await prisma().managerAlert.findUniqueOrThrow({ where: { id: alertId } })).reRaiseCount).toBe(1);
    const audit = await prisma().auditEvent.findFirstOrThrow({ where: { action: 'alert.acknowledged', entityId: alertId } });
    expect(audit).toMatchObject({ actor: users.manager.id, reason: 'talked to sales' });
    await drain(arrears);
  });
});
