import type { EmailTransport } from '../channels/email/email-transport.js';
import { emailMessageId } from '../channels/email/email-transport.js';
import { DeliveryError } from '../channels/delivery-error.js';
import type { SmsTransport } from '../channels/sms/sms-transport.js';
import { TWILIO_OPTED_OUT } from '../channels/sms/twilio-errors.js';
import type { PrismaClient } from '../db/client.js';
import {
  FINAL_STATUSES,
  markRecipientUnreachable,
  type ContactOutbox,
  type ContactOutcome,
  type DeliverableContact,
} from '../db/contacts.repository.js';
import type { Logger } from '../logging/logger.js';

export interface DeliveryDependencies {
  prisma: PrismaClient;
  outbox: ContactOutbox;
  email: EmailTransport;
  sms: SmsTransport;
  emailFrom: string;
  /** EMAIL_REPLY_TO: where customers' replies go (the mailbox read for replies); null = EMAIL_FROM. */
  emailReplyTo?: string | null;
  /** `mailto:` target of the List-Unsubscribe header. */
  unsubscribeMailto: string | null;
  /** One-click unsubscribe URL for a customer, when the deployment offers one. */
  unsubscribeUrl: (customerId: string) => string | null;
  /** Where Twilio posts delivery statuses (`arrears serve`), when the deployment is reachable. */
  smsStatusCallbackUrl: string | null;
  /** A `sending` row older than this belongs to a dead worker and may be taken over. */
  staleSendingMs: number;
  clock: () => Date;
  logger: Logger;
}

export type DeliveryResult =
  | { outcome: 'sent'; providerMessageId: string; recovered: boolean }
  | { outcome: 'already-final'; status: string }
  | { outcome: 'cancelled'; reason: string }
  | { outcome: 'failed'; reason: string }
  | { outcome: 'in-flight-elsewhere' };

/** Thrown for a transient failure: the job retries with backoff; the row is back to `queued`. */
export class RetryLater extends Error {
  override readonly name = 'RetryLater';
}

/**
 * Delivers one contact exactly once. The row is claimed (`queued → sending`) before the
 * provider is called and marked `sent` with the provider's id after; a retry that finds it
 * final does nothing. A send cannot be undone, so when an earlier attempt may have reached the
 * provider (`isRetry`, or a stale `sending` row), SMS are looked up at the provider before any
 * resend, and email goes again under the same deterministic Message-ID.
 */
export async function deliverContact(deps: DeliveryDependencies, contactId: string, isRetry: boolean): Promise<DeliveryResult> {
  const now = deps.clock();
  const taken = await deps.outbox.take(contactId, { isRetry, at: now, staleBefore: new Date(now.getTime() - deps.staleSendingMs) });
  if (!taken) return { outcome: 'already-final', status: 'missing' };
  const { contact, claimed, takeOver } = taken;
  if ((FINAL_STATUSES as readonly string[]).includes(contact.status)) {
    return { outcome: 'already-final', status: contact.status };
  }
  if (contact.blockedBy) {
    await deps.outbox.recordOutcome(contact.id, { status: 'cancelled', at: now, failureReason: contact.blockedBy });
    return { outcome: 'cancelled', reason: contact.blockedBy };
  }
  if (!claimed) return { outcome: 'in-flight-elsewhere' };

  if (takeOver && contact.channel === 'sms') {
    const found = await deps.sms.findRecent({
      to: contact.recipient ?? '',
      // The earlier attempt sent after it claimed the row (`updatedAt`, wall clock); `createdAt` is
      // the decision's instant, which `tick --as-of` may put ahead of the provider's clock.
      sentAfter: new Date(Math.min(contact.createdAt.getTime(), contact.updatedAt.getTime()) - 60_000),
      body: contact.bodyText ?? '',
    });
    if (found) {
      await recordAccepted(deps, contact.id, {
        status: 'sent',
        at: deps.clock(),
        provider: found.provider,
        providerMessageId: found.providerMessageId,
        detail: { recoveredFromProvider: true },
      });
      return { outcome: 'sent', providerMessageId: found.providerMessageId, recovered: true };
    }
  }

  try {
    const sent = await send(deps, contact);
    await recordAccepted(deps, contact.id, { status: 'sent', at: deps.clock(), ...sent });
    return { outcome: 'sent', providerMessageId: sent.providerMessageId, recovered: false };
  } catch (error) {
    if (!(error instanceof DeliveryError)) throw error;
    return handleFailure(deps, contact, error);
  }
}

