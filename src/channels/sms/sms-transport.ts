/** One SMS, fully rendered. */
export interface OutgoingSms {
  /** E.164 number, e.g. `+40712345678`. */
  to: string;
  /** Sender for this message; defaults to the transport's configured sender. */
  from?: string;
  body: string;
  /** Where the provider reports delivery status (sent, delivered, undelivered, failed). */
  statusCallbackUrl?: string;
}

/** A message as the provider knows it. */
export interface SmsSendResult {
  /** The provider's id (Twilio: `SM…`). */
  providerMessageId: string;
  provider: string;
  /** The provider's status word, e.g. `queued`, `accepted`, `sent`, `delivered`, `failed`. */
  status: string;
}

/** What to look for when checking whether a message already reached the provider. */
export interface SmsLookup {
  to: string;
  /** Only messages the provider created at or after this instant. */
  sentAfter: Date;
  /** Only messages with exactly this body. */
  body?: string;
}

/** Sends SMS. Implementations throw only `DeliveryError`. */
export interface SmsTransport {
  send(message: OutgoingSms): Promise<SmsSendResult>;
  /**
   * The most recent message matching the lookup, if the provider has one. A delivery that
   * crashed between the provider's acceptance and our record uses this to find out whether the
   * message went, instead of resending blindly.
   */
  findRecent(lookup: SmsLookup): Promise<SmsSendResult | undefined>;
  close(): Promise<void>;
}
