import type { ContactChannel, ContactStatus, Prisma, PrismaClient } from './client.js';
import type { Sql } from './sql.js';

/**
 * The contact log (`contacts`, `contact_invoices`, `contact_status_events`): the one insert of
 * contacts, and the log as a collector reads it. Deliveries and provider reports move a contact's
 * status (contacts.repository.ts, consent.repository.ts); nothing else adds a contact.
 */

/** A contact to add to the log: a message for the outbox (`queued`) or one a person or provider logged. */
export interface ContactToRecord {
  customerId: string;
  /** Null: the customer's case, if it has one. */
  caseId: string | null;
  channel: ContactChannel;
  direction?: 'outbound' | 'inbound';
  /** `queued`: the outbox, a delivery job sends it. `logged`: a record of something that happened. */
  status: 'queued' | 'logged';
  policyId?: string | null;
  stepId?: string | null;
  templateId?: string | null;
  locale?: string | null;
  recipient: string | null;
  subject?: string | null;
  text: string | null;
  html?: string | null;
  outcome?: string | null;
  notes?: string | null;
  providerName?: string | null;
  providerMessageId?: string | null;
  actor: string;
  /** Unique: a contact already recorded under this key is left as it is. */
  idempotencyKey: string;
  at: Date;
  /** Invoices it covers, with their open balances as they stand now. */
  invoiceIds?: readonly string[];
}

/**
 * Adds contacts to the log with their first status event and invoice links, in the caller's
 * transaction (set-based: two statements for any number). Returns the ids of those added, by
 * idempotency key; a key already recorded is skipped.
 */
export async function recordContacts(sql: Sql, contacts: readonly ContactToRecord[]): Promise<Map<string, string>> {
  if (contacts.length === 0) return new Map();
  const rows = await sql.query<{ id: string; key: string }>(
    `with inserted as (
       insert into contacts (customer_id, case_id, channel, direction, status, policy_id, step_id, template_id,
                             template_locale, recipient, subject, body_text, body_html, outcome, notes, provider_name,
                             provider_message_id, actor, idempotency_key, created_at, updated_at)
       select v.customer_id, coalesce(v.case_id, cs.id), v.channel, v.direction, v.status, v.policy_id, v.step_id,
              v.template_id, v.locale, v.recipient, v.subject, v.body_text, v.body_html, v.outcome, v.notes,
              v.provider_name, v.provider_message_id, v.actor, v.key, v.at,
              case when v.status = 'queued' then now() else v.at end
         from unnest($1::uuid[], $2::uuid[], $3::contact_channel[], $4::contact_direction[], $5::contact_status[],
                     $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
                     $14::call_outcome[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[],
                     $20::timestamptz[])
              as v(customer_id, case_id, channel, direction, status, policy_id, step_id, template_id, locale,
                   recipient, subject, body_text, body_html, outcome, notes, provider_name, provider_message_id,
                   actor, key, at)
         left join collection_cases cs on v.case_id is null and cs.customer_id = v.customer_id
       on conflict (idempotency_key) do nothing
       returning id, status, actor, idempotency_key, created_at
     ), events as (
       insert into contact_status_events (contact_id, status, at, actor)
       select id, status, created_at, actor from inserted
     )
     select id::text, idempotency_key as key from inserted`,
    [
      contacts.map((c) => c.customerId),
      contacts.map((c) => c.caseId),
      contacts.map((c) => c.channel),
      contacts.map((c) => c.direction ?? 'outbound'),
      contacts.map((c) => c.status),
      contacts.map((c) => c.policyId ?? null),
      contacts.map((c) => c.stepId ?? null),
      contacts.map((c) => c.templateId ?? null),
      contacts.map((c) => c.locale ?? null),
      contacts.map((c) => c.recipient),
      contacts.map((c) => c.subject ?? null),
      contacts.map((c) => c.text),
      contacts.map((c) => c.html ?? null),
      contacts.map((c) => c.outcome ?? null),
      contacts.map((c) => c.notes ?? null),
      contacts.map((c) => c.providerName ?? null),
      contacts.map((c) => c.providerMessageId ?? null),
      contacts.map((c) => c.actor),
      contacts.map((c) => c.idempotencyKey),
      contacts.map((c) => c.at.toISOString()),
    ],
  );
  const ids = new Map(rows.map((row) => [row.key, row.id]));
  const links = contacts.flatMap((c) =>
    ids.has(c.idempotencyKey) ? (c.invoiceIds ?? []).map((invoiceId) => ({ contactId: ids.get(c.idempotencyKey)!, invoiceId })) : [],
  );
  if (links.length > 0) {
    await sql.query(
      `insert into contact_invoices (contact_id, invoice_id, open_balance_minor)
       select v.contact_id, i.id, i.open_balance_minor
         from unnest($1::uuid[], $2::uuid[]) as v(contact_id, invoice_id)
         join invoices i on i.id = v.invoice_id`,
      [links.map((l) => l.contactId), links.map((l) => l.invoiceId)],
    );
  }
  return ids;
}

