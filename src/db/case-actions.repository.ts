import type { PrismaClient, PrismaTransaction } from './client.js';
import type { Sql } from './sql.js';

/**
 * The writes behind the case actions (src/cases): holds, bankruptcy, disputes, promises, payment
 * plans, calls, notes, pauses, each with its audit event. Every function takes the caller's
 * transaction, so the change, its audit event and the review request commit together.
 */

type Db = PrismaClient | PrismaTransaction;

const dateOnly = (iso: string): Date => new Date(`${iso}T00:00:00Z`);
const isoDate = (date: Date): string => date.toISOString().slice(0, 10);

// ───────────────────────────────────────── lookups ─────────────────────────────────────────

export interface ActorUser {
  id: string;
  email: string;
  name: string;
  role: 'collector' | 'manager' | 'admin';
  active: boolean;
}

/** A user by id (uuid) or email. */
export async function findUser(db: Db, idOrEmail: string): Promise<ActorUser | null> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrEmail);
  return db.user.findFirst({
    where: isUuid ? { id: idOrEmail } : { email: { equals: idOrEmail, mode: 'insensitive' } },
    select: { id: true, email: true, name: true, role: true, active: true },
  });
}

export interface CustomerRow {
  id: string;
  externalId: string;
  name: string;
  currency: string;
  timeZone: string;
  locale: string;
  salesContactEmail: string | null;
  creditLimitMinor: bigint | null;
  doNotContact: boolean;
  emailOptedOutAt: Date | null;
}

const customerSelect = {
  id: true,
  externalId: true,
  name: true,
  currency: true,
  timeZone: true,
  locale: true,
  salesContactEmail: true,
  creditLimitMinor: true,
  doNotContact: true,
  emailOptedOutAt: true,
} as const;

export function findCustomerByExternalId(db: Db, externalId: string): Promise<CustomerRow | null> {
  return db.customer.findUnique({ where: { externalId }, select: customerSelect });
}

export function findCustomerById(db: Db, id: string): Promise<CustomerRow | null> {
  return db.customer.findUnique({ where: { id }, select: customerSelect });
}

/** The customer's billing (then primary, then any) email not bounced or invalid. */
export async function findCustomerEmail(db: Db, customerId: string): Promise<string | null> {
  const points = await db.customerContact.findMany({
    where: { customerId, kind: 'email', bouncedAt: null, invalidAt: null },
    select: { value: true, role: true },
  });
  const rank = (role: string) => ['billing', 'primary'].indexOf(role) >>> 0;
  return points.sort((a, b) => rank(a.role) - rank(b.role))[0]?.value ?? null;
}

export interface OpenInvoiceRow {
  id: string;
  number: string;
  currency: string;
  amountMinor: bigint;
  openBalanceMinor: bigint;
  issuedOn: string;
  dueOn: string;
}

export async function findOpenInvoices(db: Db, customerId: string): Promise<OpenInvoiceRow[]> {
  const rows = await db.invoice.findMany({
    where: { customerId, status: 'open', openBalanceMinor: { gt: 0n } },
    orderBy: [{ dueDate: 'asc' }, { number: 'asc' }],
  });
  return rows.map((row) => ({
    id: row.id,
    number: row.number,
    currency: row.currency,
    amountMinor: row.amountMinor,
    openBalanceMinor: row.openBalanceMinor,
    issuedOn: isoDate(row.issueDate),
    dueOn: isoDate(row.dueDate),
  }));
}

export function findInvoiceByNumber(db: Db, customerId: string, number: string) {
  return db.invoice.findUnique({ where: { customerId_number: { customerId, number } }, select: { id: true, number: true } });
}

// ──────────────────────────────────────── case & audit ───────────────────────────────────────

export interface CaseRow {
  id: string;
  state: 'active' | 'paused' | 'legal_hold' | 'closed';
  pauseReason: string | null;
  pausedUntil: Date | null;
  currentStage: string | null;
}

/** The customer's case, created when missing, locked for the rest of the transaction. */
export async function lockCase(tx: PrismaTransaction, customerId: string): Promise<CaseRow> {
  await tx.$executeRaw`
    insert into collection_cases (customer_id, updated_at) values (${customerId}::uuid, now())
    on conflict (customer_id) do nothing`;
  const [row] = await tx.$queryRaw<CaseRow[]>`
    select id::text, state::text, pause_reason::text as "pauseReason", paused_until as "pausedUntil",
           current_stage as "currentStage"
      from collection_cases where customer_id = ${customerId}::uuid for update`;
  return row!;
}

