import type { PrismaClient } from '../db/client.js';
import {
  customersWithPhone,
  emailOptedOut,
  logInboundSms,
  optOutById,
  restoreSmsConsentByPhone,
  revokeSmsConsentByPhone,
  type ChangeOrigin,
} from '../db/consent.repository.js';
import { verifyUnsubscribeToken } from '../dunning/unsubscribe-token.js';
import { smsKeyword, type SmsKeyword } from './sms-keywords.js';

/** What the consent services need. */
export interface ConsentDependencies {
  prisma: PrismaClient;
  clock: () => Date;
}

/** Company details quoted in SMS replies. */
export interface SmsReplyCompany {
  name: string;
  supportEmail: string;
  supportPhone: string;
}

export const TWILIO_ACTOR = 'webhook:twilio';
export const UNSUBSCRIBE_LINK_ACTOR = 'customer:unsubscribe-link';

function origin(deps: ConsentDependencies, actor: string, reason: string): ChangeOrigin {
  return { at: deps.clock(), actor, reason };
}

/** Revokes SMS consent (`sms_opted_out_at`) for every customer with this number; returns those that changed. */
export function revokeSmsConsent(deps: ConsentDependencies, phone: string, actor: string, reason: string): Promise<string[]> {
  return revokeSmsConsentByPhone(deps.prisma, phone, origin(deps, actor, reason));
}

/** Records SMS consent again (clears the opt-out) for every customer with this number; returns those that changed. */
export function restoreSmsConsent(deps: ConsentDependencies, phone: string, actor: string, reason: string): Promise<string[]> {
  return restoreSmsConsentByPhone(deps.prisma, phone, origin(deps, actor, reason));
}

/** Records an email opt-out (`email_opted_out_at`) once, with an audit event. */
export function optOutOfEmail(
  deps: ConsentDependencies,
  customerId: string,
  actor: string,
  reason: string,
): Promise<'opted-out' | 'already' | 'unknown'> {
  return optOutById(deps.prisma, customerId, 'email', origin(deps, actor, reason));
}

/** Withdraws one customer's SMS consent (`sms_opted_out_at`) once, with an audit event (an opt-out written in an SMS reply). */
export function optOutOfSms(
  deps: ConsentDependencies,
  customerId: string,
  actor: string,
  reason: string,
): Promise<'opted-out' | 'already' | 'unknown'> {
  return optOutById(deps.prisma, customerId, 'sms', origin(deps, actor, reason));
}

/** What an unsubscribe link leads to: `invalid` for a token not ours or a customer that is gone. */
export type UnsubscribeLinkState = 'subscribed' | 'unsubscribed' | 'invalid';

/** Reads, never changes: a GET of the link (mail scanners prefetch links) must not unsubscribe. */
export async function unsubscribeLinkState(deps: ConsentDependencies, secret: string, token: string): Promise<UnsubscribeLinkState> {
  const customerId = verifyUnsubscribeToken(secret, token);
  if (!customerId) return 'invalid';
  const optedOut = await emailOptedOut(deps.prisma, customerId);
  if (optedOut === null) return 'invalid';
  return optedOut ? 'unsubscribed' : 'subscribed';
}

/** The RFC 8058 one-click POST (or the button on the confirmation page). Idempotent. */
export async function unsubscribeByLink(deps: ConsentDependencies, secret: string, token: string): Promise<UnsubscribeLinkState> {
  const customerId = verifyUnsubscribeToken(secret, token);
  if (!customerId) return 'invalid';
  const result = await optOutOfEmail(deps, customerId, UNSUBSCRIBE_LINK_ACTOR, 'one-click unsubscribe link');
  return result === 'unknown' ? 'invalid' : 'unsubscribed';
}

/** An SMS a customer (or anyone) sent to our number. */
export interface InboundSmsMessage {
  from: string;
  body: string;
  /** The provider's id (Twilio `MessageSid`): the idempotency key of the logged contact. */
  messageSid: string;
  /** Twilio Advanced Opt-Out's verdict on a custom keyword; wins over the words themselves. */
  optOutType?: 'STOP' | 'START' | 'HELP';
}

export interface InboundSmsOutcome {
  keyword: SmsKeyword | null;
  /** Customers with the sender's number. */
  customers: number;
  /** Customers whose consent changed. */
  changed: number;
  /** Text to answer with, or null for an empty reply. */
  reply: string | null;
}

/** The keyword an inbound SMS is (Twilio's OptOutType wins over the words), or null for free text: a reply. */
export function inboundSmsKeyword(message: Pick<InboundSmsMessage, 'body' | 'optOutType'>): SmsKeyword | null {
  return message.optOutType ? (message.optOutType.toLowerCase() as SmsKeyword) : smsKeyword(message.body);
}

/**
 * Handles an inbound SMS keyword: logs it on the contact log of every customer with that number
 * (so collectors see it), then acts on it. Free text is a reply and takes the reply path instead
 * (`receiveSms` in src/replies/receive-sms.ts). STOP revokes SMS consent and is confirmed
 * once (a repeated STOP gets no answer); START records consent again and is confirmed when it
 * changed something; HELP always answers with the company's contact details.
 */
export async function handleInboundSms(
  deps: ConsentDependencies,
  company: SmsReplyCompany,
  message: InboundSmsMessage,
): Promise<InboundSmsOutcome> {
  const keyword = inboundSmsKeyword(message);
  const reason = keyword ? `SMS keyword ${keyword.toUpperCase()}` : 'inbound SMS';
  const change = origin(deps, TWILIO_ACTOR, reason);
  const customerIds = await customersWithPhone(deps.prisma, message.from);
  let changed: string[] = [];
  if (keyword === 'stop') changed = await revokeSmsConsentByPhone(deps.prisma, message.from, change);
  if (keyword === 'start') changed = await restoreSmsConsentByPhone(deps.prisma, message.from, change);
  await logInboundSms(
    deps.prisma,
    { customerIds, from: message.from, body: message.body, provider: 'twilio', providerMessageId: message.messageSid },
    change,
  );
  return { keyword, customers: customerIds.length, changed: changed.length, reply: replyTo(keyword, changed.length > 0, company) };
}

function replyTo(keyword: SmsKeyword | null, changed: boolean, company: SmsReplyCompany): string | null {
  switch (keyword) {
    case 'stop':
      return changed ? `${company.name}: you will not receive more text messages from us. Reply START to resubscribe.` : null;
    case 'start':
      return changed ? `${company.name}: you will receive text messages from us again. Reply STOP to unsubscribe.` : null;
    case 'help':
      return `${company.name} accounts receivable: call ${company.supportPhone} or email ${company.supportEmail}. Reply STOP to unsubscribe.`;
    default:
      return null;
  }
}
