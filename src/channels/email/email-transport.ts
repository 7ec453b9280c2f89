/** Where a recipient can unsubscribe; at least one of the two. */
export interface UnsubscribeTarget {
  /** HTTPS endpoint accepting the RFC 8058 one-click POST. */
  url?: string;
  /** `mailto:` address (with or without the scheme) for clients that only speak mail. */
  mailto?: string;
}

/** One email, fully rendered, ready to leave the building. */
export interface OutgoingEmail {
  from: string;
  to: string;
  replyTo?: string;
  subject: string;
  text: string;
  html: string;
  /**
   * The Message-ID, built by {@link emailMessageId} from the contact's idempotency key. A send
   * cannot be undone; deriving the id from the key means a resend after a crash carries the same
   * Message-ID, so the copy can be recognised (by us, by bounces, by most mailbox providers).
   */
  messageId: string;
  /** Adds `List-Unsubscribe` and, for an HTTPS URL, `List-Unsubscribe-Post` (RFC 8058). */
  unsubscribe?: UnsubscribeTarget;
  /** Extra headers, e.g. `X-Arrears-Contact`. */
  headers?: Readonly<Record<string, string>>;
}

/** What the provider said when it accepted a message. */
export interface EmailSendResult {
  /** The id the provider knows the message by (for SMTP and capture, our Message-ID). */
  providerMessageId: string;
  provider: string;
  /** Where a capturing transport wrote the message, for the demo and dev. */
  filePath?: string;
}

/** Sends email. Implementations throw only `DeliveryError`. */
export interface EmailTransport {
  send(message: OutgoingEmail): Promise<EmailSendResult>;
  /** Finishes in-flight sends and releases connections. */
  close(): Promise<void>;
}

/** Characters allowed unescaped in the left part of a Message-ID (RFC 5322 atext, minus `=`). */
const ATEXT = /[A-Za-z0-9!#$%&'*+\-/?^_`{|}~]/;

/** Used when the sender's address has no usable domain. */
const FALLBACK_DOMAIN = 'arrears.local';

/**
 * The domain of a sender (`Accounts Receivable <ar@acme.example>`, `ar@acme.example`) or a bare
 * domain, lower-cased; `arrears.local` when there is none a Message-ID can carry.
 */
export function senderDomain(sender: string): string {
  const address = /<([^<>]*)>\s*$/.exec(sender)?.[1] ?? sender;
  const domain = (address.includes('@') ? address.slice(address.lastIndexOf('@') + 1) : address).trim().toLowerCase();
  return /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/.test(domain) ? domain : FALLBACK_DOMAIN;
}

/**
 * The deterministic Message-ID for an idempotency key: `<key@domain>`, the domain being the
 * sender's (EMAIL_FROM's) so the id is one the sender's domain vouches for. Every character a
 * Message-ID cannot hold is written as `=XX` (hex of its UTF-8 bytes), so distinct keys never
 * share an id. The left part is what replies are threaded by: it must not change.
 */
export function emailMessageId(idempotencyKey: string, sender: string): string {
  const domain = senderDomain(sender);
  let left = '';
  for (const char of idempotencyKey) {
    left += ATEXT.test(char)
      ? char
      : [...Buffer.from(char, 'utf8')].map((byte) => `=${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return `<${left}@${domain}>`;
}