export async function setCaseState(
  tx: PrismaTransaction,
  caseId: string,
  state: CaseRow['state'],
  pause: { reason: 'manual' | null; until: Date | null } = { reason: null, until: null },
): Promise<void> {
  await tx.$executeRaw`
    update collection_cases
       set state = ${state}::case_state, pause_reason = ${pause.reason}::pause_reason, paused_until = ${pause.until},
           updated_at = now()
     where id = ${caseId}::uuid`;
}

export interface AuditEntry {
  entityType: string;
  entityId: string;
  action: string;
  actor: string;
  reason: string | null;
  before?: unknown;
  after?: unknown;
  at: Date;
}

export async function appendAudit(db: Db, entry: AuditEntry): Promise<void> {
  const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value, bigintAsString));
  await db.$executeRaw`
    insert into audit_events (entity_type, entity_id, action, actor, reason, before, after, at)
    values (${entry.entityType}, ${entry.entityId}, ${entry.action}, ${entry.actor}, ${entry.reason},
            ${json(entry.before)}::jsonb, ${json(entry.after)}::jsonb, ${entry.at})`;
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Whether an audit event with this entity and action exists (markers of work done, e.g. an event delivered). */
export async function hasAudit(db: Db, entityType: string, entityId: string, action: string): Promise<boolean> {
  const found = await db.auditEvent.findFirst({ where: { entityType, entityId, action }, select: { id: true } });
  return found !== null;
}

// ─────────────────────────────────────────── holds ───────────────────────────────────────────

export interface LegalHoldToPlace {
  customerId: string;
  at: Date;
  reason: string;
  placedBy: string;
  agency?: string | null;
  notes?: string | null;
}

/**
 * Places a legal hold unless one is active, and moves the case to `legal_hold`. Used by the
 * policy step and by the manual action alike. Returns the hold placed, or null when one was active.
 */
export async function insertLegalHold(tx: Sql, hold: LegalHoldToPlace): Promise<string | null> {
  const [row] = await tx.query<{ id: string }>(
    `insert into legal_holds (customer_id, placed_at, reason, placed_by, agency, notes)
     select $1::uuid, $2::timestamptz, $3, $4, $5, $6
      where not exists (select 1 from legal_holds where customer_id = $1::uuid and released_at is null)
     returning id::text`,
    [hold.customerId, hold.at.toISOString(), hold.reason, hold.placedBy, hold.agency ?? null, hold.notes ?? null],
  );
  await tx.query(`update collection_cases set state = 'legal_hold', updated_at = now() where customer_id = $1::uuid`, [
    hold.customerId,
  ]);
  return row?.id ?? null;
}

export function findActiveLegalHold(db: Db, customerId: string) {
  return db.legalHold.findFirst({ where: { customerId, releasedAt: null } });
}

export async function releaseLegalHoldRow(tx: PrismaTransaction, id: string, by: string, reason: string, at: Date) {
  return tx.legalHold.update({ where: { id }, data: { releasedAt: at, releasedBy: by, releaseReason: reason } });
}

export function findActiveCreditHold(db: Db, customerId: string) {
  return db.creditHold.findFirst({ where: { customerId, releasedAt: null } });
}

export function findCreditHold(db: Db, id: string) {
  return db.creditHold.findUnique({ where: { id } });
}

export async function insertCreditHold(tx: PrismaTransaction, customerId: string, reason: string, by: string, at: Date) {
  return tx.creditHold.create({ data: { customerId, reason, placedBy: by, placedAt: at } });
}

export async function releaseCreditHoldRow(tx: PrismaTransaction, id: string, by: string, reason: string, at: Date) {
  return tx.creditHold.update({ where: { id }, data: { releasedAt: at, releasedBy: by, releaseReason: reason } });
}

/**
 * Customers with an active credit hold placed by the system (a policy step) and nothing overdue
 * any more (open balance due before their local today). Holds people placed are not listed.
 */
export async function findPaidCreditHolds(db: Db, now: Date): Promise<Array<{ id: string; customerId: string }>> {
  return db.$queryRaw`
    select h.id::text, h.customer_id::text as "customerId"
      from credit_holds h join customers cu on cu.id = h.customer_id
     where h.released_at is null and h.placed_by = 'system'
       and not exists (select 1 from invoices i
                        where i.customer_id = h.customer_id and i.status = 'open' and i.open_balance_minor > 0
                          and i.due_date < (${now}::timestamptz at time zone cu.time_zone)::date)`;
}

