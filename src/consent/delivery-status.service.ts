import { TWILIO_OPTED_OUT, twilioErrorReason } from '../channels/sms/twilio-errors.js';
import { markRecipientUnreachable } from '../db/contacts.repository.js';
import {
  appendCustomerAudit,
  appendStatusNote,
  markEmailAddressBounced,
  recordStatusReport,
  type ProviderMessageRef,
  type StatusReport,
} from '../db/consent.repository.js';
import { TWILIO_ACTOR, type ConsentDependencies } from './consent.service.js';

/** Twilio's `MessageStatus` words we record, and the contact status each becomes. */
const TWILIO_STATUSES: Readonly<Record<string, StatusReport['status']>> = {
  sent: 'sent',
  delivered: 'delivered',
  // WhatsApp's read receipt: delivered, and then some.
  read: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
};

/**
 * Error codes on a status callback that say the number itself is unusable: the recipient is
 * marked (invalid number, or opted out for 21610) so no later step texts it again. 30007
 * (carrier spam filtering) is about our content or sender, not the number, so it is not here.
 */
export const RECIPIENT_PERMANENT_CODES: ReadonlySet<number> = new Set([21211, 21614, TWILIO_OPTED_OUT, 30003, 30004, 30005, 30006, 30008]);

/** A Twilio status callback, as posted to `/webhooks/twilio/status`. */
export interface TwilioStatusCallback {
  messageSid: string;
  messageStatus: string;
  errorCode?: number;
}

export type StatusCallbackOutcome =
  /** Appended; `moved` when the current status changed. */
  | { outcome: 'recorded'; contactId: string; moved: boolean; recipientMarked: boolean }
  /** An intermediate status (queued, accepted, sending…) we do not record. */
  | { outcome: 'ignored' }
  /** No contact carries that message id (not ours, or its `sent` is not recorded yet). */
  | { outcome: 'unknown-message' };

/**
 * Records a delivery status reported by Twilio: the status event is always appended (the
 * history keeps out-of-order reports), the current status moves forward only, and a permanent
 * failure marks the recipient unreachable.
 */
export async function recordDeliveryStatus(deps: ConsentDependencies, callback: TwilioStatusCallback): Promise<StatusCallbackOutcome> {
  const status = TWILIO_STATUSES[callback.messageStatus];
  if (!status) return { outcome: 'ignored' };
  const code = callback.errorCode;
  const failed = status === 'undelivered' || status === 'failed';
  const permanent = failed && code !== undefined && RECIPIENT_PERMANENT_CODES.has(code);
  const reason = failed ? (code === undefined ? `Twilio reported ${status}` : (twilioErrorReason(code) ?? `Twilio error ${code}`)) : null;
  const at = deps.clock();
  const origin = { at, actor: TWILIO_ACTOR, reason: `status callback: ${callback.messageStatus}` };
  const result = await recordStatusReport(
    deps.prisma,
    { channel: 'sms', providers: ['twilio'], providerMessageIds: [callback.messageSid] },
    {
      status,
      failureReason: reason,
      failureKind: permanent ? 'permanent' : null,
      detail: { messageStatus: callback.messageStatus, ...(code !== undefined && { errorCode: code }), ...(reason && { reason }) },
    },
    origin,
  );
  if (!result) return { outcome: 'unknown-message' };
  const markRecipient = permanent && result.moved && result.recipient !== null;
  if (markRecipient) {
    const optedOut = code === TWILIO_OPTED_OUT;
    await markRecipientUnreachable(deps.prisma, result.customerId, 'sms', result.recipient ?? '', optedOut, at);
    await appendCustomerAudit(
      deps.prisma,
      result.customerId,
      optedOut ? 'sms_consent.revoked' : 'phone.unreachable',
      { ...origin, reason: reason ?? '' },
      {
        contactId: result.contactId,
        errorCode: code,
      },
    );
  }
  return { outcome: 'recorded', contactId: result.contactId, moved: result.moved, recipientMarked: markRecipient };
}

/** A bounce reported by the mail provider (or a bounce processor) to `/webhooks/email/bounce`. */
export interface EmailBounce {
  /** The Message-ID of our email, with or without angle brackets. */
  messageId: string;
  recipient: string;
  kind: 'hard' | 'soft';
  reason: string;
}

export interface BounceOutcome {
  /** The contact the bounce is about, when we know the message. */
  contactId: string | null;
  /** Contact points marked bounced (hard bounces). */
  addressesMarked: number;
}

/** Email contacts are recorded under the transport that sent them. */
const EMAIL_PROVIDERS = ['smtp', 'capture'];

/**
 * A hard bounce marks the contact `bounced` (forward only, with an event) and the address
 * (`contact_points.bounced_at`) of every customer using it; a soft bounce is only noted on
 * the contact's history.
 */
export async function recordEmailBounce(deps: ConsentDependencies, bounce: EmailBounce): Promise<BounceOutcome> {
  const bare = bounce.messageId.trim().replace(/^<|>$/g, '');
  const ref: ProviderMessageRef = { channel: 'email', providers: EMAIL_PROVIDERS, providerMessageIds: [`<${bare}>`, bare] };
  const origin = { at: deps.clock(), actor: 'webhook:email', reason: `${bounce.kind} bounce: ${bounce.reason}` };
  const detail = { bounce: bounce.kind, reason: bounce.reason };
  if (bounce.kind === 'soft') {
    return { contactId: await appendStatusNote(deps.prisma, ref, detail, origin), addressesMarked: 0 };
  }
  const result = await recordStatusReport(
    deps.prisma,
    ref,
    { status: 'bounced', failureReason: `hard bounce: ${bounce.reason}`, failureKind: 'permanent', detail },
    origin,
  );
  const addressesMarked = await markEmailAddressBounced(deps.prisma, bounce.recipient, origin);
  return { contactId: result?.contactId ?? null, addressesMarked };
}
