import type { ContactChannel, ReplyClassification, ReplyMatch } from './client.js';
import type { Sql } from './sql.js';

/**
 * Replies (`replies`, `reply_attachments`, `reply_suggestions`): what customers sent us, stored
 * before anything is done about it. The one writer of these tables; the inbound contact a matched
 * reply becomes is added through `recordContacts` like every other contact.
 */

/** The outbound contacts recorded under these idempotency keys (our Message-IDs' left parts). */
export async function findContactsByKeys(
  sql: Sql,
  keys: readonly string[],
): Promise<Array<{ id: string; customerId: string; idempotencyKey: string }>> {
  if (keys.length === 0) return [];
  return sql.query(
    `select id::text, customer_id::text as "customerId", idempotency_key as "idempotencyKey"
       from contacts where idempotency_key = any($1::text[]) and direction = 'outbound'`,
    [[...keys]],
  );
}

/** Customers with this email address among their contact points (case-insensitive). */
export async function customersWithEmail(sql: Sql, address: string): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(
    `select distinct customer_id::text as id from contact_points where kind = 'email' and lower(value) = lower($1) order by 1`,
    [address],
  );
  return rows.map((row) => row.id);
}

/** Customers with this phone number (E.164, as Twilio sends `From`) among their contact points. */
export async function customersWithPhone(sql: Sql, phone: string): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(
    `select distinct customer_id::text as id from contact_points where kind = 'phone' and value = $1 order by 1`,
    [phone],
  );
  return rows.map((row) => row.id);
}

/** The last SMS we sent this customer at this number (the one an SMS reply answers), or null. */
export async function lastSmsTo(sql: Sql, customerId: string, phone: string, before: Date): Promise<string | null> {
  const [row] = await sql.query<{ id: string }>(
    `select id::text from contacts
      where customer_id = $1::uuid and channel = 'sms' and direction = 'outbound' and recipient = $2 and created_at <= $3::timestamptz
      order by created_at desc limit 1`,
    [customerId, phone, before.toISOString()],
  );
  return row?.id ?? null;
}

/** What the classifier and the actions need to know about a customer. */
export interface ReplyCustomer {
  id: string;
  externalId: string;
  timeZone: string;
  currency: string;
  holidayCalendar: string | null;
  openInvoices: Array<{ id: string; number: string }>;
}

export async function findReplyCustomer(sql: Sql, customerId: string): Promise<ReplyCustomer | null> {
  const [row] = await sql.query<Omit<ReplyCustomer, 'openInvoices'> & { openInvoices: Array<{ id: string; number: string }> | null }>(
    `select c.id::text, c.external_id as "externalId", c.time_zone as "timeZone", c.currency, c.holiday_calendar as "holidayCalendar",
            (select json_agg(json_build_object('id', i.id, 'number', i.number) order by i.number)
               from invoices i where i.customer_id = c.id and i.status = 'open' and i.open_balance_minor > 0) as "openInvoices"
       from customers c where c.id = $1::uuid`,
    [customerId],
  );
  return row ? { ...row, openInvoices: row.openInvoices ?? [] } : null;
}

/** A reply to store. */
export interface ReplyToStore {
  channel: Extract<ContactChannel, 'email' | 'sms'>;
  source: string;
  sourceRef: string | null;
  dedupeKey: string;
  messageId: string | null;
  rawSha256: string;
  sender: string | null;
  subject: string | null;
  bodyText: string;
  bodyHtml: string | null;
  raw: Buffer | null;
  rawBytes: number;
  rawOmitted: string | null;
  parseError: string | null;
  customerId: string | null;
  contactId: string | null;
  answersContactId: string | null;
  matchedBy: ReplyMatch | null;
  classification: ReplyClassification;
  rule: string;
  reason: string;
  fromPerson: boolean;
  promisedOn: string | null;
  promisedAmountMinor: number | null;
  promisedCurrency: string | null;
  returnsOn: string | null;
  invoiceNumbers: readonly string[];
  pausedThrough: string | null;
  cashApplication: boolean;
  /** The actions decided on; recorded with the reply, before any is taken. */
  actions: readonly string[];
  receivedAt: Date;
}

/** A stored reply, as the services read it back. */
export interface StoredReply {
  id: string;
  channel: ContactChannel;
  source: string;
  dedupeKey: string;
  messageId: string | null;
  bodyHtml: string | null;
  customerId: string | null;
  contactId: string | null;
  answersContactId: string | null;
  sender: string | null;
  subject: string | null;
  bodyText: string;
  classification: ReplyClassification;
  rule: string;
  reason: string;
  fromPerson: boolean;
  promisedOn: string | null;
  promisedAmountMinor: string | null;
  promisedCurrency: string | null;
  returnsOn: string | null;
  invoiceNumbers: string[];
  pausedThrough: string | null;
  actions: string[];
  actedAt: Date | null;
  handledAt: Date | null;
  receivedAt: Date;
}

