import { DateTime } from 'luxon';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addUser } from '../../../../src/users/user.service.js';
import { consoleSession, type ConsoleSession } from '../../../support/console-session.js';
import { PASSWORD, startTestHttpApp, type TestHttpApp } from '../../../support/http-app.js';
import { seedLedger } from '../../../support/ledger.js';

const DAY = 86_400_000;
const isoDay = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);

describe('call tasks in the console: My tasks, done, snooze, reassign', () => {
  let t: TestHttpApp;
  let collector: ConsoleSession;
  let manager: ConsoleSession;
  let otherId: string;
  let customers: Map<string, string>;

  beforeAll(async () => {
    t = await startTestHttpApp();
    otherId = (await addUser(t.runtime, { email: 'bob@example.com', name: 'Bob collector', role: 'collector', password: PASSWORD }, 'test'))
      .user.id;
    customers = await seedLedger(t.runtime.prisma, [
      {
        externalId: 'TASK-1',
        name: 'Task One SRL',
        invoices: [{ number: 'T-1', amountMinor: 100_00, issuedOn: isoDay(-60), dueOn: isoDay(-30) }],
      },
      {
        externalId: 'TASK-2',
        name: 'Task Two SRL',
        invoices: [{ number: 'T-2', amountMinor: 200_00, issuedOn: isoDay(-60), dueOn: isoDay(-30) }],
      },
    ]);
    collector = await consoleSession(t.app, 'collector@example.com');
    manager = await consoleSession(t.app, 'manager@example.com');
  });
  afterAll(async () => t?.close());

  const task = (customer: string, assignee: string | null, dueOffsetDays: number) =>
    t.runtime.prisma.callTask.create({
      data: {
        customerId: customers.get(customer)!,
        assignedToId: assignee,
        dueAt: new Date(Date.now() + dueOffsetDays * DAY),
        stepId: 'call-1',
      },
    });
  const audits = (taskId: string) =>
    t.runtime.prisma.auditEvent.findMany({ where: { entityType: 'call_task', entityId: taskId }, orderBy: { at: 'asc' } });

  beforeEach(async () => {
    await t.runtime.prisma.callTask.deleteMany({});
  });

  it('My tasks shows the collector their own overdue, due today and snoozed tasks, not other people’s', async () => {
    const overdue = await task('TASK-1', t.users.collector.id, -3);
    const today = await task('TASK-2', t.users.collector.id, 0);
    const snoozed = await task('TASK-2', t.users.collector.id, -1);
    await t.runtime.prisma.callTask.update({ where: { id: snoozed.id }, data: { snoozedUntil: new Date(Date.now() + 2 * DAY) } });
    const bobs = await task('TASK-1', otherId, -3);

    const page = await collector.get('/console/tasks');
    expect(page.statusCode).toBe(200);
    const section = (id: string) => new RegExp(`<h2 id="tasks-${id}">[\\s\\S]*?(?=<h2 |$)`).exec(page.body)?.[0] ?? '';
    expect(section('overdue')).toContain(`/console/tasks/${overdue.id}/done`);
    expect(section('today')).toContain(`/console/tasks/${today.id}/done`);
    expect(section('snoozed')).toContain(`/console/tasks/${snoozed.id}/done`);
    expect(section('snoozed')).toContain('snoozed until');
    expect(page.body).not.toContain(bobs.id);
    expect(page.body).toMatch(/Overdue <span class="meta">1<\/span>/);
  });

  it('a collector marks their own task done: closed, audited with them as actor', async () => {
    const mine = await task('TASK-1', t.users.collector.id, -1);
    const done = await collector.post(`/console/tasks/${mine.id}/done`, { next: '/console/tasks' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/console/tasks');
    expect(collector.jar.flash()?.message).toBe('Call task done.');
    const after = await t.runtime.prisma.callTask.findUniqueOrThrow({ where: { id: mine.id } });
    expect(after.status).toBe('done');
    expect(after.completedAt).not.toBeNull();
    const [event] = await audits(mine.id);
    expect(event).toMatchObject({ action: 'call_task.completed', actor: t.users.collector.id });

    const again = await collector.post(`/console/tasks/${mine.id}/done`, { next: '/console/tasks' });
    expect(again.statusCode).toBe(303);
    expect(collector.jar.flash()).toMatchObject({ error: true, message: 'call_task.complete: the call task is already done' });
  });

  it('a collector cannot act on another collector’s task; a manager can act on anyone’s', async () => {
    const bobs = await task('TASK-1', otherId, -1);
    for (const [action, form] of [
      ['done', {}],
      ['snooze', { until: isoDay(3) }],
      ['reassign', { to: t.users.collector.id }],
    ] as const) {
      const refused = await collector.post(`/console/tasks/${bobs.id}/${action}`, form);
      expect(refused.statusCode, action).toBe(403);
    }
    expect(await t.runtime.prisma.callTask.findUniqueOrThrow({ where: { id: bobs.id } })).toMatchObject({
      status: 'open',
      snoozedUntil: null,
      assignedToId: otherId,
    });
    expect(await audits(bobs.id)).toEqual([]);

    const snoozed = await manager.post(`/console/tasks/${bobs.id}/snooze`, { until: isoDay(3), next: '/console/tasks' });
    expect(snoozed.statusCode).toBe(303);
    expect(manager.jar.flash()?.error).toBeFalsy();
    const after = await t.runtime.prisma.callTask.findUniqueOrThrow({ where: { id: bobs.id } });
    // The start of that day in the customer's zone (Europe/Bucharest).
    expect(after.snoozedUntil!.toISOString()).toBe(DateTime.fromISO(isoDay(3), { zone: 'Europe/Bucharest' }).toUTC().toISO());
    expect((await audits(bobs.id))[0]).toMatchObject({ action: 'call_task.snoozed', actor: t.users.manager.id });
  });

  it('a collector may pick up an unassigned task and hand their own to a colleague', async () => {
    const open = await task('TASK-2', null, 0);
    const handed = await collector.post(`/console/tasks/${open.id}/reassign`, { to: otherId, next: '/console/customers/TASK-2' });
    expect(handed.statusCode).toBe(303);
    expect(handed.headers.location).toBe('/console/customers/TASK-2');
    expect(collector.jar.flash()?.message).toBe('Call task handed to Bob collector.');
    expect((await t.runtime.prisma.callTask.findUniqueOrThrow({ where: { id: open.id } })).assignedToId).toBe(otherId);
    expect((await audits(open.id))[0]).toMatchObject({ action: 'call_task.reassigned', after: { assignedToId: otherId } });
    // Now Bob's: the collector can no longer act on it.
    expect((await collector.post(`/console/tasks/${open.id}/done`, {})).statusCode).toBe(403);
  });

  it('bad input comes back next to the task naming the field, and changes nothing', async () => {
    const mine = await task('TASK-1', t.users.collector.id, 0);
    for (const [until, message] of [
      [isoDay(0), /^must be after today/],
      [isoDay(-5), /^must be after today/],
      ['31/12/2026', /./],
      [isoDay(400), /^must be within 90 days/],
    ] as const) {
      const refused = await collector.post(`/console/tasks/${mine.id}/snooze`, { until, next: '/console/tasks' });
      expect(refused.statusCode, until).toBe(303);
      const flash = collector.jar.flash();
      expect(flash?.error, until).toBe(true);
      expect(flash?.form?.form).toBe(`task-${mine.id}`);
      expect(flash?.form?.fields.until, until).toMatch(message);
    }
    const page = await collector.get('/console/tasks');
    expect(page.body).toContain('<p class="field-error" role="alert">until: ');
    const unknownUser = await collector.post(`/console/tasks/${mine.id}/reassign`, { to: 'nobody@example.com' });
    expect(unknownUser.statusCode).toBe(303);
    expect(collector.jar.flash()?.form?.fields.to).toBe('is not an active user');
    const notATask = await collector.post('/console/tasks/not-a-uuid/done', {});
    expect(collector.jar.flash()?.form?.fields.task).toBe('is not a call task id');
    expect(notATask.statusCode).toBe(303);
    expect(await t.runtime.prisma.callTask.findUniqueOrThrow({ where: { id: mine.id } })).toMatchObject({
      status: 'open',
      snoozedUntil: null,
      assignedToId: t.users.collector.id,
    });
  });

  it('refuses a POST without the CSRF token, and a forged next goes to My tasks', async () => {
    const mine = await task('TASK-1', t.users.collector.id, 0);
    const forged = await collector.post(`/console/tasks/${mine.id}/done`, { _csrf: 'forged' });
    expect(forged.statusCode).toBe(403);
    expect((await t.runtime.prisma.callTask.findUniqueOrThrow({ where: { id: mine.id } })).status).toBe('open');
    const away = await collector.post(`/console/tasks/${mine.id}/done`, { next: 'https://evil.example.com/' });
    expect(away.headers.location).toBe('/console/tasks');
  });

  it('logging a call on the customer page completes the open call task it answers', async () => {
    const mine = await task('TASK-1', t.users.collector.id, 0);
    const customerPage = await collector.get('/console/customers/TASK-1');
    expect(customerPage.statusCode).toBe(200);
    const logged = await collector.post('/console/customers/TASK-1/actions/call', { outcome: 'no_answer', notes: 'Rang twice.' });
    expect(logged.statusCode).toBe(303);
    const after = await t.runtime.prisma.callTask.findUniqueOrThrow({ where: { id: mine.id } });
    expect(after.status).toBe('done');
    expect(after.completedContactId).not.toBeNull();
  });

  it('a manager reads a collector’s list; a collector cannot, and a bad collector id is a 400 naming it', async () => {
    await task('TASK-1', otherId, -2);
    const bobs = await manager.get(`/console/tasks?collector=${otherId}`);
    expect(bobs.statusCode).toBe(200);
    expect(bobs.body).toContain('Tasks of Bob collector');
    expect((await collector.get(`/console/tasks?collector=${otherId}`)).statusCode).toBe(403);
    const bad = await manager.get('/console/tasks?collector=12345');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('collector: no user 12345');
  });
});
