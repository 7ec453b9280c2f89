import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { ConsentDependencies } from '../consent/consent.service.js';
import { optOutOfEmail, optOutOfSms } from '../consent/consent.service.js';
import { recordEmailBounce } from '../consent/delivery-status.service.js';
import { localDateOf } from '../core/dates.js';
import { replyPauseEnd } from '../core/pauses.js';
import { classifyReply, type ReplyClassification, type ReplyMessage, type ReplyVerdict } from '../core/replies.js';
import type { DunningRules } from '../core/rules.js';
import type { PrismaClient, ReplyMatch } from '../db/client.js';
import { requestReview } from '../db/cases.repository.js';
import { recordContacts } from '../db/contact-log.repository.js';
import {
  customersWithEmail,
  findContactsByKeys,
  findReplyByDedupeKey,
  findReplyCustomer,
  insertAttachments,
  insertReply,
  insertSuggestion,
  markReplyActed,
  type AttachmentToStore,
  type ReplyCustomer,
  type ReplyToStore,
  type StoredReply,
} from '../db/replies.repository.js';
import type { Sql } from '../db/sql.js';
import { autoCommit, inTransaction } from '../db/transaction.js';
import type { Logger } from '../logging/logger.js';
import { headerSection, messageIdKey, parseEmail, type ParsedEmail } from './parse-email.js';

/** What the reply path needs; the composition root builds it (`replyDependencies`). */
export interface ReplyDependencies {
  prisma: PrismaClient;
  clock: () => Date;
  /** Working days and holidays count the reply pause's business days. */
  rules: Pick<DunningRules, 'sendWindow' | 'holidays'>;
  /** INBOUND_MAX_BYTES, INBOUND_MAX_ATTACHMENT_BYTES, REPLY_PAUSE_BUSINESS_DAYS. */
  limits: { maxBytes: number; maxAttachmentBytes: number; pauseBusinessDays: number };
  /** TICK_TZ: dates in a reply from an unknown sender are read in it. */
  timeZone: string;
  logger: Logger;
}

/** One email to receive, from whichever source. `sourceRef`: e.g. mailbox, UIDVALIDITY and UID. */
export interface ReceivedEmail {
  raw: Buffer;
  source: 'imap' | 'http' | 'cli';
  sourceRef: string | null;
}

/** What became of a received message. */
export interface ReceiveOutcome {
  /** The customer's external id, or null for an unmatched reply. */
  customer: string | null;
  /** The outbound contact it answers, or null. */
  contact: string | null;
  reply: string;
  classification: ReplyClassification;
  promisedOn: string | null;
  /** What was done, e.g. `reply_pause`, `email.opted_out`, `suggestion.promise`, `unmatched`. */
  actions: string[];
  /** True when the message had been received before (nothing was done again). */
  duplicate: boolean;
}

export const INBOUND_EMAIL_ACTOR = 'inbound:email';
export const INBOUND_SMS_ACTOR = 'inbound:sms';

/** Who the reply is from, as far as threading and the sender's address tell. */
export interface Match {
  customerId: string | null;
  answersContactId: string | null;
  /** The Message-ID of ours it answers (as written in its headers). */
  answersMessageId: string | null;
  matchedBy: ReplyMatch | null;
}

async function threadMatch(sql: Sql, ids: readonly string[], by: ReplyMatch[]): Promise<Match | null> {
  const keys = ids.map((id) => messageIdKey(id));
  const found = await findContactsByKeys(
    sql,
    keys.filter((key): key is string => key !== null),
  );
  for (let i = 0; i < ids.length; i++) {
    const contact = found.find((c) => c.idempotencyKey === keys[i]);
    if (contact) return { customerId: contact.customerId, answersContactId: contact.id, answersMessageId: ids[i]!, matchedBy: by[i]! };
  }
  return null;
}