/** Overdue open balance of a customer, per currency (minor units). */
export async function overdueBalance(db: Db, customerId: string, now: Date): Promise<Array<{ currency: string; minor: bigint }>> {
  const rows = await db.$queryRaw<Array<{ currency: string; minor: string }>>`
    select i.currency::text, sum(i.open_balance_minor)::text as minor
      from invoices i join customers cu on cu.id = i.customer_id
     where i.customer_id = ${customerId}::uuid and i.status = 'open' and i.open_balance_minor > 0
       and i.due_date < (${now}::timestamptz at time zone cu.time_zone)::date
     group by i.currency`;
  return rows.map((row) => ({ currency: row.currency, minor: BigInt(row.minor) }));
}

/** Credit holds placed or released recently whose ERP event has not been delivered (audit marker). */
export async function findUnannouncedCreditHolds(
  db: Db,
  since: Date,
): Promise<Array<{ holdId: string; event: 'placed' | 'released' }>> {
  return db.$queryRaw`
    select h.id::text as "holdId", e.event as event
      from credit_holds h
     cross join lateral (values ('placed', h.placed_at), ('released', h.released_at)) as e(event, at)
     where e.at is not null and e.at >= ${since}
       and not exists (select 1 from audit_events a
                        where a.entity_type = 'credit_hold' and a.entity_id = h.id::text
                          and a.action = 'credit_hold.' || e.event || '.announced')`;
}

// ───────────────────────────────────────── bankruptcy ────────────────────────────────────────

export function findOpenBankruptcy(db: Db, customerId: string) {
  return db.bankruptcyFiling.findFirst({ where: { customerId, dischargedAt: null, dismissedAt: null } });
}

export function insertBankruptcy(
  tx: PrismaTransaction,
  filing: { customerId: string; filedOn: string; chapter: string; caseNumber: string | null; by: string; at: Date },
) {
  return tx.bankruptcyFiling.create({
    data: {
      customerId: filing.customerId,
      filedOn: dateOnly(filing.filedOn),
      chapter: filing.chapter,
      caseNumber: filing.caseNumber,
      recordedBy: filing.by,
      recordedAt: filing.at,
    },
  });
}

export function closeBankruptcy(tx: PrismaTransaction, id: string, outcome: 'discharged' | 'dismissed', by: string, at: Date) {
  return tx.bankruptcyFiling.update({
    where: { id },
    data: outcome === 'discharged' ? { dischargedAt: at, dischargedBy: by } : { dismissedAt: at, dismissedBy: by },
  });
}

// ────────────────────────────────────────── disputes ─────────────────────────────────────────

export function findOpenDispute(db: Db, invoiceId: string) {
  return db.dispute.findFirst({ where: { invoiceId, resolvedAt: null } });
}

export function insertDispute(
  tx: PrismaTransaction,
  dispute: { invoiceId: string; customerId: string; reasonCode: string; notes: string | null; by: string; at: Date },
) {
  return tx.dispute.create({
    data: {
      invoiceId: dispute.invoiceId,
      customerId: dispute.customerId,
      reasonCode: dispute.reasonCode,
      notes: dispute.notes,
      openedBy: dispute.by,
      openedAt: dispute.at,
    },
  });
}

export function resolveDisputeRow(tx: PrismaTransaction, id: string, resolution: string, by: string, at: Date) {
  return tx.dispute.update({ where: { id }, data: { resolvedAt: at, resolvedBy: by, resolution } });
}

// ────────────────────────────────────────── promises ─────────────────────────────────────────

export function insertPromise(
  tx: PrismaTransaction,
  promise: {
    customerId: string;
    caseId: string;
    amountMinor: bigint;
    currency: string;
    promisedOn: string;
    channel: 'email' | 'sms' | 'call' | 'note' | 'letter' | null;
    contactId: string | null;
    by: string;
    at: Date;
  },
) {
  return tx.promiseToPay.create({
    data: {
      customerId: promise.customerId,
      caseId: promise.caseId,
      amountMinor: promise.amountMinor,
      currency: promise.currency,
      promisedDate: dateOnly(promise.promisedOn),
      channel: promise.channel,
      contactId: promise.contactId,
      createdBy: promise.by,
      createdAt: promise.at,
    },
  });
}

export function findPromise(db: Db, id: string) {
  return db.promiseToPay.findUnique({ where: { id } });
}

