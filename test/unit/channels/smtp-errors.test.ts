import { describe, expect, it } from 'vitest';
import { DeliveryError } from '../../../src/channels/delivery-error.js';
import { classifySmtpError } from '../../../src/channels/email/smtp-errors.js';

/** A failure shaped the way nodemailer reports it. */
function smtpFailure(fields: { code?: string; responseCode?: number; response?: string; originalCode?: string }) {
  return Object.assign(new Error(fields.response ?? 'smtp failure'), fields);
}

describe('classifySmtpError', () => {
  it.each([
    { reply: 550, kind: 'permanent', reason: /mailbox unavailable/ },
    { reply: 551, kind: 'permanent', reason: /not local/ },
    { reply: 552, kind: 'permanent', reason: /mailbox full/ },
    { reply: 553, kind: 'permanent', reason: /name not allowed/ },
    { reply: 554, kind: 'permanent', reason: /rejected/ },
    { reply: 557, kind: 'permanent', reason: /rejected/ },
    { reply: 503, kind: 'transient', reason: /temporarily refused/ },
    { reply: 421, kind: 'transient', reason: /unavailable/ },
    { reply: 450, kind: 'transient', reason: /temporarily unavailable/ },
    { reply: 451, kind: 'transient', reason: /temporary error/ },
    { reply: 452, kind: 'transient', reason: /out of storage/ },
  ])('reply $reply is $kind', ({ reply, kind, reason }) => {
    const error = classifySmtpError(smtpFailure({ code: 'EENVELOPE', responseCode: reply, response: `${reply} 5.1.1 no such user` }));
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ kind, provider: 'smtp', providerCode: String(reply), maybeSent: false });
    expect(error.reason).toMatch(reason);
    expect(error.message).toContain('no such user');
  });

  it.each([
    { code: 'ETIMEDOUT', maybeSent: true, reason: /timed out/ },
    { code: 'ECONNECTION', maybeSent: true, reason: /closed unexpectedly/ },
    { code: 'ESOCKET', maybeSent: true, reason: /network error/ },
    { code: 'ESOCKET', originalCode: 'ECONNREFUSED', maybeSent: false, reason: /refused the connection/ },
    { code: 'ECONNRESET', maybeSent: true, reason: /reset/ },
    { code: 'EDNS', maybeSent: false, reason: /could not be resolved/ },
    { code: 'ETLS', maybeSent: false, reason: /secure connection/ },
  ])('$code $originalCode is transient', ({ code, originalCode, maybeSent, reason }) => {
    const error = classifySmtpError(smtpFailure({ code, ...(originalCode ? { originalCode } : {}) }));
    expect(error).toMatchObject({ kind: 'transient', maybeSent, providerCode: originalCode ?? code });
    expect(error.reason).toMatch(reason);
  });

  it.each([
    { fields: { code: 'EAUTH', responseCode: 535 }, providerCode: '535' },
    { fields: { code: 'ENOAUTH' }, providerCode: 'ENOAUTH' },
  ])('a refused login ($providerCode) waits for the settings to be fixed', ({ fields, providerCode }) => {
    expect(classifySmtpError(smtpFailure(fields))).toMatchObject({
      kind: 'transient',
      providerCode,
      reason: expect.stringMatching(/login/),
    });
  });

  it('an envelope nodemailer refuses before any reply is permanent', () => {
    expect(classifySmtpError(smtpFailure({ code: 'EENVELOPE' }))).toMatchObject({
      kind: 'permanent',
      reason: 'invalid sender or recipient address',
    });
  });

  it('anything else is transient and may have been sent', () => {
    expect(classifySmtpError(new TypeError('boom'))).toMatchObject({ kind: 'transient', maybeSent: true, providerCode: undefined });
  });

  it('passes a DeliveryError through', () => {
    const original = new DeliveryError({ kind: 'permanent', provider: 'smtp', reason: 'x' });
    expect(classifySmtpError(original)).toBe(original);
  });
});
