/** What the caller should do next: never retry (`permanent`) or retry later with backoff (`transient`). */
export type DeliveryErrorKind = 'permanent' | 'transient';

/** Which provider refused or failed the delivery. */
export type DeliveryProvider = 'smtp' | 'twilio' | 'capture';

/** Everything needed to build a {@link DeliveryError}. */
export interface DeliveryErrorInit {
  kind: DeliveryErrorKind;
  provider: DeliveryProvider;
  /** Short, plain-language reason a collector can read on the contact log. */
  reason: string;
  /** The provider's own code: an SMTP reply code, a Twilio error code, or a socket error code. */
  providerCode?: string | undefined;
  /**
   * True when the request may have reached the provider and been accepted before the failure
   * (a timeout, a reset connection, a gateway error). Retrying blindly could then send twice, so
   * the caller should look the message up first (SMS: `findRecent`; email: the deterministic
   * Message-ID makes a second copy recognisable).
   */
  maybeSent?: boolean | undefined;
  /** The provider's full message, kept for operators; `reason` is the short form. */
  detail?: string | undefined;
  cause?: unknown;
}

/**
 * A delivery that did not go through, named by what should happen next. Transports throw only
 * this; anything else escaping a transport is a bug.
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  readonly kind: DeliveryErrorKind;
  readonly provider: DeliveryProvider;
  readonly reason: string;
  readonly providerCode: string | undefined;
  readonly maybeSent: boolean;

  constructor(init: DeliveryErrorInit) {
    super(init.detail ? `${init.reason}: ${init.detail}` : init.reason, { cause: init.cause });
    this.kind = init.kind;
    this.provider = init.provider;
    this.reason = init.reason;
    this.providerCode = init.providerCode;
    this.maybeSent = init.maybeSent ?? false;
  }

  /** Whether another attempt later could succeed. */
  get retryable(): boolean {
    return this.kind === 'transient';
  }
}

/** Socket-level error codes meaning the connection was never made, so nothing can have been sent. */
export const NEVER_CONNECTED_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Reads a string or number property off an unknown thrown value. */
export function errorField(error: unknown, field: string): string | number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = (error as Record<string, unknown>)[field];
  return typeof value === 'string' || typeof value === 'number' ? value : undefined;
}

/** The message of an unknown thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