export function setPromiseStatus(tx: PrismaTransaction, id: string, status: 'kept' | 'cancelled', at: Date) {
  return tx.promiseToPay.update({ where: { id }, data: { status, evaluatedAt: at } });
}

/**
 * Open promises covered by payments: allocations (not reversed) made after the promise was
 * recorded, from payments received by the promised date + grace, in the promise's currency,
 * summing to at least the amount.
 */
export async function findKeptPromises(
  db: Db,
  graceDays: number,
  customerId: string | null,
): Promise<Array<{ id: string; customerId: string; paidMinor: string }>> {
  return db.$queryRaw`
    select p.id::text, p.customer_id::text as "customerId", coalesce(sum(a.amount_minor), 0)::text as "paidMinor"
      from promises_to_pay p
      join payments pay on pay.customer_id = p.customer_id and pay.currency = p.currency
                       and pay.received_on <= p.promised_date + ${graceDays}::int
      join payment_allocations a on a.payment_id = pay.id and a.reversed_at is null and a.allocated_at >= p.created_at
     where p.status = 'open' and (${customerId}::uuid is null or p.customer_id = ${customerId}::uuid)
     group by p.id, p.customer_id, p.amount_minor
    having sum(a.amount_minor) >= p.amount_minor`;
}

// ──────────────────────────────────────── payment plans ───────────────────────────────────────

export function findActivePlan(db: Db, customerId: string) {
  return db.paymentPlan.findFirst({ where: { customerId, status: 'active' }, include: { instalments: true } });
}

export function findPlan(db: Db, id: string) {
  return db.paymentPlan.findUnique({ where: { id }, include: { instalments: { orderBy: { sequence: 'asc' } } } });
}

export function insertPlan(
  tx: PrismaTransaction,
  plan: {
    customerId: string;
    currency: string;
    totalMinor: bigint;
    notes: string | null;
    by: string;
    at: Date;
    instalments: Array<{ dueOn: string; amountMinor: bigint }>;
  },
) {
  return tx.paymentPlan.create({
    data: {
      customerId: plan.customerId,
      currency: plan.currency,
      totalMinor: plan.totalMinor,
      notes: plan.notes,
      createdBy: plan.by,
      createdAt: plan.at,
      instalments: {
        create: plan.instalments.map((instalment, i) => ({
          sequence: i + 1,
          dueDate: dateOnly(instalment.dueOn),
          amountMinor: instalment.amountMinor,
        })),
      },
    },
    include: { instalments: { orderBy: { sequence: 'asc' } } },
  });
}

export async function cancelPlanRow(tx: PrismaTransaction, id: string, at: Date) {
  await tx.paymentPlanInstalment.updateMany({ where: { planId: id, status: 'pending' }, data: { status: 'cancelled' } });
  return tx.paymentPlan.update({ where: { id }, data: { status: 'cancelled', cancelledAt: at } });
}

export interface PlanProgress {
  planId: string;
  customerId: string;
  /** Allocations (not reversed) in the plan's currency made since the plan was created. */
  paidMinor: bigint;
  /** The customer's local today. */
  today: string;
  instalments: Array<{ id: string; sequence: number; dueOn: string; amountMinor: bigint; paidMinor: bigint; status: string }>;
}

/** Every active plan with what has been paid towards it. */
export async function loadActivePlanProgress(db: Db, now: Date): Promise<PlanProgress[]> {
  const plans = await db.$queryRaw<Array<{ planId: string; customerId: string; paidMinor: string; today: string }>>`
    select p.id::text as "planId", p.customer_id::text as "customerId",
           coalesce((select sum(a.amount_minor) from payment_allocations a join payments pay on pay.id = a.payment_id
                      where pay.customer_id = p.customer_id and pay.currency = p.currency
                        and a.reversed_at is null and a.allocated_at >= p.created_at), 0)::text as "paidMinor",
           ((${now}::timestamptz at time zone cu.time_zone)::date)::text as today
      from payment_plans p join customers cu on cu.id = p.customer_id
     where p.status = 'active'`;
  if (plans.length === 0) return [];
  const instalments = await db.paymentPlanInstalment.findMany({
    where: { planId: { in: plans.map((p) => p.planId) } },
    orderBy: { sequence: 'asc' },
  });
  return plans.map((plan) => ({
    planId: plan.planId,
    customerId: plan.customerId,
    paidMinor: BigInt(plan.paidMinor),
    today: plan.today,
    instalments: instalments
      .filter((i) => i.planId === plan.planId)
      .map((i) => ({
        id: i.id,
        sequence: i.sequence,
        dueOn: isoDate(i.dueDate),
        amountMinor: i.amountMinor,
        paidMinor: i.paidMinor,
        status: i.status,
      })),
  }));
}

