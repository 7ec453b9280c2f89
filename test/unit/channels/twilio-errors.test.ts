import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { classifyTwilioError, twilioErrorReason } from '../../../src/channels/sms/twilio-errors.js';

/** The error the twilio client throws for an HTTP error answer. */
function restException(statusCode: number, code?: number, message = 'provider message') {
  return new twilio.RestException({ statusCode, body: code === undefined ? '' : { code, message, more_info: '', status: statusCode } });
}

function networkError(code: string) {
  return Object.assign(new Error(`network ${code}`), { code });
}

describe('classifyTwilioError', () => {
  it.each([
    { status: 400, code: 21211, reason: 'invalid phone number' },
    { status: 400, code: 21614, reason: 'not a mobile number' },
    { status: 400, code: 21610, reason: 'recipient opted out of SMS (replied STOP)' },
    { status: 400, code: 21408, reason: 'SMS to this region is not enabled' },
    { status: 400, code: 30003, reason: 'handset unreachable' },
    { status: 400, code: 30007, reason: 'filtered by the carrier as spam' },
    { status: 400, code: 21620, reason: 'rejected by Twilio: provider message' },
    { status: 404, code: 20404, reason: 'rejected by Twilio: provider message' },
  ])('HTTP $status with code $code is permanent', ({ status, code, reason }) => {
    expect(classifyTwilioError(restException(status, code))).toMatchObject({
      kind: 'permanent',
      provider: 'twilio',
      providerCode: String(code),
      reason,
      maybeSent: false,
    });
  });

  it.each([
    { status: 429, code: 20429, reason: 'Twilio rate limit reached', maybeSent: false },
    { status: 500, code: 20500, reason: 'Twilio unavailable', maybeSent: true },
    { status: 503, code: undefined, reason: 'Twilio unavailable', maybeSent: true },
    { status: 401, code: 20003, reason: 'Twilio rejected our credentials (check the Twilio settings)', maybeSent: false },
  ])('HTTP $status is transient', ({ status, code, reason, maybeSent }) => {
    expect(classifyTwilioError(restException(status, code))).toMatchObject({
      kind: 'transient',
      providerCode: String(code ?? status),
      reason,
      maybeSent,
    });
  });

  it.each([
    { code: 'ECONNREFUSED', maybeSent: false, reason: 'network error talking to Twilio' },
    { code: 'ENOTFOUND', maybeSent: false, reason: 'network error talking to Twilio' },
    { code: 'ECONNRESET', maybeSent: true, reason: 'network error talking to Twilio' },
    { code: 'ECONNABORTED', maybeSent: true, reason: 'timed out talking to Twilio' },
  ])('network error $code is transient', ({ code, maybeSent, reason }) => {
    expect(classifyTwilioError(networkError(code))).toMatchObject({ kind: 'transient', providerCode: code, maybeSent, reason });
  });

  it('an error without an answer or a code is transient and may have been sent', () => {
    expect(classifyTwilioError(new Error('boom'))).toMatchObject({
      kind: 'transient',
      maybeSent: true,
      reason: 'unexpected error while sending SMS',
    });
  });

  it('names the codes status callbacks report', () => {
    expect(twilioErrorReason(30005)).toBe('unknown or inactive number');
    expect(twilioErrorReason(12345)).toBeUndefined();
  });
});