const RECORD_RETRY_DELAYS_MS = [250, 500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000, 8_000, 8_000, 8_000];

/**
 * The provider has the message. If recording that failed (a database restart), the job's retry
 * would find the row `sending` and send again, so keep trying here for about a minute first.
 */
async function recordAccepted(deps: DeliveryDependencies, contactId: string, outcome: ContactOutcome): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await deps.outbox.recordOutcome(contactId, outcome);
      return;
    } catch (error) {
      const delay = RECORD_RETRY_DELAYS_MS[attempt];
      if (delay === undefined) throw error;
      deps.logger.warn({ contactId, err: error, attempt: attempt + 1 }, 'sent, but could not record it yet; trying again');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

async function send(deps: DeliveryDependencies, contact: DeliverableContact) {
  const to = contact.recipient ?? '';
  if (contact.channel === 'email') {
    const unsubscribeUrl = deps.unsubscribeUrl(contact.customerId);
    const unsubscribe =
      unsubscribeUrl || deps.unsubscribeMailto
        ? { ...(unsubscribeUrl && { url: unsubscribeUrl }), ...(deps.unsubscribeMailto && { mailto: deps.unsubscribeMailto }) }
        : undefined;
    const result = await deps.email.send({
      from: deps.emailFrom,
      ...(deps.emailReplyTo && { replyTo: deps.emailReplyTo }),
      to,
      subject: contact.subject ?? '',
      text: contact.bodyText ?? '',
      html: contact.bodyHtml ?? '',
      messageId: emailMessageId(contact.idempotencyKey, deps.emailFrom),
      ...(unsubscribe && { unsubscribe }),
      headers: { 'X-Arrears-Contact': contact.id },
    });
    return { provider: result.provider, providerMessageId: result.providerMessageId };
  }
  const result = await deps.sms.send({
    to,
    body: contact.bodyText ?? '',
    ...(deps.smsStatusCallbackUrl && { statusCallbackUrl: deps.smsStatusCallbackUrl }),
  });
  return { provider: result.provider, providerMessageId: result.providerMessageId };
}

async function handleFailure(deps: DeliveryDependencies, contact: DeliverableContact, error: DeliveryError): Promise<DeliveryResult> {
  const at = deps.clock();
  const detail = { provider: error.provider, code: error.providerCode ?? null };
  if (error.kind === 'permanent') {
    await deps.outbox.recordOutcome(contact.id, {
      status: 'failed',
      at,
      failureReason: error.reason,
      failureKind: 'permanent',
      detail,
    });
    const optedOut = error.providerCode === String(TWILIO_OPTED_OUT);
    const channel = contact.channel === 'email' ? 'email' : 'sms';
    await markRecipientUnreachable(deps.prisma, contact.customerId, channel, contact.recipient ?? '', optedOut, at);
    deps.logger.warn({ contactId: contact.id, reason: error.reason }, 'delivery failed permanently');
    return { outcome: 'failed', reason: error.reason };
  }
  // Transient: when the provider may have accepted it, the row stays `sending` so the retry
  // checks before resending; otherwise it goes back to `queued`.
  if (!error.maybeSent) {
    await deps.outbox.recordOutcome(contact.id, {
      status: 'queued',
      at,
      failureReason: error.reason,
      failureKind: 'transient',
      detail,
    });
  }
  throw new RetryLater(`${error.reason} (will retry)`);
}
