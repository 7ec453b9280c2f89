import type { PrismaClient } from './client.js';
import { Coalescer } from './coalescer.js';
import type { Sql } from './sql.js';

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

/** What a delivery asks for when it takes a contact: whether it is a retry of its job, and its clock. */
export interface TakeRequest {
  /** The job ran before (a retry): a `sending` row may be its own earlier attempt's. */
  isRetry: boolean;
  at: Date;
  /** A `sending` row last touched before this belongs to a dead worker and may be taken over. */
  staleBefore: Date;
}

/** A contact as {@link ContactOutbox.take} found it, and whether this caller now holds it. */
export interface TakenContact {
  contact: DeliverableContact;
  /** Moved to `sending` for this caller: only then may it call the provider. */
  claimed: boolean;
  /** It was `sending` already (a retry, or a dead worker's row): an earlier attempt may have reached the provider. */
  takeOver: boolean;
}

/**
 * Reads contacts with every reason each must not be sent any more and, in the same statement,
 * claims those that may go: `queued → sending`, or a `sending` row taken over (a retry, or one
 * untouched since `staleBefore`), with a `sending` event. The update re-checks the status on the
 * row's latest version, so of two callers only one claims it; a blocked row is not claimed.
 */
async function takeContacts(sql: Sql, requests: Array<{ id: string } & TakeRequest>): Promise<Array<TakenContact | null>> {
  // The same contact twice in one batch (two jobs for it): only the first call may claim it.
  const firstById = new Map<string, (typeof requests)[number]>();
  for (const request of requests) if (!firstById.has(request.id)) firstById.set(request.id, request);
  const first = [...firstById.values()];
  const rows = await sql.query<DeliverableContact & { takeOver: boolean; claimed: boolean }>(
    `
    with found as (
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
             end as "blockedBy",
             c.status = 'sending' and (v.is_retry or c.updated_at < v.stale_before) as "takeOver",
             v.at
        from unnest($1::uuid[], $2::boolean[], $3::timestamptz[], $4::timestamptz[]) as v(id, is_retry, at, stale_before)
        join contacts c on c.id = v.id
        join customers cu on cu.id = c.customer_id
        left join collection_cases cs on cs.customer_id = c.customer_id
    ), claimed as (
      update contacts c set status = 'sending', attempts = c.attempts + 1, updated_at = f.at
        from found f
       where c.id = f.id and f."blockedBy" is null
         and (c.status = 'queued' or (f."takeOver" and c.status = 'sending'))
      returning c.id, f.at
    ), events as (
      insert into contact_status_events (contact_id, status, at, actor)
      select id, 'sending', at, 'system' from claimed
    )
    select f.id, f."customerId", f.channel, f.status, f.recipient, f.subject, f."bodyText", f."bodyHtml",
           f."idempotencyKey", f."createdAt", f."updatedAt", f."blockedBy", f."takeOver",
           exists (select 1 from claimed k where k.id = f.id) as claimed
      from found f`,
    [
      first.map((request) => request.id),
      first.map((request) => request.isRetry),
      first.map((request) => request.at.toISOString()),
      first.map((request) => request.staleBefore.toISOString()),
    ],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  return requests.map((request) => {
    const row = byId.get(request.id);
    if (!row) return null;
    const { takeOver, claimed, ...contact } = row;
    return { contact, takeOver, claimed: claimed && firstById.get(request.id) === request };
  });
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

/** Records what happened to sends: the current status on each row, and an appended event. */
async function recordOutcomes(sql: Sql, outcomes: Array<{ id: string; outcome: ContactOutcome }>): Promise<void[]> {
  // A provider's error text is outside input, and Postgres text and jsonb cannot hold NUL.
  const reasons = outcomes.map(({ outcome }) => outcome.failureReason?.replace(/\u0000/g, '') ?? null);
  const details = outcomes.map(({ outcome }, i) => {
    const detail = {
      ...outcome.detail,
      ...(reasons[i] && { reason: reasons[i] }),
      ...(outcome.providerMessageId && { providerMessageId: outcome.providerMessageId }),
    };
    const withoutNul = (_key: string, value: unknown) => (typeof value === 'string' ? value.replace(/\u0000/g, '') : value);
    return Object.keys(detail).length > 0 ? JSON.stringify(detail, withoutNul) : null;
  });
  await sql.query(
    `with v as (
       select * from unnest($1::uuid[], $2::contact_status[], $3::timestamptz[], $4::text[], $5::text[], $6::text[],
                            $7::failure_kind[], $8::text[], $9::int[])
              as v(id, status, at, provider, provider_message_id, failure_reason, failure_kind, detail, ord)
     ), updated as (
       -- A contact twice in one batch: its last outcome is the row's state, both are events.
       update contacts c
          set status = latest.status,
              provider_name = coalesce(latest.provider, c.provider_name),
              provider_message_id = coalesce(latest.provider_message_id, c.provider_message_id),
              sent_at = case when latest.status = 'sent' then latest.at else c.sent_at end,
              failure_reason = latest.failure_reason,
              failure_kind = latest.failure_kind,
              updated_at = latest.at
         from (select distinct on (id) * from v order by id, ord desc) latest
        where c.id = latest.id
     )
     insert into contact_status_events (contact_id, status, at, detail, actor)
     select id, status, at, detail::jsonb, 'system' from v order by ord`,
    [
      outcomes.map(({ id }) => id),
      outcomes.map(({ outcome }) => outcome.status),
      outcomes.map(({ outcome }) => outcome.at.toISOString()),
      outcomes.map(({ outcome }) => outcome.provider ?? null),
      outcomes.map(({ outcome }) => outcome.providerMessageId ?? null),
      reasons,
      outcomes.map(({ outcome }) => outcome.failureKind ?? null),
      details,
      outcomes.map((_, i) => i),
    ],
  );
  return outcomes.map(() => undefined);
}

/**
 * The delivery jobs' view of the contact log. Each call is one contact, as a job sees it; calls
 * made by concurrent jobs are coalesced into one statement, so a busy worker pays a statement per
 * batch, not per message.
 */
export interface ContactOutbox {
  /**
   * A contact and every reason it must not be sent any more, claimed for this caller in the same
   * statement when it may go (see {@link TakenContact}); null if missing. Only a caller that gets
   * `claimed` may call the provider.
   */
  take(id: string, request: TakeRequest): Promise<TakenContact | null>;
  /** Records what happened to a send: the current status on the row, and an appended event. */
  recordOutcome(id: string, outcome: ContactOutcome): Promise<void>;
}

export function createContactOutbox(sql: Sql): ContactOutbox {
  const taker = new Coalescer((requests: Array<{ id: string } & TakeRequest>) => takeContacts(sql, requests));
  const recorder = new Coalescer((outcomes: Array<{ id: string; outcome: ContactOutcome }>) => recordOutcomes(sql, outcomes));
  return {
    take: (id, request) => taker.run({ id, ...request }),
    recordOutcome: (id, outcome) => recorder.run({ id, outcome }),
  };
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
    `update contact_points set ${column} = $1, updated_at = now() where customer_id = $2::uuid and value = $3`,
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

/** Where a contact went and the provider's id for it (what a bounce report names). */
export async function findContactDelivery(
  sql: Sql,
  contactId: string,
): Promise<{ providerMessageId: string | null; recipient: string | null } | null> {
  const [row] = await sql.query<{ providerMessageId: string | null; recipient: string | null }>(
    `select provider_message_id as "providerMessageId", recipient from contacts where id = $1`,
    [contactId],
  );
  return row ?? null;
}
