import type { PrismaClient } from './client.js';

/** A contact as the delivery job sees it, with what could stop it at the last moment. */
export interface DeliverableContact {
  id: string;
  customerId: string;
  channel: string;
  status: string;
  recipient: string | null;
  subject: string | null;
  bodyText: string | null;
  bodyHtml: string | null;
  idempotencyKey: string;
  createdAt: Date;
  updatedAt: Date;
  /** Why it must not go out now, or null when it may. */
  blockedBy: string | null;
}

/** Statuses after which a delivery never runs again. */
export const FINAL_STATUSES = ['sent', 'delivered', 'failed', 'bounced', 'undelivered', 'cancelled'] as const;

/** Reads a contact and, in the same query, every reason it must not be sent any more. */
export async function findDeliverableContact(prisma: PrismaClient, id: string): Promise<DeliverableContact | null> {
  const rows = await prisma.$queryRaw<DeliverableContact[]>`
    select c.id, c.customer_id as "customerId", c.channel::text, c.status::text, c.recipient, c.subject,
           c.body_text as "bodyText", c.body_html as "bodyHtml", c.idempotency_key as "idempotencyKey",
           c.created_at as "createdAt", c.updated_at as "updatedAt",
           case
             -- The notice decided together with an automatic legal hold (same step, same instant)
             -- is the customer's notice of the handover: it still goes.
             when exists (select 1 from legal_holds h where h.customer_id = c.customer_id and h.released_at is null
                            and not (h.placed_by = 'system' and h.placed_at = c.created_at))
               then 'legal hold'
             when exists (select 1 from bankruptcy_filings b where b.customer_id = c.customer_id
                          and b.discharged_at is null and b.dismissed_at is null)
               then 'bankruptcy filing'
             when cu.do_not_contact then 'do not contact'
             when cs.state = 'paused' and cs.pause_reason = 'manual' then 'case paused'
             when c.channel = 'email' and cu.email_opted_out_at is not null then 'email opt-out'
             when c.channel = 'sms' and (cu.sms_opted_out_at is not null or not cu.sms_consent) then 'no SMS consent'
             when not exists (
               select 1 from contact_invoices ci join invoices i on i.id = ci.invoice_id
                where ci.contact_id = c.id and i.status = 'open' and i.open_balance_minor > 0
                  and not exists (select 1 from disputes d where d.invoice_id = i.id and d.resolved_at is null))
               then 'invoices paid or disputed'
             else null
           end as "blockedBy"
      from contacts c
      join customers cu on cu.id = c.customer_id
      left join collection_cases cs on cs.customer_id = c.customer_id
     where c.id = ${id}::uuid`;
  return rows[0] ?? null;
}

/**
 * Moves a contact from `queued` to `sending`, or takes over a `sending` one when `takeOver` is
 * true (a retry of the same job, or a row left `sending` by a crashed worker). Only the caller
 * whose update matched may call the provider.
 */
export async function claimContact(prisma: PrismaClient, id: string, takeOver: boolean, at: Date): Promise<boolean> {
  const claimed = await prisma.$executeRaw`
    update contacts set status = 'sending', attempts = attempts + 1, updated_at = ${at}
     where id = ${id}::uuid and (status = 'queued' or (${takeOver} and status = 'sending'))`;
  if (claimed === 1) await eventStatement(prisma, id, 'sending', at, null);
  return claimed === 1;
}

export interface ContactOutcome {
  status: 'sent' | 'failed' | 'cancelled' | 'queued';
  at: Date;
  provider?: string;
  providerMessageId?: string;
  failureReason?: string;
  failureKind?: 'permanent' | 'transient';
  detail?: Record<string, unknown>;
}

/** Records what happened to a send: the current status on the row, and an appended event. */
export async function recordOutcome(prisma: PrismaClient, id: string, outcome: ContactOutcome): Promise<void> {
  await prisma.$transaction([
    prisma.$executeRaw`
      update contacts
         set status = ${outcome.status}::contact_status,
             provider_name = coalesce(${outcome.provider ?? null}, provider_name),
             provider_message_id = coalesce(${outcome.providerMessageId ?? null}, provider_message_id),
             sent_at = case when ${outcome.status} = 'sent' then ${outcome.at} else sent_at end,
             failure_reason = ${outcome.failureReason ?? null},
             failure_kind = ${outcome.failureKind ?? null}::failure_kind,
             updated_at = ${outcome.at}
       where id = ${id}::uuid`,
    eventStatement(prisma, id, outcome.status, outcome.at, {
      ...outcome.detail,
      ...(outcome.failureReason && { reason: outcome.failureReason }),
      ...(outcome.providerMessageId && { providerMessageId: outcome.providerMessageId }),
    }),
  ]);
}

function eventStatement(prisma: PrismaClient, id: string, status: string, at: Date, detail: object | null) {
  const json = detail && Object.keys(detail).length > 0 ? JSON.stringify(detail) : null;
  return prisma.$executeRaw`
    insert into contact_status_events (contact_id, status, at, detail, actor)
    values (${id}::uuid, ${status}::contact_status, ${at}, ${json}::jsonb, 'system')`;
}

/** The provider refused the recipient for good: remember it so no channel tries it again. */
export async function markRecipientUnreachable(
  prisma: PrismaClient,
  customerId: string,
  channel: 'email' | 'sms',
  recipient: string,
  optedOut: boolean,
  at: Date,
): Promise<void> {
  if (channel === 'sms' && optedOut) {
    await prisma.$executeRaw`update customers set sms_opted_out_at = ${at}, updated_at = now() where id = ${customerId}::uuid`;
    return;
  }
  const column = channel === 'email' ? 'bounced_at' : 'invalid_at';
  await prisma.$executeRawUnsafe(
    `update customer_contacts set ${column} = $1, updated_at = now() where customer_id = $2::uuid and value = $3`,
    at,
    customerId,
    recipient,
  );
}

/**
 * Contacts a delivery job should exist for: `queued` ones, and `sending` ones untouched for
 * `staleAfterMs` (their worker died mid-send). The tick re-enqueues them, so a wiped Redis or a
 * killed worker loses nothing.
 */
export async function findUndelivered(
  prisma: PrismaClient,
  now: Date,
  staleAfterMs: number,
  limit: number,
): Promise<Array<{ id: string; channel: 'email' | 'sms'; idempotencyKey: string }>> {
  const staleBefore = new Date(now.getTime() - staleAfterMs);
  return prisma.$queryRaw`
    select id, channel::text as channel, idempotency_key as "idempotencyKey"
      from contacts
     where direction = 'outbound' and channel in ('email', 'sms')
       and (status = 'queued' or (status = 'sending' and updated_at < ${staleBefore}))
     order by created_at
     limit ${limit}`;
}
