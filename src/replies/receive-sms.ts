import { createHash } from 'node:crypto';
import {
  handleInboundSms,
  inboundSmsKeyword,
  type InboundSmsMessage,
  type InboundSmsOutcome,
  type SmsReplyCompany,
} from '../consent/consent.service.js';
import { customersWithPhone, lastSmsTo } from '../db/replies.repository.js';
import { receiveReply, type ReceiveOutcome, type ReplyDependencies } from './receive.js';

/** What became of an inbound SMS: a keyword acted on by the consent service, or a reply. */
export interface SmsReceiveOutcome extends InboundSmsOutcome {
  /** Free text: what the reply path did with it; null for a keyword. */
  received: ReceiveOutcome | null;
}

/**
 * An inbound SMS. A keyword (STOP, START, HELP, or a custom one Twilio's Advanced Opt-Out names
 * in `OptOutType`) changes consent and may be answered; any other text is a customer's reply and
 * takes the reply path email takes (`receiveReply`): matched by the sender's number among the
 * customers' contact points and threaded to the last SMS sent to it (a number several customers share waits for a person, as an
 * address does), classified, stored once per MessageSid, acted on once.
 */
export async function receiveSms(
  deps: ReplyDependencies,
  company: SmsReplyCompany,
  sms: InboundSmsMessage & { provider: string },
): Promise<SmsReceiveOutcome> {
  const keyword = inboundSmsKeyword(sms);
  if (keyword !== null) {
    const result = await handleInboundSms({ prisma: deps.prisma, clock: deps.clock }, company, sms);
    return { ...result, received: null };
  }
  const raw = Buffer.from(sms.body, 'utf8');
  const now = deps.clock();
  const log = deps.logger.child({ source: sms.provider });
  const received = await receiveReply(
    deps,
    {
      channel: 'sms',
      source: sms.provider,
      sourceRef: sms.messageSid,
      dedupeKey: `sms:${sms.provider}:${sms.messageSid}`,
      messageId: sms.messageSid,
      rawSha256: createHash('sha256').update(raw).digest('hex'),
      sender: sms.from,
      subject: null,
      bodyText: sms.body,
      bodyHtml: null,
      raw,
      rawBytes: raw.length,
      rawOmitted: null,
      parseError: null,
      attachments: [],
      message: { channel: 'sms', subject: null, text: sms.body, headers: new Map(), deliveryStatus: null },
      receivedAt: now,
      match: async (sql) => {
        const customers = await customersWithPhone(sql, sms.from);
        if (customers.length !== 1) return { customerId: null, answersContactId: null, answersMessageId: null, matchedBy: null };
        // SMS carries no thread: a text answers the last one we sent to that number.
        const answers = await lastSmsTo(sql, customers[0]!, sms.from, now);
        return { customerId: customers[0]!, answersContactId: answers, answersMessageId: null, matchedBy: 'sender' };
      },
    },
    log,
  );
  return { keyword: null, customers: received.customer === null ? 0 : 1, changed: 0, reply: null, received };
}
