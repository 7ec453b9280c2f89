import type { PrismaClient } from './client.js';

/**
 * Consent and delivery-status changes that arrive from outside (webhooks, unsubscribe links).
 * Each write is one statement (data-modifying CTEs): the change and its audit event or contact
 * status event commit together, and a repeated request changes nothing.
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
    select distinct customer_id::text as id from customer_contacts where kind = 'phone' and value = ${phone}`;
  return rows.map((row) => row.id);
}

/** Sets `sms_opted_out_at` on every customer with this number not yet opted out; returns those changed. */
export async function revokeSmsConsentByPhone(prisma: PrismaClient, phone: string, origin: ChangeOrigin): Promise<string[]> {
  const after = JSON.stringify({ smsOptedOutAt: origin.at.toISOString() });
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    with changed as (
      update customers c set sms_opted_out_at = ${origin.at}, updated_at = ${origin.at}
       where c.sms_opted_out_at is null
         and exists (select 1 from customer_contacts p where p.customer_id = c.id and p.kind = 'phone' and p.value = ${phone})
      returning c.id
    ), audit as (
      insert into audit_events (entity_type, entity_id, action, actor, reason, before, after, at)
      select 'customer', id::text, 'sms_consent.revoked', ${origin.actor}, ${origin.reason},
             '{"smsOptedOutAt":null}'::jsonb, ${after}::jsonb, ${origin.at}
        from changed
    )
    select id::text as id from changed`;
  return rows.map((row) => row.id);
}

/**
 * Records consent (and clears an opt-out) on every customer with this number that was opted out
 * or had no consent; returns those changed.
 */
export async function restoreSmsConsentByPhone(prisma: PrismaClient, phone: string, origin: ChangeOrigin): Promise<string[]> {
  const after = JSON.stringify({ smsConsent: true, smsOptedOutAt: null });
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    with target as (
      select c.id, c.sms_consent, c.sms_opted_out_at from customers c
       where (c.sms_opted_out_at is not null or not c.sms_consent)
         and exists (select 1 from customer_contacts p where p.customer_id = c.id and p.kind = 'phone' and p.value = ${phone})
         for update
    ), changed as (
      update customers c set sms_consent = true, sms_consent_at = ${origin.at}, sms_opted_out_at = null, updated_at = ${origin.at}
        from target t
       where c.id = t.id
      returning c.id, t.sms_consent as before_consent, t.sms_opted_out_at as before_opted_out
    ), audit as (
      insert into audit_events (entity_type, entity_id, action, actor, reason, before, after, at)
      select 'customer', id::text, 'sms_consent.restored', ${origin.actor}, ${origin.reason},
             jsonb_build_object('smsConsent', before_consent, 'smsOptedOutAt', before_opted_out), ${after}::jsonb, ${origin.at}
        from changed
    )
    select id::text as id from changed`;
  return rows.map((row) => row.id);
}

/** Sets `email_opted_out_at` once. `unknown` when no such customer exists. */
export async function optOutOfEmailById(
  prisma: PrismaClient,
  customerId: string,
  origin: ChangeOrigin,
): Promise<'opted-out' | 'already' | 'unknown'> {
  const after = JSON.stringify({ emailOptedOutAt: origin.at.toISOString() });
  const [row] = await prisma.$queryRaw<Array<{ found: boolean; changed: boolean }>>`
    with changed as (
      update customers set email_opted_out_at = ${origin.at}, updated_at = ${origin.at}
       where id = ${customerId}::uuid and email_opted_out_at is null
      returning id
    ), audit as (
      insert into audit_events (entity_type, entity_id, action, actor, reason, before, after, at)
      select 'customer', id::text, 'email.opted_out', ${origin.actor}, ${origin.reason},
             '{"emailOptedOutAt":null}'::jsonb, ${after}::jsonb, ${origin.at}
        from changed
    )
    select exists (select 1 from customers where id = ${customerId}::uuid) as found,
           exists (select 1 from changed) as changed`;
  if (!row?.found) return 'unknown';
  return row.changed ? 'opted-out' : 'already';
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
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    with inserted as (
      insert into contacts (customer_id, case_id, channel, direction, recipient, body_text, provider_name,
                            provider_message_id, status, actor, idempotency_key, created_at, updated_at)
      select cu.id, cs.id, 'sms', 'inbound', ${message.from}, ${message.body}, ${message.provider},
             ${message.providerMessageId}, 'logged', ${origin.actor}, ${keyPrefix} || cu.id::text, ${origin.at}, ${origin.at}
        from customers cu left join collection_cases cs on cs.customer_id = cu.id
       where cu.id = any(${message.customerIds}::uuid[])
      on conflict (idempotency_key) do nothing
      returning id
    ), events as (
      insert into contact_status_events (contact_id, status, at, actor)
      select id, 'logged', ${origin.at}, ${origin.actor} from inserted
    )
    select id::text as id from inserted`;
  return rows.length;
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
 * Marks an email address bounced (`customer_contacts.bounced_at`) for every customer using it,
 * with an audit event each; returns how many contact points changed.
 */
export async function markEmailAddressBounced(prisma: PrismaClient, address: string, origin: ChangeOrigin): Promise<number> {
  const after = JSON.stringify({ bouncedAt: origin.at.toISOString() });
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    with changed as (
      update customer_contacts set bounced_at = ${origin.at}, updated_at = ${origin.at}
       where kind = 'email' and lower(value) = lower(${address}) and bounced_at is null
      returning id, customer_id
    ), audit as (
      insert into audit_events (entity_type, entity_id, action, actor, reason, before, after, at)
      select 'customer_contact', id::text, 'email.bounced', ${origin.actor}, ${origin.reason},
             '{"bouncedAt":null}'::jsonb, ${after}::jsonb, ${origin.at}
        from changed
    )
    select id::text as id from changed`;
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
  await prisma.$executeRaw`
    insert into audit_events (entity_type, entity_id, action, actor, reason, after, at)
    values ('customer', ${customerId}, ${action}, ${origin.actor}, ${origin.reason},
            ${after && JSON.stringify(after)}::jsonb, ${origin.at})`;
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