export async function updateInstalment(
  tx: PrismaTransaction,
  id: string,
  data: { paidMinor: bigint; status: 'pending' | 'paid' | 'missed' },
): Promise<void> {
  await tx.paymentPlanInstalment.update({ where: { id }, data });
}

export async function setPlanStatus(tx: PrismaTransaction, id: string, status: 'completed' | 'broken'): Promise<void> {
  await tx.paymentPlan.update({ where: { id }, data: { status } });
}

// ─────────────────────────────────────── calls & notes ───────────────────────────────────────

export interface LoggedContact {
  customerId: string;
  caseId: string;
  channel: 'call' | 'note';
  direction: 'outbound' | 'inbound';
  recipient: string | null;
  outcome: 'no_answer' | 'voicemail' | 'promised' | 'disputed' | 'paid' | 'wrong_number' | 'other' | null;
  notes: string;
  actor: string;
  idempotencyKey: string;
  at: Date;
}

/** A call or note a person logged: a contact with status `logged` and its `logged` event. */
export async function insertLoggedContact(tx: PrismaTransaction, contact: LoggedContact): Promise<string> {
  const row = await tx.contact.create({
    data: {
      customerId: contact.customerId,
      caseId: contact.caseId,
      channel: contact.channel,
      direction: contact.direction,
      recipient: contact.recipient,
      outcome: contact.outcome,
      notes: contact.notes,
      bodyText: contact.notes,
      status: 'logged',
      actor: contact.actor,
      idempotencyKey: contact.idempotencyKey,
      createdAt: contact.at,
      statusEvents: { create: { status: 'logged', at: contact.at, actor: contact.actor } },
    },
    select: { id: true },
  });
  return row.id;
}

export function findOpenCallTask(db: Db, customerId: string, taskId: string | null) {
  return db.callTask.findFirst({
    where: { customerId, status: 'open', ...(taskId ? { id: taskId } : {}) },
    orderBy: { dueAt: 'asc' },
  });
}

export async function completeCallTask(tx: PrismaTransaction, taskId: string, contactId: string, at: Date): Promise<void> {
  await tx.callTask.update({ where: { id: taskId }, data: { status: 'done', completedContactId: contactId, completedAt: at } });
}

// ───────────────────────────────────── outbound messages ─────────────────────────────────────

export interface QueuedMessage {
  customerId: string;
  caseId: string;
  templateId: string;
  locale: string;
  recipient: string;
  subject: string;
  text: string;
  html: string;
  idempotencyKey: string;
  actor: string;
  invoiceIds: string[];
  at: Date;
}

/** An email written to the outbox as `queued` (like a reminder), covering `invoiceIds`. Null when already recorded. */
export async function insertQueuedEmail(tx: PrismaTransaction, message: QueuedMessage): Promise<string | null> {
  const [row] = await tx.$queryRaw<Array<{ id: string }>>`
    insert into contacts (customer_id, case_id, channel, template_id, template_locale, recipient, subject, body_text,
                          body_html, status, actor, idempotency_key, created_at, updated_at)
    values (${message.customerId}::uuid, ${message.caseId}::uuid, 'email', ${message.templateId}, ${message.locale},
            ${message.recipient}, ${message.subject}, ${message.text}, ${message.html}, 'queued', ${message.actor},
            ${message.idempotencyKey}, ${message.at}, now())
    on conflict (idempotency_key) do nothing
    returning id::text`;
  if (!row) return null;
  await tx.$executeRaw`
    insert into contact_invoices (contact_id, invoice_id, open_balance_minor)
    select ${row.id}::uuid, i.id, i.open_balance_minor from invoices i where i.id = any(${message.invoiceIds}::uuid[])`;
  await tx.$executeRaw`
    insert into contact_status_events (contact_id, status, at, actor) values (${row.id}::uuid, 'queued', ${message.at}, ${message.actor})`;
  return row.id;
}

// ─────────────────────────────────────────── pauses ──────────────────────────────────────────

/** Cases paused by hand whose `paused_until` has passed. */
export async function findExpiredPauses(db: Db, now: Date): Promise<Array<{ customerId: string }>> {
  return db.$queryRaw`
    select customer_id::text as "customerId" from collection_cases
     where state = 'paused' and pause_reason = 'manual' and paused_until is not null and paused_until <= ${now}`;
}

