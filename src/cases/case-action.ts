import type { DunningRules } from '../core/rules.js';
import type { InterestSettings } from '../reports/interest.report.js';
import { z } from 'zod';
import { raiseAuditedAlert, resolveAlertsOf, type AlertKindName } from '../db/alerts.repository.js';
import { appendAudit } from '../db/audit.repository.js';
import { lockCase, requestReview, type CaseRow } from '../db/cases.repository.js';
import type { PrismaClient, PrismaTransaction } from '../db/client.js';
import { findCustomerByExternalId, findCustomerById, type CustomerRow } from '../db/customers.repository.js';
import type { QueuedContact } from '../db/decisions.repository.js';
import type { Sql } from '../db/sql.js';
import { inTransaction, type Db } from '../db/transaction.js';
import { findUser } from '../db/users.repository.js';
import type { Logger } from '../logging/logger.js';
import type { CompanyProfile, TemplateCatalog } from '../templates/index.js';
import type { PolicyCatalog } from '../workflows/load-policies.js';
import { InvalidInput, NotFound, PermissionDenied } from './errors.js';
import { SYSTEM_ACTOR, assertMayPerform, type Actor, type CaseAction } from './permissions.js';

/** Work handed out after a case action committed: jobs in Redis, derived from what Postgres holds. */
export interface CaseEffects {
  /** Delivery jobs for contacts written as `queued` (e.g. a promise confirmation). */
  deliverContacts(contacts: QueuedContact[]): Promise<void>;
  /** Delivery jobs for alerts raised (or re-raised: `round` = re-raise count). */
  deliverAlerts(alerts: Array<{ id: string; round: number }>): Promise<void>;
  /** The ERP event of a credit hold placed or released. */
  announceCreditHold(event: { holdId: string; event: 'placed' | 'released' }): Promise<void>;
}

/** Effects that do nothing: a process without queues (the sweep and tick recover the work later). */
export const NO_EFFECTS: CaseEffects = {
  deliverContacts: async () => {},
  deliverAlerts: async () => {},
  announceCreditHold: async () => {},
};

/** What every case service needs. */
export interface CaseDependencies {
  prisma: PrismaClient;
  clock: () => Date;
  effects: CaseEffects;
  /** The dunning policies: the step templates a collector may send now. */
  policies: PolicyCatalog;
  /** Rendering of customer messages (promise confirmation). */
  compose: { catalog: TemplateCatalog; company: CompanyProfile; unsubscribeUrl: (customerId: string) => string | null };
  /** Late-payment interest of a step template with `interest: true` sent now (INTEREST_RULE, INTEREST_ALLOCATION, base currency). */
  interest: { settings: InterestSettings; baseCurrency: string };
  /** The send window, consumer hours and holidays: a message sent now outside them waits for a collector's confirmation (or is refused). */
  rules: Pick<DunningRules, 'sendWindow' | 'consumer' | 'holidays'>;
  /** `DunningRules.promiseGraceDays`: a promise is kept by payments received by its date + grace. */
  promiseGraceDays: number;
  /** PROMISE_MAX_DAYS: the latest day a promise may name, counted from today in the customer's zone. */
  promiseMaxDays: number;
  logger: Logger;
}

/** What an action's body can do inside its transaction; effects run after the commit. */
export interface ActionContext<I> {
  /** The transaction, for reads. */
  tx: PrismaTransaction;
  /** The same transaction, for writes (every repository write takes `Sql`: see src/db/README.md). */
  sql: Sql;
  actor: Actor;
  input: I;
  at: Date;
  audit(entry: {
    entityType: string;
    entityId: string;
    action: string;
    reason?: string | null;
    before?: unknown;
    after?: unknown;
  }): Promise<void>;
  /** Asks the next tick to decide the customer's case again (committed with the change). */
  review(customerId: string): Promise<void>;
  /**
   * Raises a manager alert unless one of the kind is open for the customer; delivered after commit.
   * Raised by a manager's own action, it is recorded as acknowledged by them and not delivered.
   */
  raiseAlert(kind: AlertKindName, customerId: string, message: string): Promise<void>;
  /** Resolves the customer's open alerts of these kinds: their cause ended with this action. */
  resolveAlerts(kinds: readonly AlertKindName[], customerId: string, reason: string): Promise<void>;
  queueContact(contact: QueuedContact): void;
  announceCreditHold(holdId: string, event: 'placed' | 'released'): void;
}

/** Resolves an actor reference: `system`, a user id or a user email. An inactive user is refused. */
export async function resolveActor(prisma: Db, ref: string, action: string): Promise<Actor> {
  if (ref === 'system') return SYSTEM_ACTOR;
  const user = await findUser(prisma, ref);
  if (!user) throw new NotFound('user', ref);
  if (!user.active) throw new PermissionDenied(action, `${user.role} (inactive user)`);
  return { id: user.id, role: user.role, email: user.email, name: user.name };
}

