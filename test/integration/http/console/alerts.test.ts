import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { placeLegalHold, releaseLegalHold } from '../../../../src/cases/legal-hold.service.js';
import { openCaseServices } from '../../../../src/app/services.js';
import type { CaseDependencies } from '../../../../src/cases/case-action.js';
import { findUndeliveredAlerts, resolveEndedAlerts } from '../../../../src/db/alerts.repository.js';
import { consoleSession, type ConsoleSession } from '../../../support/console-session.js';
import { startTestHttpApp, type TestHttpApp } from '../../../support/http-app.js';
import { seedLedger } from '../../../support/ledger.js';

const DAY = 86_400_000;
const isoDay = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);

describe('alerts: the page, bulk acknowledge, resolved when their cause ends, none for a manager’s own action', () => {
  let t: TestHttpApp;
  let cases: CaseDependencies;
  let manager: ConsoleSession;
  let collector: ConsoleSession;
  let ids: Map<string, string>;

  beforeAll(async () => {
    t = await startTestHttpApp();
    cases = (await openCaseServices(t.runtime)).cases;
    ids = await seedLedger(t.runtime.prisma, [
      { externalId: 'AL-OVERDUE', invoices: [{ number: 'O-1', amountMinor: 500_00, issuedOn: isoDay(-60), dueOn: isoDay(-30) }] },
      {
        externalId: 'AL-PAID',
        invoices: [{ number: 'P-1', amountMinor: 500_00, balanceMinor: 0, issuedOn: isoDay(-60), dueOn: isoDay(-30) }],
      },
      { externalId: 'AL-HOLD', invoices: [{ number: 'H-1', amountMinor: 900_00, issuedOn: isoDay(-150), dueOn: isoDay(-120) }] },
    ]);
    manager = await consoleSession(t.app, 'manager@example.com');
    collector = await consoleSession(t.app, 'collector@example.com');
  });
  afterAll(async () => t?.close());
  beforeEach(async () => {
    await t.runtime.prisma.managerAlert.deleteMany({});
  });

  const alert = (kind: 'legal_hold' | 'broken_promise' | 'credit_limit_crossed' | 'other', customer: string | null, minutesAgo = 0) =>
    t.runtime.prisma.managerAlert.create({
      data: {
        kind,
        customerId: customer ? ids.get(customer)! : null,
        message: `${kind} ${customer ?? ''}`,
        raisedAt: new Date(Date.now() - minutesAgo * 60_000),
        lastRaisedAt: new Date(Date.now() - minutesAgo * 60_000),
      },
    });

  it('a manager placing a legal hold is not alerted about it; releasing it resolves the system’s open legal-hold alert', async () => {
    await placeLegalHold(cases, t.users.manager.email, { customer: 'AL-HOLD', reason: 'Handed to Lex & Co' });
    const own = await t.runtime.prisma.managerAlert.findFirstOrThrow({ where: { customerId: ids.get('AL-HOLD'), kind: 'legal_hold' } });
    expect(own.acknowledgedBy).toBe(t.users.manager.id);
    expect(own.acknowledgedAt).not.toBeNull();
    expect((await findUndeliveredAlerts(t.runtime.prisma, 100)).map((a) => a.id)).not.toContain(own.id);
    const page = await manager.get('/console/alerts');
    expect(page.body).not.toContain(`alert-${own.id}`);

    // The policy step's alert for the same hold (raised as system) stays open until the hold ends.
    const fromStep = await alert('legal_hold', 'AL-HOLD');
    await releaseLegalHold(cases, t.users.manager.email, { customer: 'AL-HOLD', reason: 'Agency returned it' });
    const after = await t.runtime.prisma.managerAlert.findUniqueOrThrow({ where: { id: fromStep.id } });
    expect(after.resolvedAt).not.toBeNull();
    expect(after.resolvedReason).toBe('the legal hold was released: Agency returned it');
    expect(after.acknowledgedAt).toBeNull();
    const audit = await t.runtime.prisma.auditEvent.findFirstOrThrow({ where: { entityId: fromStep.id, action: 'alert.resolved' } });
    expect(audit.actor).toBe(t.users.manager.id);
  });

  it('the sweep resolves a broken-promise alert once nothing is overdue, and leaves it while something is', async () => {
    const paid = await alert('broken_promise', 'AL-PAID');
    const owing = await alert('broken_promise', 'AL-OVERDUE');
    const orphanHold = await alert('legal_hold', 'AL-OVERDUE');
    const resolved = await resolveEndedAlerts(t.runtime.prisma, new Date());
    expect(resolved.sort()).toEqual([paid.id, orphanHold.id].sort());
    expect((await t.runtime.prisma.managerAlert.findUniqueOrThrow({ where: { id: paid.id } })).resolvedReason).toBe(
      'nothing is overdue any more',
    );
    expect((await t.runtime.prisma.managerAlert.findUniqueOrThrow({ where: { id: owing.id } })).resolvedAt).toBeNull();
    // Resolved alerts are not open: not on the open list, not re-raised, not delivered.
    expect((await findUndeliveredAlerts(t.runtime.prisma, 100)).map((a) => a.id)).toEqual([owing.id]);
  });

  it('shows counts per kind, filters by kind and state, and pages with totals', async () => {
    for (let i = 0; i < 55; i += 1) await alert('other', null, i);
    for (let i = 0; i < 3; i += 1) await alert('broken_promise', 'AL-OVERDUE', 100 + i);
    const first = await manager.get('/console/alerts');
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('1–50 of 58');
    expect(first.body).toContain('broken promise (3)');
    expect(first.body).toContain('other (55)');
    const next = /href="(\/console\/alerts\?[^"]*)">Next page/.exec(first.body)?.[1]?.replaceAll('&amp;', '&').replaceAll('&#x3D;', '=');
    expect(next).toBeDefined();
    const second = await manager.get(next!);
    expect(second.body).toContain('51–58 of 58');
    expect(second.body).not.toContain('Next page');
    const rowsOf = (html: string) => [...html.matchAll(/name="alert-([0-9a-f-]{36})"/g)].map((m) => m[1]);
    expect(new Set([...rowsOf(first.body), ...rowsOf(second.body)]).size).toBe(58);

    const broken = await manager.get('/console/alerts?kind=broken_promise');
    expect(broken.body).toContain('1–3 of 3');
    expect(rowsOf(broken.body)).toHaveLength(3);
    const resolved = await manager.get('/console/alerts?state=resolved');
    expect(resolved.body).toContain('No alerts match.');
  });

  it('answers bad filters with a 400 naming the parameter, and refuses collectors', async () => {
    for (const [url, name] of [
      ['/console/alerts?kind=fire', 'The kind parameter must be one of'],
      ['/console/alerts?state=closed', 'The state parameter must be one of'],
      ['/console/alerts?cursor=bm9wZQ', 'The cursor parameter is not a position'],
    ] as const) {
      const page = await manager.get(url);
      expect(page.statusCode, url).toBe(400);
      expect(page.body).toContain(name);
    }
    expect((await collector.get('/console/alerts')).statusCode).toBe(403);
  });

  it('acknowledges the chosen alerts in one POST, each audited; those no longer open are counted apart', async () => {
    const a = await alert('other', null, 1);
    const b = await alert('broken_promise', 'AL-OVERDUE', 2);
    const c = await alert('legal_hold', 'AL-HOLD', 3);
    const untouched = await alert('other', null, 4);
    await t.runtime.prisma.managerAlert.update({ where: { id: c.id }, data: { resolvedAt: new Date(), resolvedReason: 'test' } });

    expect((await collector.post('/console/alerts/acknowledge', { [`alert-${a.id}`]: 'on' })).statusCode).toBe(403);
    expect((await manager.post('/console/alerts/acknowledge', { _csrf: 'forged', [`alert-${a.id}`]: 'on' })).statusCode).toBe(403);
    expect((await t.runtime.prisma.managerAlert.findUniqueOrThrow({ where: { id: a.id } })).acknowledgedAt).toBeNull();

    const done = await manager.post('/console/alerts/acknowledge', {
      [`alert-${a.id}`]: 'on',
      [`alert-${b.id}`]: 'on',
      [`alert-${c.id}`]: 'on',
      next: '/console/alerts?kind=other',
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/console/alerts?kind=other');
    expect(manager.jar.flash()?.message).toBe('2 alert(s) acknowledged. 1 were no longer open.');
    const rows = await t.runtime.prisma.managerAlert.findMany({ where: { id: { in: [a.id, b.id, untouched.id] } } });
    expect(Object.fromEntries(rows.map((r) => [r.id, r.acknowledgedBy]))).toEqual({
      [a.id]: t.users.manager.id,
      [b.id]: t.users.manager.id,
      [untouched.id]: null,
    });
    expect(await t.runtime.prisma.auditEvent.count({ where: { action: 'alert.acknowledged', entityId: { in: [a.id, b.id] } } })).toBe(2);

    const none = await manager.post('/console/alerts/acknowledge', {});
    expect(none.statusCode).toBe(303);
    expect(manager.jar.flash()).toMatchObject({ error: true, message: 'Nothing was acknowledged: alerts: choose at least one alert.' });
    await manager.post('/console/alerts/acknowledge', { 'alert-not-an-id': 'on' });
    expect(manager.jar.flash()).toMatchObject({ error: true, message: 'Nothing was acknowledged: alerts: is not an alert id.' });
  });
});
