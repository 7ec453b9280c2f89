import type { ContactChannel, ContactStatus, PrismaClient } from './client.js';
import type { Sql } from './sql.js';

/**
 * The contact log (`contacts`, `contact_invoices`, `contact_interest_claims`, `contact_status_events`): the one insert of
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
  /** The late-payment claim the message states, per invoice (a policy step with `interest: true`). */
  interestClaims?: readonly ContactInterestClaim[];
}

/** One invoice's late-payment claim as a message stated it, kept with the contact for the case file. */
export interface ContactInterestClaim {
  invoiceId: string;
  /** The day the interest was counted to (the customer's local date when the message was decided). */
  asOf: string;
  currency: string;
  principalMinor: bigint;
  daysLate: number;
  /** `uk-late-payment`, …, or `contract`. */
  rule: string;
  /** The rates applied, as the message shows them ("12.25%, 11.15%"). */
  rates: string;
  interestMinor: bigint;
  compensationMinor: bigint;
  /** The statute cited, or null for a contractual rate. */
  legalBasis: string | null;
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
  const claims = contacts.flatMap((c) =>
    ids.has(c.idempotencyKey) ? (c.interestClaims ?? []).map((claim) => ({ contactId: ids.get(c.idempotencyKey)!, ...claim })) : [],
  );
  if (claims.length > 0) {
    await sql.query(
      `insert into contact_interest_claims (contact_id, invoice_id, as_of, currency, principal_minor, days_late, rule, rates,
                                            interest_minor, compensation_minor, legal_basis)
       select * from unnest($1::uuid[], $2::uuid[], $3::date[], $4::char(3)[], $5::bigint[], $6::int[], $7::text[], $8::text[],
                            $9::bigint[], $10::bigint[], $11::text[])`,
      [
        claims.map((c) => c.contactId),
        claims.map((c) => c.invoiceId),
        claims.map((c) => c.asOf),
        claims.map((c) => c.currency),
        claims.map((c) => c.principalMinor.toString()),
        claims.map((c) => c.daysLate),
        claims.map((c) => c.rule),
        claims.map((c) => c.rates),
        claims.map((c) => c.interestMinor.toString()),
        claims.map((c) => c.compensationMinor.toString()),
        claims.map((c) => c.legalBasis),
      ],
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

interface ContactLogRow {
  id: string;
  customer_id: string;
  customer_external_id: string;
  customer_name: string;
  channel: ContactChannel;
  direction: string;
  status: ContactStatus;
  actor: string;
  recipient: string | null;
  subject: string | null;
  body_text: string | null;
  template_id: string | null;
  step_id: string | null;
  outcome: string | null;
  notes: string | null;
  failure_reason: string | null;
  created_at: string;
  sent_at: string | null;
  invoice_numbers: string[];
  history: Array<{ status: ContactStatus; at: string; actor: string }>;
}

/**
 * One page of the contact log, newest first (ties by id), with each contact's invoices and
 * status history. Keyset-paged: the next page starts after the last row, `(created_at, id) <
 * cursor`, a bound on `contacts_created_at_id_idx` (or on the customer's, the actor's or the
 * status's index when filtered), so page 1,000 costs what page 1 costs and nothing counts the log.
 */
export async function findContactLog(
  prisma: PrismaClient,
  filter: ContactLogFilter,
  page: { limit: number; cursor: ContactLogCursor | null },
): Promise<{ entries: ContactLogEntry[]; next: ContactLogCursor | null }> {
  const values: unknown[] = [];
  const param = (value: unknown, type: string) => {
    values.push(value);
    return `$${values.length}::${type}`;
  };
  const and: string[] = [];
  if (filter.customerExternalId)
    and.push(`c.customer_id = (select id from customers where external_id = ${param(filter.customerExternalId, 'text')})`);
  if (filter.customerId) and.push(`c.customer_id = ${param(filter.customerId, 'uuid')}`);
  if (filter.channel) and.push(`c.channel = ${param(filter.channel, 'contact_channel')}`);
  if (filter.status) and.push(`c.status = ${param(filter.status, 'contact_status')}`);
  if (filter.actor) and.push(`c.actor = ${param(filter.actor, 'text')}`);
  if (filter.from) and.push(`c.created_at >= ${param(filter.from.toISOString(), 'timestamptz')}`);
  if (filter.to) and.push(`c.created_at < ${param(filter.to.toISOString(), 'timestamptz')}`);
  if (page.cursor)
    and.push(`(c.created_at, c.id) < (${param(page.cursor.createdAt.toISOString(), 'timestamptz')}, ${param(page.cursor.id, 'uuid')})`);
  const limit = param(page.limit + 1, 'int');
  const rows = await prisma.$queryRawUnsafe<ContactLogRow[]>(
    `select c.id::text, c.customer_id::text, cu.external_id as customer_external_id, cu.name as customer_name,
            c.channel::text as channel, c.direction::text as direction, c.status::text as status, c.actor, c.recipient,
            c.subject, c.body_text, c.template_id, c.step_id, c.outcome::text as outcome, c.notes, c.failure_reason,
            to_json(c.created_at)#>>'{}' as created_at, to_json(c.sent_at)#>>'{}' as sent_at,
            array(select i.number from contact_invoices ci join invoices i on i.id = ci.invoice_id
                   where ci.contact_id = c.id order by i.number) as invoice_numbers,
            coalesce((select json_agg(json_build_object('status', e.status, 'at', e.at, 'actor', e.actor) order by e.at)
                        from contact_status_events e where e.contact_id = c.id), '[]') as history
       from (select * from contacts c
              ${and.length > 0 ? `where ${and.join(' and ')}` : ''}
              order by c.created_at desc, c.id desc
              limit ${limit}) c
       join customers cu on cu.id = c.customer_id
      order by c.created_at desc, c.id desc`,
    ...values,
  );
  const entries: ContactLogEntry[] = rows.slice(0, page.limit).map((row) => ({
    id: row.id,
    customerId: row.customer_id,
    customerExternalId: row.customer_external_id,
    customerName: row.customer_name,
    channel: row.channel,
    direction: row.direction,
    status: row.status,
    actor: row.actor,
    recipient: row.recipient,
    subject: row.subject,
    bodyText: row.body_text,
    templateId: row.template_id,
    stepId: row.step_id,
    outcome: row.outcome,
    notes: row.notes,
    failureReason: row.failure_reason,
    createdAt: new Date(row.created_at),
    sentAt: row.sent_at === null ? null : new Date(row.sent_at),
    invoiceNumbers: row.invoice_numbers,
    history: row.history.map((h) => ({ status: h.status, at: new Date(h.at), actor: h.actor })),
  }));
  const last = entries.at(-1);
  return { entries, next: rows.length > page.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}