/** A customer named by ERP external id (as the CLI takes it) or by id. */
export async function resolveCustomer(db: Db, ref: string): Promise<CustomerRow> {
  const byExternal = await findCustomerByExternalId(db, ref);
  if (byExternal) return byExternal;
  if (z.uuid().safeParse(ref).success) {
    const byId = await findCustomerById(db, ref);
    if (byId) return byId;
  }
  throw new NotFound('customer', ref);
}

/** Parses an action's input; a bad input names the field. */
export function parseInput<S extends z.ZodType>(action: string, schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw InvalidInput.fromZod(action, parsed.error);
  return parsed.data;
}

/**
 * The one path of every case action: resolve the actor, check the role may do it, validate the
 * input, then run the change, its audit events and review requests in one transaction, and
 * hand out the jobs (alert delivery, outbox, ERP events) once committed.
 */
export async function runCaseAction<S extends z.ZodType, R>(
  deps: CaseDependencies,
  actorRef: string,
  action: CaseAction,
  schema: S,
  input: unknown,
  body: (ctx: ActionContext<z.infer<S>>) => Promise<R>,
): Promise<R> {
  const actor = await resolveActor(deps.prisma, actorRef, action);
  assertMayPerform(actor, action);
  const parsed = parseInput(action, schema, input);
  const at = deps.clock();
  const contacts: QueuedContact[] = [];
  const alerts: Array<{ id: string; round: number }> = [];
  const creditEvents: Array<{ holdId: string; event: 'placed' | 'released' }> = [];
  const result = await inTransaction(
    deps.prisma,
    ({ db, sql }) =>
      body({
        tx: db,
        sql,
        actor,
        input: parsed,
        at,
        audit: (entry) => appendAudit(sql, { ...entry, reason: entry.reason ?? null, actor: actor.id, at }),
        review: (customerId) => requestReview(sql, [customerId], at),
        raiseAlert: async (kind, customerId, message) => {
          const own = actor.role === 'manager' || actor.role === 'admin' ? { acknowledgedBy: actor.id } : {};
          const raised = await raiseAuditedAlert(sql, { kind, customerId, message, at, ...own }, actor.id);
          if (raised.created && !own.acknowledgedBy) alerts.push({ id: raised.id, round: 0 });
        },
        resolveAlerts: async (kinds, customerId, reason) => {
          await resolveAlertsOf(sql, { customerId, kinds, reason, actor: actor.id, at });
        },
        queueContact: (contact) => contacts.push(contact),
        announceCreditHold: (holdId, event) => creditEvents.push({ holdId, event }),
      }),
    { timeout: 20_000 },
  );
  await handOut(deps, async () => {
    if (contacts.length > 0) await deps.effects.deliverContacts(contacts);
    if (alerts.length > 0) await deps.effects.deliverAlerts(alerts);
    for (const event of creditEvents) await deps.effects.announceCreditHold(event);
  });
  return result;
}

/**
 * A case action on one customer (the input's `customer` field, external id or id): the customer is
 * resolved and its case locked (created when missing) before the body runs, so concurrent actions
 * on one customer run one after the other.
 */
export function runCustomerAction<S extends z.ZodType<{ customer: string }>, R>(
  deps: CaseDependencies,
  actorRef: string,
  action: CaseAction,
  schema: S,
  input: unknown,
  body: (ctx: ActionContext<z.infer<S>>, customer: CustomerRow, kase: CaseRow) => Promise<R>,
): Promise<R> {
  return runCaseAction(deps, actorRef, action, schema, input, async (ctx) => {
    const customer = await resolveCustomer(ctx.tx, ctx.input.customer);
    const kase = await lockCase(ctx.sql, customer.id);
    return body(ctx, customer, kase);
  });
}

/** A case action as a function of (dependencies, actor, input): {@link runCaseAction}. */
export function caseAction<S extends z.ZodType, R>(
  action: CaseAction,
  schema: S,
  body: (ctx: ActionContext<z.infer<S>>) => Promise<R>,
): (deps: CaseDependencies, actor: string, input: z.input<S>) => Promise<R> {
  return (deps, actor, input) => runCaseAction(deps, actor, action, schema, input, body);
}

/** A case action on one customer as a function of (dependencies, actor, input): {@link runCustomerAction}. */
export function customerAction<S extends z.ZodType<{ customer: string }>, R>(
  action: CaseAction,
  schema: S,
  body: (ctx: ActionContext<z.infer<S>>, customer: CustomerRow, kase: CaseRow) => Promise<R>,
): (deps: CaseDependencies, actor: string, input: z.input<S>) => Promise<R> {
  return (deps, actor, input) => runCustomerAction(deps, actor, action, schema, input, body);
}

/** Jobs are derived from Postgres: if Redis is unreachable now, the tick and the sweep enqueue them later. */
async function handOut(deps: CaseDependencies, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    deps.logger.warn({ err: error }, 'case action committed; its jobs will be enqueued by the next sweep');
  }
}

/** Common input fields. */
export const customerField = z.string().trim().min(1, 'is required');
export const reasonField = z.string().trim().min(1, 'is required').max(2_000);
export const isoDateField = z.iso.date();