/** In-Reply-To / References against our Message-IDs, then the sender's address; else unmatched. */
async function matchEmail(sql: Sql, email: ParsedEmail): Promise<Match> {
  const ids = [...email.inReplyTo, ...email.references];
  const by = ids.map((_, i): ReplyMatch => (i < email.inReplyTo.length ? 'in_reply_to' : 'references'));
  const threaded = await threadMatch(sql, ids, by);
  if (threaded) return threaded;
  if (email.sender) {
    const customers = await customersWithEmail(sql, email.sender);
    // An address shared by several customers names none of them: a person assigns it.
    if (customers.length === 1) return { customerId: customers[0]!, answersContactId: null, answersMessageId: null, matchedBy: 'sender' };
  }
  return { customerId: null, answersContactId: null, answersMessageId: null, matchedBy: null };
}

function classify(message: ReplyMessage, customer: ReplyCustomer | null, receivedAt: Date, timeZone: string): ReplyVerdict {
  return classifyReply(message, {
    receivedAt: DateTime.fromJSDate(receivedAt).setZone(customer?.timeZone ?? timeZone),
    currency: customer?.currency ?? null,
    invoiceNumbers: customer?.openInvoices.map((i) => i.number) ?? [],
  });
}

/** The decision about a reply, taken before any of it is done. */
export interface Plan {
  actions: string[];
  pausedThrough: string | null;
  suggestion: 'promise' | 'dispute' | null;
  cashApplication: boolean;
}

