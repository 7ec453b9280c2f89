import type { DateTime } from 'luxon';
import type { Money } from '../money.js';

/** What a reply is, as far as the rules can tell. The order of precedence is in `src/core/replies.ts`. */
export type ReplyClassification = 'auto_reply' | 'bounce' | 'opt_out' | 'promise' | 'dispute' | 'paid_claim' | 'other';

export const REPLY_CLASSIFICATIONS: readonly ReplyClassification[] = [
  'auto_reply',
  'bounce',
  'opt_out',
  'promise',
  'dispute',
  'paid_claim',
  'other',
];

/** An inbound email or SMS, as the caller parsed it. */
export interface ReplyMessage {
  channel: 'email' | 'sms';
  subject: string | null;
  /** Plain-text body as received (quoted history still in it). */
  text: string;
  /** Lower-case header name -> unfolded value (empty for SMS). */
  headers: ReadonlyMap<string, string>;
  /** The text of a message/delivery-status part (RFC 3464), if any. */
  deliveryStatus: string | null;
}

export interface ReplyContext {
  /** Zoned in the customer's (or TICK_TZ) zone: resolves "15 March", "Friday". */
  receivedAt: DateTime;
  /** The customer's currency, for "we will pay 1,200" without a code. */
  currency: string | null;
  /** The customer's open invoice numbers, for disputes and payment claims naming them. */
  invoiceNumbers: readonly string[];
}

/** What an RFC 3464 delivery status notification (or a non-standard bounce) says. */
export interface BounceDetails {
  recipient: string | null;
  /** 5.x.x (or a non-standard bounce that says so): the address will not work; 4.x.x: it may later. */
  permanent: boolean;
  status: string;
  diagnostic: string | null;
  originalMessageId: string | null;
}

export interface ReplyVerdict {
  classification: ReplyClassification;
  /** Stable id of the rule that decided, e.g. 'auto_reply.auto-submitted'. */
  rule: string;
  /** One English sentence a collector can read: what matched. */
  reason: string;
  /** False for auto_reply and bounce. */
  fromPerson: boolean;
  /** ISO date, for promise. */
  promisedOn?: string;
  /** When stated. */
  promisedAmount?: Money;
  /** ISO date, out-of-office return date when stated. */
  returnsOn?: string;
  /** For dispute / paid_claim: the customer's invoice numbers the message names. */
  invoiceNumbers?: string[];
  bounce?: BounceDetails;
}
