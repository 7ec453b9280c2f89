import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import type { CaseDependencies } from '../../cases/case-action.js';
import { completeCallTask, reassignCallTaskTo, snoozeCallTaskUntil } from '../../cases/call-task.service.js';
import { InvalidInput, InvalidTransition, NotFound, PermissionDenied } from '../../cases/errors.js';
import { mayPerform } from '../../cases/permissions.js';
import { findOpenCallTasksOfCustomer, findTasksOfAssignee, type CallTaskRow, type TaskSection } from '../../db/call-tasks.repository.js';
import { findUserById, listUsers } from '../../db/users.repository.js';
import { flashOf, type ConsoleHelpers } from './console.plugin.js';

// The My tasks page (/console/tasks) and the call-task actions (done, snooze, reassign), also
// offered on the customer page through the `open-tasks` partial. Every action is a POST form
// that comes back to the page it was sent from (`next`), with a flash message.

type Form = Record<string, string | undefined>;
const formOf = (request: FastifyRequest): Form => (request.body && typeof request.body === 'object' ? (request.body as Form) : {});
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SECTIONS: ReadonlyArray<{ key: TaskSection; title: string; empty: string }> = [
  { key: 'overdue', title: 'Overdue', empty: 'Nothing overdue.' },
  { key: 'today', title: 'Due today', empty: 'Nothing else due today.' },
  { key: 'snoozed', title: 'Snoozed', empty: 'Nothing snoozed.' },
  { key: 'later', title: 'Due later', empty: 'Nothing due later.' },
];
const PER_SECTION = 100;

/** Where an action sends the browser back to: the My tasks page or a customer page, nothing else. */
const backTo = (next: string | undefined) =>
  next && /^\/console\/(tasks(\?[A-Za-z0-9=&%_-]*)?|customers\/[A-Za-z0-9_.%-]+)$/.test(next) ? next : '/console/tasks';

const when = (at: Date, zone: string) => DateTime.fromJSDate(at).setZone(zone).toFormat('d LLL yyyy, HH:mm');

/** The `open-tasks` partial's context: the tasks with their actions for the signed-in user. */
export async function openTasksContext(
  deps: CaseDependencies,
  request: FastifyRequest,
  tasks: readonly (CallTaskRow & { section?: TaskSection })[],
  options: { back: string; timeZone: string; showCustomer: boolean },
): Promise<Record<string, unknown>> {
  const principal = request.principal!;
  const flash = flashOf(request);
  const now = DateTime.fromJSDate(deps.clock());
  const users = tasks.length > 0 ? await listUsers(deps.prisma, ['collector', 'manager']) : [];
  const forOthers = mayPerform(principal.role, 'call_task.act_for_others');
  return {
    back: options.back,
    showCustomer: options.showCustomer,
    timeZone: options.timeZone,
    tasks: tasks.map((task) => {
      const customerToday = now.setZone(task.customerTimeZone);
      const snoozed = task.snoozedUntil !== null && task.snoozedUntil > deps.clock();
      const errors = flash?.form?.form === `task-${task.id}` ? flash.form.fields : {};
      return {
        ...task,
        due: when(task.dueAt, options.timeZone),
        overdue: !snoozed && task.dueAt < now.setZone(options.timeZone).startOf('day').toJSDate(),
        snoozedUntilDay: snoozed ? DateTime.fromJSDate(task.snoozedUntil!).setZone(task.customerTimeZone).toISODate() : null,
        canAct: forOthers || task.assignedToId === null || task.assignedToId === principal.userId,
        snoozeMin: customerToday.plus({ days: 1 }).toISODate(),
        snoozeDefault: customerToday.plus({ days: 1 }).toISODate(),
        errors,
        assignees: users
          .filter((u) => u.id !== task.assignedToId)
          .map((u) => ({ value: u.id, label: `${u.name} (${u.role})`, selected: errors.toValue === u.id })),
        url: `/console/tasks/${task.id}`,
      };
    }),
  };
}

/** Answers a refused task action: the reason as a flash next to the task, or a 403 page. */
function refusal(helpers: ConsoleHelpers, request: FastifyRequest, reply: FastifyReply, back: string, taskId: string, error: unknown) {
  if (error instanceof PermissionDenied)
    return helpers.errorPage(request, reply, 403, `You cannot change this call task: ${error.message}.`);
  if (error instanceof InvalidInput) {
    const fields = Object.fromEntries(error.fields.map((f) => [f.field, f.message]));
    return helpers.flashRedirect(
      reply,
      back,
      `Nothing was changed: ${error.fields.map((f) => `${f.field} ${f.message}`).join('; ')}.`,
      true,
      { form: `task-${taskId}`, fields },
    );
  }
  if (error instanceof InvalidTransition || error instanceof NotFound) return helpers.flashRedirect(reply, back, error.message, true);
  throw error;
}

