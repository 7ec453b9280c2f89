import { DeliveryError, NEVER_CONNECTED_CODES, errorField, errorMessage } from '../delivery-error.js';

/** Plain-language reasons for the SMTP reply codes a collector is likely to see. */
const REPLY_REASONS: Readonly<Record<number, string>> = {
  421: 'mail server unavailable, try later',
  450: 'mailbox temporarily unavailable',
  451: 'temporary error at the receiving mail server',
  452: 'receiving mail server is out of storage',
  550: 'mailbox unavailable (hard bounce)',
  551: 'recipient is not local to the server (hard bounce)',
  552: 'mailbox full or message too large',
  553: 'mailbox name not allowed (hard bounce)',
  554: 'rejected by the receiving mail server',
};

/** Socket and protocol failures nodemailer reports with its own codes, none carrying a reply. */
const CONNECTION_REASONS: Readonly<Record<string, string>> = {
  ETIMEDOUT: 'timed out talking to the mail server',
  ECONNECTION: 'connection to the mail server closed unexpectedly',
  ESOCKET: 'network error talking to the mail server',
  ECONNRESET: 'connection to the mail server was reset',
  ECONNREFUSED: 'mail server refused the connection',
  EDNS: 'mail server name could not be resolved',
  ENOTFOUND: 'mail server name could not be resolved',
  ETLS: 'secure connection to the mail server failed',
  EPROTOCOL: 'mail server sent an invalid response',
};

/** Codes that mean our own SMTP login was refused, not the recipient. */
const AUTH_CODES: ReadonlySet<string> = new Set(['EAUTH', 'ENOAUTH', '530', '534', '535', '538']);

/**
 * Classifies a nodemailer failure. Every 5xx reply except 503 (bad command sequence, a session
 * problem) is permanent: the receiving server will refuse the same message again. 4xx replies,
 * timeouts and connection failures are transient.
 */
export function classifySmtpError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const replyCode = errorField(error, 'responseCode');
  const code = String(errorField(error, 'code') ?? '');
  const socketCode = String(errorField(error, 'originalCode') ?? code);
  const detail = String(errorField(error, 'response') ?? errorMessage(error));
  const base = { provider: 'smtp', detail, cause: error } as const;

  // A refused login is our configuration, not the customer's address: failing the contact for
  // good would lose the reminder and wrongly mark the address, so it waits for the fix.
  if (AUTH_CODES.has(code) || AUTH_CODES.has(String(replyCode))) {
    const providerCode = typeof replyCode === 'number' ? String(replyCode) : code;
    return new DeliveryError({
      ...base,
      kind: 'transient',
      providerCode,
      reason: 'the mail server rejected our login (check the SMTP settings)',
    });
  }
  if (typeof replyCode === 'number') {
    const permanent = replyCode >= 500 && replyCode < 600 && replyCode !== 503;
    const reason =
      REPLY_REASONS[replyCode] ??
      (permanent ? 'rejected by the receiving mail server' : 'temporarily refused by the receiving mail server');
    return new DeliveryError({ ...base, kind: permanent ? 'permanent' : 'transient', providerCode: String(replyCode), reason });
  }
  if (code === 'EENVELOPE') {
    return new DeliveryError({ ...base, kind: 'permanent', providerCode: code, reason: 'invalid sender or recipient address' });
  }
  const reason = CONNECTION_REASONS[socketCode] ?? CONNECTION_REASONS[code] ?? 'unexpected error while sending email';
  return new DeliveryError({
    ...base,
    kind: 'transient',
    providerCode: socketCode || undefined,
    reason,
    // Unless the connection was never made, the server may have taken the message before failing.
    maybeSent: !(NEVER_CONNECTED_CODES.has(socketCode) || code === 'EDNS' || code === 'ETLS'),
  });
}