/** The contact recorded under an idempotency key, if any. */
export async function findContactIdByKey(sql: Sql, idempotencyKey: string): Promise<string | null> {
  const [row] = await sql.query<{ id: string }>(`select id::text from contacts where idempotency_key = $1`, [idempotencyKey]);
  return row?.id ?? null;
}

export interface ContactLogFilter {
  customerExternalId?: string;
  customerId?: string;
  channel?: ContactChannel;
  status?: ContactStatus;
  /** Inclusive lower bound on `created_at`. */
  from?: Date;
  /** Exclusive upper bound on `created_at`. */
  to?: Date;
  actor?: string;
}

/** Position after the last row of a page: newest first, ties by id. */
export interface ContactLogCursor {
  createdAt: Date;
  id: string;
}

export interface ContactLogEntry {
  id: string;
  customerId: string;
  customerExternalId: string;
  customerName: string;
  channel: ContactChannel;
  direction: string;
  status: ContactStatus;
  actor: string;
  recipient: string | null;
  subject: string | null;
  bodyText: string | null;
  templateId: string | null;
  stepId: string | null;
  outcome: string | null;
  notes: string | null;
  failureReason: string | null;
  createdAt: Date;
  sentAt: Date | null;
  invoiceNumbers: string[];
  history: Array<{ status: ContactStatus; at: Date; actor: string }>;
}

function where(filter: ContactLogFilter, cursor: ContactLogCursor | null): Prisma.ContactWhereInput {
  const and: Prisma.ContactWhereInput[] = [];
  if (filter.customerExternalId) and.push({ customer: { externalId: filter.customerExternalId } });
  if (filter.customerId) and.push({ customerId: filter.customerId });
  if (filter.channel) and.push({ channel: filter.channel });
  if (filter.status) and.push({ status: filter.status });
  if (filter.actor) and.push({ actor: filter.actor });
  if (filter.from) and.push({ createdAt: { gte: filter.from } });
  if (filter.to) and.push({ createdAt: { lt: filter.to } });
  if (cursor) and.push({ OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] });
  return { AND: and };
}

/** One page of the contact log, newest first, with each contact's invoices and status history. */
export async function findContactLog(
  prisma: PrismaClient,
  filter: ContactLogFilter,
  page: { limit: number; cursor: ContactLogCursor | null },
): Promise<{ entries: ContactLogEntry[]; next: ContactLogCursor | null }> {
  const rows = await prisma.contact.findMany({
    where: where(filter, page.cursor),
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: page.limit + 1,
    include: {
      customer: { select: { externalId: true, name: true } },
      invoices: { select: { invoice: { select: { number: true } } } },
      statusEvents: { select: { status: true, at: true, actor: true }, orderBy: { at: 'asc' } },
    },
  });
  const entries = rows.slice(0, page.limit).map((row) => ({
    id: row.id,
    customerId: row.customerId,
    customerExternalId: row.customer.externalId,
    customerName: row.customer.name,
    channel: row.channel,
    direction: row.direction,
    status: row.status,
    actor: row.actor,
    recipient: row.recipient,
    subject: row.subject,
    bodyText: row.bodyText,
    templateId: row.templateId,
    stepId: row.stepId,
    outcome: row.outcome,
    notes: row.notes,
    failureReason: row.failureReason,
    createdAt: row.createdAt,
    sentAt: row.sentAt,
    invoiceNumbers: row.invoices.map((i) => i.invoice.number).sort(),
    history: row.statusEvents,
  }));
  const last = entries.at(-1);
  return { entries, next: rows.length > page.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}