const STORED_COLUMNS = `id::text, channel, source, dedupe_key as "dedupeKey", message_id as "messageId", body_html as "bodyHtml", customer_id::text as "customerId", contact_id::text as "contactId",
  answers_contact_id::text as "answersContactId", sender, subject, body_text as "bodyText", classification, rule, reason,
  from_person as "fromPerson", promised_date::text as "promisedOn", promised_amount_minor::text as "promisedAmountMinor",
  promised_currency as "promisedCurrency", returns_date::text as "returnsOn",
  coalesce(invoice_numbers, '{}') as "invoiceNumbers", paused_through::text as "pausedThrough", coalesce(actions, '{}') as actions,
  acted_at as "actedAt", handled_at as "handledAt", received_at as "receivedAt"`;

/**
 * Stores a reply once per `dedupeKey`: `inserted` false (and the reply already stored) when the
 * same message was received before.
 */
export async function insertReply(sql: Sql, reply: ReplyToStore): Promise<{ inserted: boolean; reply: StoredReply }> {
  const [row] = await sql.query<StoredReply>(
    `insert into replies (channel, source, source_ref, dedupe_key, message_id, raw_sha256, sender, subject, body_text, body_html,
                          raw, raw_bytes, raw_omitted, parse_error, customer_id, contact_id, answers_contact_id, matched_by,
                          classification, rule, reason, from_person, promised_date, promised_amount_minor, promised_currency,
                          returns_date, invoice_numbers, paused_through, cash_application, actions, received_at)
     values ($1::contact_channel, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::uuid, $16::uuid, $17::uuid,
             $18::reply_match, $19::reply_classification, $20, $21, $22, $23::date, $24::bigint, $25, $26::date, $27::text[],
             $28::date, $29, $30::text[], $31::timestamptz)
     on conflict (dedupe_key) do nothing
     returning ${STORED_COLUMNS}`,
    [
      reply.channel,
      reply.source,
      reply.sourceRef,
      reply.dedupeKey,
      reply.messageId,
      reply.rawSha256,
      reply.sender,
      reply.subject,
      reply.bodyText,
      reply.bodyHtml,
      reply.raw,
      reply.rawBytes,
      reply.rawOmitted,
      reply.parseError,
      reply.customerId,
      reply.contactId,
      reply.answersContactId,
      reply.matchedBy,
      reply.classification,
      reply.rule,
      reply.reason,
      reply.fromPerson,
      reply.promisedOn,
      reply.promisedAmountMinor === null ? null : String(reply.promisedAmountMinor),
      reply.promisedCurrency,
      reply.returnsOn,
      [...reply.invoiceNumbers],
      reply.pausedThrough,
      reply.cashApplication,
      [...reply.actions],
      reply.receivedAt.toISOString(),
    ],
  );
  if (row) return { inserted: true, reply: row };
  const existing = await findReplyByDedupeKey(sql, reply.dedupeKey);
  if (!existing) throw new Error(`reply ${reply.dedupeKey} conflicted but cannot be read`);
  return { inserted: false, reply: existing };
}

export async function findReplyByDedupeKey(sql: Sql, dedupeKey: string): Promise<StoredReply | null> {
  const [row] = await sql.query<StoredReply>(`select ${STORED_COLUMNS} from replies where dedupe_key = $1`, [dedupeKey]);
  return row ?? null;
}

/** The reply, locked for the caller's transaction. */
export async function lockReply(sql: Sql, replyId: string): Promise<StoredReply | null> {
  const [row] = await sql.query<StoredReply>(`select ${STORED_COLUMNS} from replies where id = $1::uuid for update`, [replyId]);
  return row ?? null;
}

export async function findReply(sql: Sql, replyId: string): Promise<StoredReply | null> {
  const [row] = await sql.query<StoredReply>(`select ${STORED_COLUMNS} from replies where id = $1::uuid`, [replyId]);
  return row ?? null;
}

/** An attachment to keep with a reply; `content` null when it was not kept (`omitted` says why). */
export interface AttachmentToStore {
  filename: string | null;
  contentType: string;
  size: number;
  sha256: string;
  content: Buffer | null;
  omitted: string | null;
}

export async function insertAttachments(sql: Sql, replyId: string, attachments: readonly AttachmentToStore[]): Promise<void> {
  for (const a of attachments) {
    await sql.query(
      `insert into reply_attachments (reply_id, filename, content_type, size, sha256, content, omitted)
       values ($1::uuid, $2, $3, $4, $5, $6, $7)`,
      [replyId, a.filename, a.contentType, a.size, a.sha256, a.content, a.omitted],
    );
  }
}

/** A suggested promise or dispute drawn from a reply. */
export interface SuggestionToStore {
  replyId: string;
  customerId: string;
  kind: 'promise' | 'dispute';
  promisedOn: string | null;
  amountMinor: number | null;
  currency: string | null;
  invoiceIds: readonly string[];
}

