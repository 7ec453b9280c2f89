import { DeliveryError, NEVER_CONNECTED_CODES, errorField, errorMessage } from '../delivery-error.js';

/** Twilio error code for a recipient who replied STOP: their SMS consent is gone. */
export const TWILIO_OPTED_OUT = 21610;

/**
 * Twilio error codes that end a message for good, with a reason a collector can read. The 3000x
 * codes arrive on status callbacks rather than API responses, but read the same on the log.
 */
const PERMANENT_REASONS: Readonly<Record<number, string>> = {
  21211: 'invalid phone number',
  21214: 'phone number cannot be reached',
  21217: 'phone number does not appear to be valid',
  21408: 'SMS to this region is not enabled',
  [TWILIO_OPTED_OUT]: 'recipient opted out of SMS (replied STOP)',
  21612: 'this number cannot receive SMS from our sender',
  21614: 'not a mobile number',
  21606: 'our sender number cannot send SMS',
  30003: 'handset unreachable',
  30004: 'message blocked by the recipient or carrier',
  30005: 'unknown or inactive number',
  30006: 'landline or unreachable carrier',
  30007: 'filtered by the carrier as spam',
  30008: 'unknown delivery error at the carrier',
};

/** A collector-readable reason for a Twilio error code, when we know one. */
export function twilioErrorReason(code: number): string | undefined {
  return PERMANENT_REASONS[code];
}

/**
 * Classifies a failure of the twilio client. An HTTP answer (a `RestException` or
 * `TwilioServiceException`) is read by its status and Twilio error code: 429 and 5xx are
 * transient, known error codes and other 4xx permanent. A failure without an answer is a network
 * problem and transient.
 */
export function classifyTwilioError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const status = errorField(error, 'status');
  const twilioCode = errorField(error, 'code');
  const detail = String(errorField(error, 'detail') ?? errorMessage(error));
  const base = { provider: 'twilio', detail, cause: error } as const;

  if (typeof status === 'number') {
    const providerCode = twilioCode === undefined ? String(status) : String(twilioCode);
    const known = typeof twilioCode === 'number' ? PERMANENT_REASONS[twilioCode] : undefined;
    if (known) return new DeliveryError({ ...base, kind: 'permanent', providerCode, reason: known });
    if (status === 429) return new DeliveryError({ ...base, kind: 'transient', providerCode, reason: 'Twilio rate limit reached' });
    // A gateway error can come after Twilio created the message, hence maybeSent.
    if (status >= 500)
      return new DeliveryError({ ...base, kind: 'transient', providerCode, reason: 'Twilio unavailable', maybeSent: true });
    // Our credentials, not the recipient: wait for the fix rather than lose the reminder.
    if (status === 401 || twilioCode === 20003) {
      return new DeliveryError({
        ...base,
        kind: 'transient',
        providerCode,
        reason: 'Twilio rejected our credentials (check the Twilio settings)',
      });
    }
    return new DeliveryError({ ...base, kind: 'permanent', providerCode, reason: `rejected by Twilio: ${detail}` });
  }
  const networkCode = typeof twilioCode === 'string' ? twilioCode : undefined;
  const timedOut = networkCode === 'ECONNABORTED' || networkCode === 'ETIMEDOUT';
  return new DeliveryError({
    ...base,
    kind: 'transient',
    providerCode: networkCode,
    reason: timedOut
      ? 'timed out talking to Twilio'
      : networkCode
        ? 'network error talking to Twilio'
        : 'unexpected error while sending SMS',
    maybeSent: !(networkCode && NEVER_CONNECTED_CODES.has(networkCode)),
  });
}