export function registerTaskRoutes(app: FastifyInstance, helpers: ConsoleHelpers, deps: CaseDependencies): void {
  app.get<{ Querystring: { collector?: string } }>('/tasks', { config: { role: 'collector' } }, async (request, reply) => {
    const principal = request.principal!;
    const zone = helpers.readerZone(request);
    // A manager may look at a collector's list; everyone else sees their own.
    let assignee = { id: principal.userId, name: principal.name };
    const asked = request.query.collector;
    if (asked !== undefined && asked !== '' && asked !== principal.userId) {
      if (!mayPerform(principal.role, 'call_task.act_for_others'))
        return helpers.errorPage(request, reply, 403, 'collector: you can only see your own tasks.');
      const user = UUID.test(asked) ? await findUserById(deps.prisma, asked) : null;
      if (user === null) return helpers.errorPage(request, reply, 400, `collector: no user ${asked}.`);
      assignee = { id: user.id, name: user.name };
    }
    const now = DateTime.fromJSDate(deps.clock()).setZone(zone);
    const sections = await findTasksOfAssignee(deps.prisma, {
      assigneeId: assignee.id,
      now: now.toJSDate(),
      startOfToday: now.startOf('day').toJSDate(),
      startOfTomorrow: now.startOf('day').plus({ days: 1 }).toJSDate(),
      limit: PER_SECTION,
    });
    const back = `/console/tasks${assignee.id === principal.userId ? '' : `?collector=${assignee.id}`}`;
    const collectors = mayPerform(principal.role, 'call_task.act_for_others') ? await listUsers(deps.prisma) : [];
    return helpers.page(request, reply, 'tasks', {
      title: 'My tasks',
      nav: 'tasks',
      whose: assignee.id === principal.userId ? null : assignee.name,
      today: now.toISODate(),
      timeZone: zone,
      collectors: collectors.map((u) => ({ id: u.id, name: u.name, selected: u.id === assignee.id })),
      sections: await Promise.all(
        SECTIONS.map(async (s) => ({
          ...s,
          id: `tasks-${s.key}`,
          total: sections[s.key].total,
          more: sections[s.key].total > sections[s.key].tasks.length,
          openTasks: await openTasksContext(deps, request, sections[s.key].tasks, { back, timeZone: zone, showCustomer: true }),
        })),
      ),
    });
  });

  const action = (name: string, run: (actor: string, taskId: string, form: Form) => Promise<string>) =>
    app.post<{ Params: { id: string } }>(`/tasks/:id/${name}`, { config: { role: 'collector' } }, async (request, reply) => {
      const form = formOf(request);
      const back = backTo(form.next);
      try {
        return helpers.flashRedirect(reply, back, await run(request.principal!.userId, request.params.id, form));
      } catch (error) {
        return refusal(helpers, request, reply, back, request.params.id, error);
      }
    });

  action('done', async (actor, task, form) => {
    await completeCallTask(deps, actor, { task, ...(form.reason?.trim() ? { reason: form.reason } : {}) });
    return 'Call task done.';
  });
  action('snooze', async (actor, task, form) => {
    await snoozeCallTaskUntil(deps, actor, { task, until: form.until ?? '' });
    return `Call task snoozed until ${form.until ?? ''} (the start of that day in the customer's time zone).`;
  });
  action('reassign', async (actor, task, form) => {
    const { assigneeId } = await reassignCallTaskTo(deps, actor, { task, to: form.to ?? '' });
    const user = await findUserById(deps.prisma, assigneeId);
    return `Call task handed to ${user?.name ?? 'them'}.`;
  });
}

/** The customer page's open tasks (for the `open-tasks` partial). */
export async function customerOpenTasks(
  deps: CaseDependencies,
  request: FastifyRequest,
  customer: { id: string; externalId: string },
  timeZone: string,
): Promise<Record<string, unknown>> {
  const tasks = await findOpenCallTasksOfCustomer(deps.prisma, customer.id);
  return openTasksContext(deps, request, tasks, {
    back: `/console/customers/${encodeURIComponent(customer.externalId)}`,
    timeZone,
    showCustomer: false,
  });
}