export async function insertSuggestion(sql: Sql, suggestion: SuggestionToStore): Promise<string | null> {
  const [row] = await sql.query<{ id: string }>(
    `insert into reply_suggestions (reply_id, customer_id, kind, promised_date, amount_minor, currency, invoice_ids)
     values ($1::uuid, $2::uuid, $3::suggestion_kind, $4::date, $5::bigint, $6, $7::uuid[])
     on conflict (reply_id, kind) do nothing
     returning id::text`,
    [
      suggestion.replyId,
      suggestion.customerId,
      suggestion.kind,
      suggestion.promisedOn,
      suggestion.amountMinor === null ? null : String(suggestion.amountMinor),
      suggestion.currency,
      [...suggestion.invoiceIds],
    ],
  );
  return row?.id ?? null;
}

/** A suggestion, as its confirmation reads it. */
export interface StoredSuggestion {
  id: string;
  replyId: string;
  customerId: string;
  customerExternalId: string;
  contactId: string | null;
  /** The channel the reply came by. */
  channel: 'email' | 'sms';
  kind: 'promise' | 'dispute';
  status: 'open' | 'confirmed' | 'dismissed';
  promisedOn: string | null;
  amountMinor: string | null;
  currency: string | null;
  invoiceIds: string[];
}

/** The suggestion, locked for the caller's transaction. */
export async function lockSuggestion(sql: Sql, suggestionId: string): Promise<StoredSuggestion | null> {
  const [row] = await sql.query<StoredSuggestion>(
    `select s.id::text, s.reply_id::text as "replyId", s.customer_id::text as "customerId", c.external_id as "customerExternalId",
            r.contact_id::text as "contactId", r.channel, s.kind, s.status, s.promised_date::text as "promisedOn",
            s.amount_minor::text as "amountMinor", s.currency, coalesce(s.invoice_ids::text[], '{}') as "invoiceIds"
       from reply_suggestions s join customers c on c.id = s.customer_id join replies r on r.id = s.reply_id
      where s.id = $1::uuid
        for update of s`,
    [suggestionId],
  );
  return row ?? null;
}

/** Confirms or dismisses an open suggestion; false when it was no longer open. */
export async function decideSuggestion(
  sql: Sql,
  suggestionId: string,
  decision: { status: 'confirmed' | 'dismissed'; by: string; at: Date; resultIds: readonly string[] },
): Promise<boolean> {
  const rows = await sql.query(
    `update reply_suggestions set status = $2::suggestion_status, decided_by = $3, decided_at = $4::timestamptz, result_ids = $5::text[]
      where id = $1::uuid and status = 'open' returning id`,
    [suggestionId, decision.status, decision.by, decision.at.toISOString(), [...decision.resultIds]],
  );
  return rows.length > 0;
}

/** Opens a confirmed suggestion again: the promise or dispute it was to become could not be made. */
export async function reopenSuggestion(sql: Sql, suggestionId: string): Promise<void> {
  await sql.query(
    `update reply_suggestions set status = 'open', decided_by = null, decided_at = null, result_ids = '{}' where id = $1::uuid`,
    [suggestionId],
  );
}

/** Sets what a confirmed suggestion became (the promise or disputes made). */
export async function setSuggestionResults(sql: Sql, suggestionId: string, resultIds: readonly string[]): Promise<void> {
  await sql.query(`update reply_suggestions set result_ids = $2::text[] where id = $1::uuid`, [suggestionId, [...resultIds]]);
}

/** The customer's open balance in a currency (minor units, as text). */
export async function openBalanceIn(sql: Sql, customerId: string, currency: string): Promise<string> {
  const [row] = await sql.query<{ total: string }>(
    `select coalesce(sum(open_balance_minor), 0)::text as total from invoices
      where customer_id = $1::uuid and currency = $2 and status = 'open' and open_balance_minor > 0`,
    [customerId, currency],
  );
  return row?.total ?? '0';
}

/** Records that the reply's actions were taken (the list as done). */
export async function markReplyActed(sql: Sql, replyId: string, actions: readonly string[], at: Date): Promise<void> {
  await sql.query(`update replies set actions = $2::text[], acted_at = $3::timestamptz where id = $1::uuid`, [
    replyId,
    [...actions],
    at.toISOString(),
  ]);
}

/** Marks a reply handled by a collector (ends its reply pause); false when it already was. */
export async function markReplyHandled(sql: Sql, replyId: string, by: string, at: Date): Promise<boolean> {
  const rows = await sql.query(
    `update replies set handled_at = $3::timestamptz, handled_by = $2 where id = $1::uuid and handled_at is null returning id`,
    [replyId, by, at.toISOString()],
  );
  return rows.length > 0;
}

/** Ties an unmatched reply to a customer and its inbound contact; false when it was matched already. */
export async function assignReply(
  sql: Sql,
  replyId: string,
  assignment: { customerId: string; contactId: string; pausedThrough: string | null; actions: readonly string[] },
): Promise<boolean> {
  const rows = await sql.query(
    `update replies set customer_id = $2::uuid, contact_id = $3::uuid, matched_by = 'assigned', paused_through = $4::date,
            actions = $5::text[]
      where id = $1::uuid and customer_id is null returning id`,
    [replyId, assignment.customerId, assignment.contactId, assignment.pausedThrough, [...assignment.actions]],
  );
  return rows.length > 0;
}
