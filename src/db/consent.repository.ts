import { appendAudit } from './audit.repository.js';
import type { PrismaClient } from './client.js';
import { recordContacts } from './contact-log.repository.js';
import { autoCommit, inTransaction } from './transaction.js';

/**
 * Consent and delivery-status changes that arrive from outside (webhooks, unsubscribe links).
 * The change and its audit event or contact status event commit together (one transaction, or
 * one statement), and a repeated request changes nothing.
 */

/** Who did it and why, for the audit / status-event rows. */
export interface ChangeOrigin {
  at: Date;
  /** e.g. `webhook:twilio`, `customer:unsubscribe-link`. */
  actor: string;
  reason: string;
}

/** Customers with this phone number among their contact points. */
export async function customersWithPhone(prisma: PrismaClient, phone: string): Promise<string[]> {
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    select distinct customer_id::text as id from contact_points where kind = 'phone' and value = ${phone}`;
  return rows.map((row) => row.id);
}

/** Sets `sms_opted_out_at` on every customer with this number not yet opted out; returns those changed. */
export async function revokeSmsConsentByPhone(prisma: PrismaClient, phone: string, origin: ChangeOrigin): Promise<string[]> {
  const rows = await changeAudited(
    prisma,
    origin,
    `update customers c set sms_opted_out_at = $2::timestamptz, updated_at = $2::timestamptz
      where c.sms_opted_out_at is null
        and exists (select 1 from contact_points p where p.customer_id = c.id and p.kind = 'phone' and p.value = $1)
     returning c.id::text`,
    phone,
    {
      entityType: 'customer',
      action: 'sms_consent.revoked',
      before: () => ({ smsOptedOutAt: null }),
      after: { smsOptedOutAt: origin.at.toISOString() },
    },
  );
  return rows.map((row) => row.id);
}

/**
 * Runs `update` (parameters: `$1` = `key`, `$2` = the change's instant) and appends an audit
 * event per row it returns, in one transaction.
 */
function changeAudited<Row extends { id: string }>(
  prisma: PrismaClient,
  origin: ChangeOrigin,
  update: string,
  key: string,
  event: { entityType: string; action: string; before: (row: Row) => unknown; after: unknown },
): Promise<Row[]> {
  return inTransaction(prisma, async ({ sql }) => {
    const rows = await sql.query<Row>(update, [key, origin.at.toISOString()]);
    await appendAudit(
      sql,
      rows.map((row) => ({ ...audit(origin, event.entityType, row.id, event.action), before: event.before(row), after: event.after })),
    );
    return rows;
  });
}

function audit(origin: ChangeOrigin, entityType: string, entityId: string, action: string) {
  return { entityType, entityId, action, actor: origin.actor, reason: origin.reason, at: origin.at };
}

/**
 * Records consent (and clears an opt-out) on every customer with this number that was opted out
 * or had no consent; returns those changed.
 */
export async function restoreSmsConsentByPhone(prisma: PrismaClient, phone: string, origin: ChangeOrigin): Promise<string[]> {
  const rows = await changeAudited<{ id: string; beforeConsent: boolean; beforeOptedOut: Date | null }>(
    prisma,
    origin,
    `with target as (
       select c.id, c.sms_consent, c.sms_opted_out_at from customers c
        where (c.sms_opted_out_at is not null or not c.sms_consent)
          and exists (select 1 from contact_points p where p.customer_id = c.id and p.kind = 'phone' and p.value = $1)
          for update
     )
     update customers c set sms_consent = true, sms_consent_at = $2::timestamptz, sms_opted_out_at = null, updated_at = $2::timestamptz
       from target t
      where c.id = t.id
     returning c.id::text, t.sms_consent as "beforeConsent", t.sms_opted_out_at as "beforeOptedOut"`,
    phone,
    {
      entityType: 'customer',
      action: 'sms_consent.restored',
      before: (row) => ({ smsConsent: row.beforeConsent, smsOptedOutAt: row.beforeOptedOut }),
      after: { smsConsent: true, smsOptedOutAt: null },
    },
  );
  return rows.map((row) => row.id);
}

/** Where each channel's opt-out is kept, and the audit event that records it. */
const OPT_OUT = {
  email: { column: 'email_opted_out_at', field: 'emailOptedOutAt', event: 'email.opted_out' },
  sms: { column: 'sms_opted_out_at', field: 'smsOptedOutAt', event: 'sms_consent.revoked' },
} as const;

/** Sets one customer's opt-out of a channel once, with an audit event. `unknown` when no such customer exists. */
export async function optOutById(
  prisma: PrismaClient,
  customerId: string,
  channel: keyof typeof OPT_OUT,
  origin: ChangeOrigin,
): Promise<'opted-out' | 'already' | 'unknown'> {
  const { column, field, event } = OPT_OUT[channel];
  return inTransaction(prisma, async ({ sql }) => {
    const [row] = await sql.query<{ found: boolean; changed: boolean }>(
      `with changed as (
         update customers set ${column} = $2::timestamptz, updated_at = $2::timestamptz
          where id = $1::uuid and ${column} is null
         returning id
       )
       select exists (select 1 from customers where id = $1::uuid) as found, exists (select 1 from changed) as changed`,
      [customerId, origin.at.toISOString()],
    );
    if (!row?.found) return 'unknown';
    if (!row.changed) return 'already';
    await appendAudit(sql, {
      ...audit(origin, 'customer', customerId, event),
      before: { [field]: null },
      after: { [field]: origin.at.toISOString() },
    });
    return 'opted-out';
  });
}

/** Whether the customer has opted out of email; null when there is no such customer. */
export async function emailOptedOut(prisma: PrismaClient, customerId: string): Promise<boolean | null> {
  const [row] = await prisma.$queryRaw<Array<{ optedOut: boolean }>>`
    select email_opted_out_at is not null as "optedOut" from customers where id = ${customerId}::uuid`;
  return row ? row.optedOut : null;
}

export interface InboundSms {
  customerIds: string[];
  from: string;
  body: string;
  provider: string;
  providerMessageId: string;
}

/**
 * Logs an inbound SMS on each customer's contact log (status `logged`, with a `logged` event).
 * The idempotency key comes from the provider's message id, so a redelivered webhook adds nothing.
 */
export async function logInboundSms(prisma: PrismaClient, message: InboundSms, origin: ChangeOrigin): Promise<number> {
  if (message.customerIds.length === 0) return 0;
  const keyPrefix = `inbound:${message.provider}:${message.providerMessageId}:`;
  const ids = await inTransaction(prisma, ({ sql }) =>
    recordContacts(
      sql,
      [...new Set(message.customerIds)].map((customerId) => ({
        customerId,
        caseId: null,
        channel: 'sms' as const,
        direction: 'inbound' as const,
        status: 'logged' as const,
        recipient: message.from,
        text: message.body,
        providerName: message.provider,
        providerMessageId: message.providerMessageId,
        actor: origin.actor,
        idempotencyKey: keyPrefix + customerId,
        at: origin.at,
      })),
    ),
  );
  return ids.size;
}

/** Which contact a provider's report is about. */
export interface ProviderMessageRef {
  channel: 'email' | 'sms';
  /** Provider names the contact may have been sent with (`twilio`; `smtp`, `capture`). */
  providers: string[];
  /** Spellings of the provider's message id (e.g. a Message-ID with and without brackets). */
  providerMessageIds: string[];
}

export interface StatusReport {
  status: 'sent' | 'delivered' | 'undelivered' | 'failed' | 'bounced';
  failureReason: string | null;
  failureKind: 'permanent' | 'transient' | null;
  detail: Record<string, unknown>;
}

export interface StatusReportResult {
  contactId: string;
  customerId: string;
  recipient: string | null;
  previousStatus: string;
  /** False when the contact was already at or past the reported status (e.g. delivered, then a late `sent`). */
  moved: boolean;
}

/** How far along a contact is; the current status only ever moves to a higher rank. */
const STATUS_RANK: Readonly<Record<string, number>> = {
  queued: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  undelivered: 3,
  failed: 3,
  bounced: 3,
};

/** Statuses a contact may leave for `status`. */
export function statusesBefore(status: StatusReport['status']): string[] {
  const rank = STATUS_RANK[status] ?? 0;
  return Object.keys(STATUS_RANK).filter((s) => (STATUS_RANK[s] ?? 0) < rank);
}

/**
 * Appends the reported status to the contact's history and moves its current status forward
 * only (the update's condition is re-checked under the row lock, so concurrent callbacks cannot
 * move it back). Null when no contact has that provider message id.
 */
export async function recordStatusReport(
  prisma: PrismaClient,
  ref: ProviderMessageRef,
  report: StatusReport,
  origin: ChangeOrigin,
): Promise<StatusReportResult | null> {
  const detail = JSON.stringify(report.detail);
  const before = statusesBefore(report.status);
  const [row] = await prisma.$queryRaw<StatusReportResult[]>`
    with target as (
      select id, customer_id, recipient, status from contacts
       where provider_name = any(${ref.providers}::text[])
         and provider_message_id = any(${ref.providerMessageIds}::text[])
         and channel = ${ref.channel}::contact_channel
       order by created_at desc
       limit 1
    ), event as (
      insert into contact_status_events (contact_id, status, at, detail, actor)
      select id, ${report.status}::contact_status, ${origin.at}, ${detail}::jsonb, ${origin.actor} from target
    ), moved as (
      update contacts c
         set status = ${report.status}::contact_status,
             failure_reason = coalesce(${report.failureReason}, c.failure_reason),
             failure_kind = coalesce(${report.failureKind}::failure_kind, c.failure_kind),
             updated_at = ${origin.at}
        from target t
       where c.id = t.id and c.status::text = any(${before}::text[])
      returning c.id
    )
    select t.id::text as "contactId", t.customer_id::text as "customerId", t.recipient,
           t.status::text as "previousStatus", exists (select 1 from moved) as moved
      from target t`;
  return row ?? null;
}

/**
 * Marks an email address bounced (`contact_points.bounced_at`) for every customer using it,
 * with an audit event each; returns how many contact points changed.
 */
export async function markEmailAddressBounced(prisma: PrismaClient, address: string, origin: ChangeOrigin): Promise<number> {
  const rows = await changeAudited(
    prisma,
    origin,
    `update contact_points set bounced_at = $2::timestamptz, updated_at = $2::timestamptz
      where kind = 'email' and lower(value) = lower($1) and bounced_at is null
     returning id::text`,
    address,
    {
      entityType: 'customer_contact',
      action: 'email.bounced',
      before: () => ({ bouncedAt: null }),
      after: { bouncedAt: origin.at.toISOString() },
    },
  );
  return rows.length;
}

/** An audit event on a customer, e.g. after a provider reported the number unreachable. */
export async function appendCustomerAudit(
  prisma: PrismaClient,
  customerId: string,
  action: string,
  origin: ChangeOrigin,
  after: Record<string, unknown> | null = null,
): Promise<void> {
  await appendAudit(autoCommit(prisma), { ...audit(origin, 'customer', customerId, action), after });
}

/**
 * Appends an event repeating the contact's current status, with `detail` (e.g. a soft bounce:
 * worth knowing, but no change of status). Returns the contact id, or null when none matched.
 */
export async function appendStatusNote(
  prisma: PrismaClient,
  ref: ProviderMessageRef,
  detail: Record<string, unknown>,
  origin: ChangeOrigin,
): Promise<string | null> {
  const [row] = await prisma.$queryRaw<Array<{ id: string }>>`
    insert into contact_status_events (contact_id, status, at, detail, actor)
    select id, status, ${origin.at}, ${JSON.stringify(detail)}::jsonb, ${origin.actor}
      from contacts
     where provider_name = any(${ref.providers}::text[])
       and provider_message_id = any(${ref.providerMessageIds}::text[])
       and channel = ${ref.channel}::contact_channel
     order by created_at desc
     limit 1
    returning contact_id::text as id`;
  return row?.id ?? null;
}