// ───────────────────────────────────────── case file ─────────────────────────────────────────

/** Everything a case file shows, as stored. */
export async function loadCaseFileRows(db: Db, customerId: string) {
  const customer = await db.customer.findUnique({
    where: { id: customerId },
    include: {
      contactPoints: { orderBy: [{ kind: 'asc' }, { value: 'asc' }] },
      collectionCase: true,
      invoices: { where: { status: 'open', openBalanceMinor: { gt: 0n } }, orderBy: [{ dueDate: 'asc' }, { number: 'asc' }] },
      contacts: {
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        include: { statusEvents: { orderBy: [{ at: 'asc' }, { id: 'asc' }] }, invoices: { include: { invoice: { select: { number: true } } } } },
      },
      promises: { orderBy: { createdAt: 'asc' } },
      disputes: { orderBy: { openedAt: 'asc' }, include: { invoice: { select: { number: true } } } },
      paymentPlans: { orderBy: { createdAt: 'asc' }, include: { instalments: { orderBy: { sequence: 'asc' } } } },
      legalHolds: { orderBy: { placedAt: 'asc' } },
      creditHolds: { orderBy: { placedAt: 'asc' } },
      bankruptcyFilings: { orderBy: { recordedAt: 'asc' } },
    },
  });
  return customer;
}

export type CaseFileRows = NonNullable<Awaited<ReturnType<typeof loadCaseFileRows>>>;

// ───────────────────────────────────────── write-offs ────────────────────────────────────────

export interface InvoiceToWriteOff {
  id: string;
  number: string;
  currency: string;
  status: 'open' | 'paid' | 'void' | 'written_off';
  openBalanceMinor: bigint;
}

/**
 * A customer's invoices for a write-off, locked: the one numbered `number`, or (null) every
 * open invoice with a balance. Oldest due first.
 */
export async function lockInvoicesToWriteOff(tx: PrismaTransaction, customerId: string, number: string | null): Promise<InvoiceToWriteOff[]> {
  const rows = await tx.$queryRaw<Array<Omit<InvoiceToWriteOff, 'openBalanceMinor'> & { openBalanceMinor: string }>>`
    select id::text, number, currency::text, status::text, open_balance_minor::text as "openBalanceMinor"
      from invoices
     where customer_id = ${customerId}::uuid
       and (${number}::text is null and status = 'open' and open_balance_minor > 0 or number = ${number}::text)
     order by due_date, number
       for update`;
  return rows.map((row) => ({ ...row, openBalanceMinor: BigInt(row.openBalanceMinor) }));
}

/** Writes off these invoices' open balances: status `written_off`, balance 0, the amount and why kept. */
export async function writeOffInvoiceRows(tx: PrismaTransaction, ids: readonly string[], by: string, reason: string, at: Date): Promise<void> {
  await tx.$executeRaw`
    update invoices
       set status = 'written_off', written_off_minor = open_balance_minor, open_balance_minor = 0,
           written_off_at = ${at}, written_off_by = ${by}, write_off_reason = ${reason}, updated_at = ${at}
     where id = any(${ids as string[]}::uuid[]) and status = 'open'`;
}

/** Whether the customer still owes anything on an open invoice. */
export async function hasOpenBalance(db: Db, customerId: string): Promise<boolean> {
  const found = await db.invoice.findFirst({ where: { customerId, status: 'open', openBalanceMinor: { gt: 0n } }, select: { id: true } });
  return found !== null;
}

/** Cancels the customer's open promises to pay; returns their ids. */
export async function cancelOpenPromises(tx: PrismaTransaction, customerId: string, at: Date): Promise<string[]> {
  const open = await tx.promiseToPay.findMany({ where: { customerId, status: 'open' }, select: { id: true } });
  if (open.length > 0) await tx.promiseToPay.updateMany({ where: { id: { in: open.map((p) => p.id) } }, data: { status: 'cancelled', evaluatedAt: at } });
  return open.map((p) => p.id);
}

/** Sets `customers.do_not_contact`; returns the value it had. */
export async function setDoNotContact(tx: PrismaTransaction, customerId: string, value: boolean): Promise<boolean> {
  const before = await tx.customer.findUniqueOrThrow({ where: { id: customerId }, select: { doNotContact: true } });
  if (before.doNotContact !== value) await tx.customer.update({ where: { id: customerId }, data: { doNotContact: value } });
  return before.doNotContact;
}
