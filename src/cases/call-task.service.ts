import { DateTime } from 'luxon';
import { z } from 'zod';
import { lockCallTask, markCallTaskDone, reassignCallTask, snoozeCallTask, type LockedCallTask } from '../db/call-tasks.repository.js';
import { findUser } from '../db/users.repository.js';
import { caseAction, isoDateField, reasonField, type ActionContext } from './case-action.js';
import { InvalidInput, InvalidTransition, NotFound, PermissionDenied } from './errors.js';
import { mayPerform } from './permissions.js';

// Call tasks are made by a policy step and completed by the call that answers them (logCall). A
// collector can also close one without a call, put it off to a later day, or hand it to someone
// else. A collector acts on their own tasks and on unassigned ones; a manager on anyone's.

/** How far ahead a task can be snoozed. */
export const SNOOZE_HORIZON_DAYS = 90;

const taskField = z.uuid('is not a call task id');

export const completeTaskInput = z.object({ task: taskField, reason: reasonField.optional() });
export const snoozeTaskInput = z.object({ task: taskField, until: isoDateField });
export const reassignTaskInput = z.object({ task: taskField, to: z.string().trim().min(1, 'is required') });

/** The open task, locked, if the actor may act on it. */
async function openTaskFor(ctx: ActionContext<{ task: string }>, action: string): Promise<LockedCallTask> {
  const task = await lockCallTask(ctx.sql, ctx.input.task);
  if (task === null) throw new NotFound('call task', ctx.input.task);
  if (!mayPerform(ctx.actor.role, 'call_task.act_for_others') && task.assignedToId !== null && task.assignedToId !== ctx.actor.id)
    throw new PermissionDenied(action, `${ctx.actor.role} (the task is assigned to someone else)`);
  if (task.status !== 'open') throw new InvalidTransition(action, `the call task is already ${task.status}`);
  return task;
}

/** Closes an open call task without a call (e.g. the customer called in, or paid). */
export const completeCallTask = caseAction('call_task.update', completeTaskInput, async (ctx): Promise<{ taskId: string }> => {
  const task = await openTaskFor(ctx, 'call_task.complete');
  await markCallTaskDone(ctx.sql, task.id, ctx.at);
  await ctx.audit({
    entityType: 'call_task',
    entityId: task.id,
    action: 'call_task.completed',
    reason: ctx.input.reason ?? null,
    before: { status: 'open' },
    after: { status: 'done' },
  });
  return { taskId: task.id };
});

/** Puts an open task out of the way until the start of `until` in the customer's time zone. */
export const snoozeCallTaskUntil = caseAction(
  'call_task.update',
  snoozeTaskInput,
  async (ctx): Promise<{ taskId: string; until: Date }> => {
    const task = await openTaskFor(ctx, 'call_task.snooze');
    const today = DateTime.fromJSDate(ctx.at).setZone(task.customerTimeZone).startOf('day');
    const until = DateTime.fromISO(ctx.input.until, { zone: task.customerTimeZone }).startOf('day');
    if (until <= today)
      throw new InvalidInput('call_task.snooze', [
        { field: 'until', message: `must be after today (${today.toISODate()!}, ${task.customerTimeZone})` },
      ]);
    if (until > today.plus({ days: SNOOZE_HORIZON_DAYS }))
      throw new InvalidInput('call_task.snooze', [{ field: 'until', message: `must be within ${SNOOZE_HORIZON_DAYS} days` }]);
    await snoozeCallTask(ctx.sql, task.id, until.toJSDate());
    await ctx.audit({
      entityType: 'call_task',
      entityId: task.id,
      action: 'call_task.snoozed',
      before: { snoozedUntil: task.snoozedUntil?.toISOString() ?? null },
      after: { snoozedUntil: until.toUTC().toISO() },
    });
    return { taskId: task.id, until: until.toJSDate() };
  },
);

/** Hands an open task to another active user (by id or email). */
export const reassignCallTaskTo = caseAction(
  'call_task.update',
  reassignTaskInput,
  async (ctx): Promise<{ taskId: string; assigneeId: string }> => {
    const task = await openTaskFor(ctx, 'call_task.reassign');
    const to = await findUser(ctx.tx, ctx.input.to);
    if (to === null || !to.active) throw new InvalidInput('call_task.reassign', [{ field: 'to', message: 'is not an active user' }]);
    if (to.role !== 'collector' && to.role !== 'manager')
      throw new InvalidInput('call_task.reassign', [{ field: 'to', message: 'must be a collector or a manager' }]);
    await reassignCallTask(ctx.sql, task.id, to.id);
    await ctx.audit({
      entityType: 'call_task',
      entityId: task.id,
      action: 'call_task.reassigned',
      before: { assignedToId: task.assignedToId },
      after: { assignedToId: to.id },
    });
    return { taskId: task.id, assigneeId: to.id };
  },
);
