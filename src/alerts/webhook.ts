import { createHmac, timingSafeEqual } from 'node:crypto';

/** Where a signed JSON event goes. */
export interface WebhookTarget {
  url: string;
  secret: string;
}

export const SIGNATURE_HEADER = 'x-arrears-signature';

/** `sha256=<hex HMAC-SHA256 of the raw body>`, the same scheme as the inbound bounce webhook. */
export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Constant-time check of a signature header against a raw body (for receivers, and the tests). */
export function verifySignature(secret: string, body: string | Buffer, header: string | undefined | null): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(signBody(secret, body));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The receiver refused or could not be reached; the job retries with backoff. */
export class WebhookError extends Error {
  override readonly name = 'WebhookError';
}

/**
 * POSTs a JSON event with `X-Arrears-Event`, `X-Arrears-Delivery` (stable across retries, so the
 * receiver can de-duplicate) and `X-Arrears-Signature`. Any 2xx is success.
 */
export async function postSignedJson(
  target: WebhookTarget,
  event: string,
  deliveryId: string,
  payload: unknown,
  timeoutMs = 10_000,
): Promise<number> {
  const body = JSON.stringify(payload);
  let response: Response;
  try {
    response = await fetch(target.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'arrears-webhook/1',
        'x-arrears-event': event,
        'x-arrears-delivery': deliveryId,
        [SIGNATURE_HEADER]: signBody(target.secret, body),
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