/** The actions a reply calls for (an opt-out: of the channel it came by). Only those needing a customer wait for one (an unmatched bounce still marks the address). */
export function planReply(
  channel: 'email' | 'sms',
  verdict: ReplyVerdict,
  customer: ReplyCustomer | null,
  receivedAt: Date,
  deps: Pick<ReplyDependencies, 'rules' | 'limits'>,
): Plan {
  const plan: Plan = { actions: [], pausedThrough: null, suggestion: null, cashApplication: false };
  if (verdict.classification === 'bounce') {
    plan.actions.push(verdict.bounce?.permanent === false ? 'bounce.noted' : 'bounce.recorded');
  }
  if (customer === null) {
    plan.actions.push('unmatched');
    return plan;
  }
  if (verdict.fromPerson && deps.limits.pauseBusinessDays > 0) {
    const holidays = customer.holidayCalendar === null ? [] : (deps.rules.holidays[customer.holidayCalendar] ?? []);
    const receivedOn = localDateOf(DateTime.fromJSDate(receivedAt), customer.timeZone);
    plan.pausedThrough = replyPauseEnd(receivedOn, deps.limits.pauseBusinessDays, deps.rules.sendWindow.days, new Set(holidays));
    plan.actions.push('reply_pause');
  }
  switch (verdict.classification) {
    case 'opt_out':
      // The channel it came by is the one the customer asks us to leave.
      plan.actions.push(`${channel}.opted_out`);
      break;
    case 'auto_reply':
      if (verdict.returnsOn) plan.actions.push('next_reminder_after_return');
      break;
    case 'promise':
    case 'dispute':
      plan.suggestion = verdict.classification;
      plan.actions.push(`suggestion.${verdict.classification}`);
      break;
    case 'paid_claim':
      plan.cashApplication = true;
      plan.actions.push('cash_application.flagged');
      break;
    default:
      break;
  }
  return plan;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function attachmentsToStore(email: ParsedEmail, maxBytes: number): AttachmentToStore[] {
  return email.attachments.map((a) => ({
    filename: a.filename,
    contentType: a.contentType,
    size: a.size,
    sha256: a.sha256,
    content: a.size <= maxBytes ? a.content : null,
    omitted: a.size <= maxBytes ? null : `larger than INBOUND_MAX_ATTACHMENT_BYTES (${a.size} > ${maxBytes} bytes)`,
  }));
}

function outcome(reply: StoredReply, customer: string | null, duplicate: boolean): ReceiveOutcome {
  return {
    customer,
    contact: reply.answersContactId,
    reply: reply.id,
    classification: reply.classification,
    promisedOn: reply.promisedOn,
    actions: reply.actions,
    duplicate,
  };
}

/**
 * The one path every email takes (IMAP, the HTTP endpoint, the CLI): parse, then the reply path
 * (`receiveReply`): thread, classify, store, act. The same message (by Message-ID, or the hash of
 * its bytes when it has none) received again is stored once and acted on once, so several pollers
 * may read one mailbox. A message that cannot be parsed, or is larger than INBOUND_MAX_BYTES, is
 * stored all the same (its headers only, when too large) with the reason, and never throws away
 * what it knows.
 */
export async function receiveEmail(deps: ReplyDependencies, email: ReceivedEmail): Promise<ReceiveOutcome> {
  const rawSha256 = sha256(email.raw);
  const tooLarge = email.raw.length > deps.limits.maxBytes;
  const parsed = await parseEmail(tooLarge ? headerSection(email.raw) : email.raw);
  const dedupeKey = parsed.messageId ? `message-id:${parsed.messageId}` : `sha256:${rawSha256}`;
  const log = deps.logger.child({ source: email.source, dedupe: dedupeKey.startsWith('sha256:') ? 'hash' : 'message-id' });
  if (tooLarge)
    log.warn(
      { bytes: email.raw.length, limit: deps.limits.maxBytes },
      'inbound email larger than INBOUND_MAX_BYTES: headers kept, body not',
    );
  if (parsed.parseError) log.warn({ error: parsed.parseError }, 'inbound email is not valid MIME: kept as text');
  const now = deps.clock();
  return receiveReply(
    deps,
    {
      channel: 'email',
      source: email.source,
      sourceRef: email.sourceRef,
      dedupeKey,
      messageId: parsed.messageId,
      rawSha256,
      sender: parsed.sender,
      subject: parsed.subject,
      bodyText: parsed.text,
      bodyHtml: parsed.html,
      raw: tooLarge ? null : email.raw,
      rawBytes: email.raw.length,
      rawOmitted: tooLarge ? `larger than INBOUND_MAX_BYTES (${email.raw.length} > ${deps.limits.maxBytes} bytes)` : null,
      parseError: parsed.parseError,
      attachments: attachmentsToStore(parsed, deps.limits.maxAttachmentBytes),
      message: {
        channel: 'email',
        subject: parsed.subject,
        text: parsed.returnedHeaders ? `${parsed.text}\n\n${parsed.returnedHeaders}` : parsed.text,
        headers: parsed.headers,
        deliveryStatus: parsed.deliveryStatus,
      },
      receivedAt: parsed.date && parsed.date.getTime() <= now.getTime() ? parsed.date : now,
      match: (sql) => matchEmail(sql, parsed),
      // A bounce names the message it returns only inside it.
      rematch: (sql, verdict) =>
        verdict.bounce?.originalMessageId ? threadMatch(sql, [verdict.bounce.originalMessageId], ['in_reply_to']) : Promise.resolve(null),
    },
    log,
  );
}

/** A reply from either channel, read by its entrance (MIME parsed, SMS form read) and ready for the one reply path. */
export interface IncomingReply extends Omit<ReplyToStore, ToldByThePath> {
  channel: 'email' | 'sms';
  attachments: AttachmentToStore[];
  /** What the classifier reads. */
  message: ReplyMessage;
  /** Threads the reply to a customer (and to the outbound contact it answers). */
  match: (sql: Sql) => Promise<Match>;
  /** A second look once the verdict is known (a bounce names the message it returns); null keeps the first match. */
  rematch?: (sql: Sql, verdict: ReplyVerdict) => Promise<Match | null>;
}

/** What the reply path decides itself. */
type ToldByThePath =
  | 'customerId'
  | 'contactId'
  | 'answersContactId'
  | 'matchedBy'
  | 'classification'
  | 'rule'
  | 'reason'
  | 'fromPerson'
  | 'promisedOn'
  | 'promisedAmountMinor'
  | 'promisedCurrency'
  | 'returnsOn'
  | 'invoiceNumbers'
  | 'pausedThrough'
  | 'cashApplication'
  | 'actions';

/**
 * The reply path, whatever the channel: thread, classify, store, act. Stored before acted on, in
 * Postgres: a reply whose `dedupeKey` was seen before is stored once and acted on once
 * (`duplicate: true`); one stored but not yet acted on (the process stopped in between) is
 * finished.
 */
export async function receiveReply(deps: ReplyDependencies, incoming: IncomingReply, log: Logger): Promise<ReceiveOutcome> {
  const sql = autoCommit(deps.prisma);
  const seen = await findReplyByDedupeKey(sql, incoming.dedupeKey);
  if (seen !== null && seen.actedAt !== null) return outcome(seen, await externalIdOf(sql, seen.customerId), true);

  const now = deps.clock();
  const { receivedAt, message } = incoming;
  let match = await incoming.match(sql);
  let customer = match.customerId ? await findReplyCustomer(sql, match.customerId) : null;
  let verdict = classify(message, customer, receivedAt, deps.timeZone);
  if (match.answersContactId === null && incoming.rematch) {
    const threaded = await incoming.rematch(sql, verdict);
    if (threaded?.customerId) {
      match = threaded;
      customer = await findReplyCustomer(sql, threaded.customerId);
      verdict = classify(message, customer, receivedAt, deps.timeZone);
    }
  }
  if (seen !== null) customer = seen.customerId ? await findReplyCustomer(sql, seen.customerId) : null;
  const plan = planReply(incoming.channel, verdict, customer, receivedAt, deps);

  const stored =
    seen ??
    (await inTransaction(deps.prisma, async ({ sql: tx }) => {
      const { attachments, message: _message, match: _match, rematch: _rematch, ...fields } = incoming;
      const contactId = customer ? await recordInboundContact(tx, customer.id, fields) : null;
      const { inserted, reply } = await insertReply(tx, {
        ...fields,
        customerId: customer?.id ?? null,
        contactId,
        answersContactId: match.answersContactId,
        matchedBy: customer ? match.matchedBy : null,
        classification: verdict.classification,
        rule: verdict.rule,
        reason: verdict.reason,
        fromPerson: verdict.fromPerson,
        promisedOn: verdict.promisedOn ?? null,
        promisedAmountMinor: verdict.promisedAmount?.minor ?? null,
        promisedCurrency: verdict.promisedAmount?.currency ?? null,
        returnsOn: verdict.returnsOn ?? null,
        invoiceNumbers: verdict.invoiceNumbers ?? [],
        pausedThrough: plan.pausedThrough,
        cashApplication: plan.cashApplication,
        actions: plan.actions,
      });
      if (!inserted) return reply;
      await insertAttachments(tx, reply.id, attachments);
      if (customer) await suggest(tx, reply.id, plan, verdict, customer);
      if (plan.pausedThrough !== null || verdict.returnsOn) await requestReview(tx, [customer!.id], now);
      return reply;
    }));
  if (stored.actedAt !== null) return outcome(stored, customer?.externalId ?? null, true);

  const actions = await act(deps, stored, verdict, match, now);
  await markReplyActed(sql, stored.id, actions, now);
  log.info(
    { reply: stored.id, classification: verdict.classification, rule: verdict.rule, matched: stored.customerId !== null, actions },
    `inbound ${incoming.channel}`,
  );
  return { ...outcome({ ...stored, actions }, customer?.externalId ?? null, false) };
}

/**
 * Takes the actions recorded with the reply that change other tables through their own services
 * (consent, bounces). Each is idempotent, so a reply whose actions were interrupted is finished by
 * the next delivery of the same message.
 */
export async function act(deps: ReplyDependencies, reply: StoredReply, verdict: ReplyVerdict, match: Match, now: Date): Promise<string[]> {
  const consent: ConsentDependencies = { prisma: deps.prisma, clock: () => now };
  const actions: string[] = [];
  for (const action of reply.actions) {
    if (action === 'email.opted_out' && reply.customerId) {
      const result = await optOutOfEmail(consent, reply.customerId, INBOUND_EMAIL_ACTOR, `reply ${reply.id}: ${verdict.reason}`);
      actions.push(result === 'opted-out' ? action : 'email.already_opted_out');
    } else if (action === 'sms.opted_out' && reply.customerId) {
      const result = await optOutOfSms(consent, reply.customerId, INBOUND_SMS_ACTOR, `reply ${reply.id}: ${verdict.reason}`);
      actions.push(result === 'opted-out' ? action : 'sms.already_opted_out');
    } else if (action === 'bounce.recorded' || action === 'bounce.noted') {
      const bounce = verdict.bounce;
      const messageId = bounce?.originalMessageId ?? match.answersMessageId;
      if (!messageId) {
        actions.push(action === 'bounce.recorded' ? 'bounce.unknown_message' : action);
        continue;
      }
      const result = await recordEmailBounce(consent, {
        messageId,
        recipient: bounce?.recipient ?? '',
        kind: action === 'bounce.recorded' ? 'hard' : 'soft',
        reason: [bounce?.status, bounce?.diagnostic].filter(Boolean).join(' ') || verdict.reason,
      });
      if (action === 'bounce.noted') actions.push(action);
      else {
        if (result.contactId) actions.push('contact.bounced');
        if (result.addressesMarked > 0) actions.push('address.bounced');
        if (!result.contactId && result.addressesMarked === 0) actions.push('bounce.unknown_message');
      }
    } else actions.push(action);
  }
  return actions;
}

/** What a reply says, as stored. */
export function storedVerdict(reply: StoredReply): ReplyVerdict {
  return {
    classification: reply.classification,
    rule: reply.rule,
    reason: reply.reason,
    fromPerson: reply.fromPerson,
    ...(reply.promisedOn !== null && { promisedOn: reply.promisedOn }),
    ...(reply.promisedAmountMinor !== null &&
      reply.promisedCurrency !== null && {
        promisedAmount: { minor: Number(reply.promisedAmountMinor), currency: reply.promisedCurrency },
      }),
    ...(reply.returnsOn !== null && { returnsOn: reply.returnsOn }),
    invoiceNumbers: reply.invoiceNumbers,
  };
}

/** Adds a reply to its customer's contact log (an inbound contact, `logged`); returns its id (null when it was already there). */
export async function recordInboundContact(
  sql: Sql,
  customerId: string,
  reply: Pick<
    StoredReply,
    'dedupeKey' | 'channel' | 'source' | 'sender' | 'subject' | 'bodyText' | 'bodyHtml' | 'messageId' | 'receivedAt'
  >,
): Promise<string | null> {
  const key = `reply:${reply.dedupeKey}`;
  const ids = await recordContacts(sql, [
    {
      customerId,
      caseId: null,
      channel: reply.channel,
      direction: 'inbound',
      status: 'logged',
      recipient: reply.sender,
      subject: reply.subject,
      text: reply.bodyText,
      html: reply.bodyHtml,
      providerName: reply.source,
      providerMessageId: reply.messageId,
      actor: reply.channel === 'sms' ? INBOUND_SMS_ACTOR : INBOUND_EMAIL_ACTOR,
      idempotencyKey: key,
      at: reply.receivedAt,
    },
  ]);
  return ids.get(key) ?? null;
}

/** The suggestion a reply's plan calls for, with the invoices it names among the customer's open ones. */
export async function suggest(sql: Sql, replyId: string, plan: Plan, verdict: ReplyVerdict, customer: ReplyCustomer): Promise<void> {
  if (plan.suggestion === null) return;
  const named = new Set(verdict.invoiceNumbers ?? []);
  await insertSuggestion(sql, {
    replyId,
    customerId: customer.id,
    kind: plan.suggestion,
    promisedOn: verdict.promisedOn ?? null,
    amountMinor: verdict.promisedAmount?.minor ?? null,
    currency: verdict.promisedAmount?.currency ?? customer.currency,
    invoiceIds: customer.openInvoices.filter((i) => named.has(i.number)).map((i) => i.id),
  });
}

async function externalIdOf(sql: Sql, customerId: string | null): Promise<string | null> {
  if (customerId === null) return null;
  return (await findReplyCustomer(sql, customerId))?.externalId ?? null;
}
