import { createHmac, timingSafeEqual } from 'node:crypto';

/** Where a signed JSON event goes. */
export interface WebhookTarget {
  url: string;
  secret: string;
}

/** `Arrears-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export const SIGNATURE_HEADER = 'arrears-signature';
/** The event's delivery id: the same on every retry of one delivery, for the receiver to de-duplicate by. */
export const DELIVERY_HEADER = 'x-arrears-delivery';
/** How far a receiver should let `t` be from its own clock, either way (what {@link verifyWebhookSignature} defaults to). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

function hmac(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/**
 * The `Arrears-Signature` value for `body` sent at `at`. The timestamp is signed with the body,
 * so a captured request cannot be sent again later with a fresh time: a receiver refuses it once
 * `t` is older than its tolerance, and de-duplicates by `X-Arrears-Delivery` inside it.
 */
export function signWebhook(secret: string, body: string | Buffer, at: Date): string {
  const timestamp = Math.floor(at.getTime() / 1000);
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

export type WebhookVerification = { ok: true; timestamp: number } | { ok: false; reason: 'malformed' | 'signature' | 'stale' };

/**
 * What a receiver runs on each request (and the tests do): the `Arrears-Signature` header
 * against the raw body as received, in constant time, then `t` against `now` within
 * `toleranceSeconds` either way. Any of several `v1=` entries may match (a secret being rotated).
 */
export function verifyWebhookSignature(
  secret: string,
  body: string | Buffer,
  header: string | undefined | null,
  options: { now: Date; toleranceSeconds?: number },
): WebhookVerification {
  if (typeof header !== 'string') return { ok: false, reason: 'malformed' };
  const parts = header.split(',').map((part) => part.trim().split('='));
  const t = parts.find(([key]) => key === 't')?.[1];
  const signatures = parts.filter(([key, value]) => key === 'v1' && value !== undefined).map(([, value]) => value!);
  if (t === undefined || !/^\d{1,12}$/.test(t) || signatures.length === 0) return { ok: false, reason: 'malformed' };
  const timestamp = Number(t);
  const expected = Buffer.from(hmac(secret, timestamp, body));
  const matches = signatures.some((given) => {
    const actual = Buffer.from(given.toLowerCase());
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  });
  if (!matches) return { ok: false, reason: 'signature' };
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (Math.abs(options.now.getTime() / 1000 - timestamp) > tolerance) return { ok: false, reason: 'stale' };
  return { ok: true, timestamp };
}

/** The receiver refused or could not be reached; the job retries with backoff. */
export class WebhookError extends Error {
  override readonly name = 'WebhookError';
}

/**
 * POSTs a JSON event with `X-Arrears-Event`, `X-Arrears-Delivery` (stable across retries, so the
 * receiver can de-duplicate) and `Arrears-Signature` over the time `at` and the body (signed
 * afresh on each retry). Any 2xx is success.
 */
export async function postSignedJson(
  target: WebhookTarget,
  event: string,
  deliveryId: string,
  payload: unknown,
  at: Date,
  timeoutMs = 10_000,
): Promise<number> {
  const body = JSON.stringify(payload);
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'arrears-webhook/2',
        'x-arrears-event': event,
        [DELIVERY_HEADER]: deliveryId,
        [SIGNATURE_HEADER]: signWebhook(target.secret, body, at),
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new WebhookError(`${event} webhook could not be delivered: ${(error as Error).message}`);
  }
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new WebhookError(`${event} webhook answered ${response.status}`);
  return response.status;
}
