import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from '../../../src/alerts/webhook.js';

const SECRET = 'erp-webhook-secret-0123456789';
const BODY = '{"event":"credit_hold.placed","holdId":"h-1"}';
const SENT = new Date('2026-03-02T10:00:00Z');
const T = SENT.getTime() / 1000;
const later = (seconds: number) => new Date(SENT.getTime() + seconds * 1000);

describe('Arrears-Signature on outgoing webhooks', () => {
  it('is t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">, as the README tells receivers', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signWebhook(SECRET, BODY, SENT)).toBe(`t=${T},v1=${expected}`);
  });

  it('verifies the body as sent, within the tolerance either way', () => {
    const header = signWebhook(SECRET, BODY, SENT);
    expect(verifyWebhookSignature(SECRET, BODY, header, { now: SENT })).toEqual({ ok: true, timestamp: T });
    expect(verifyWebhookSignature(SECRET, Buffer.from(BODY), header, { now: later(299) }).ok).toBe(true);
    expect(verifyWebhookSignature(SECRET, BODY, header, { now: later(-299) }).ok).toBe(true);
  });

  it.each([
    ['a changed body', BODY.replace('h-1', 'h-2'), (h: string) => h, 'signature'],
    ['another secret', BODY, () => signWebhook('another-secret-0123456789', BODY, SENT), 'signature'],
    ['the time moved on a captured signature', BODY, (h: string) => h.replace(`t=${T}`, `t=${T + 600}`), 'signature'],
    ['the old body-only scheme', BODY, () => `sha256=${createHmac('sha256', SECRET).update(BODY).digest('hex')}`, 'malformed'],
    ['no v1', BODY, () => `t=${T}`, 'malformed'],
    ['no t', BODY, (h: string) => h.replace(/^t=\d+,/, ''), 'malformed'],
  ])('refuses %s', (_case, body, header, reason) => {
    expect(verifyWebhookSignature(SECRET, body, header(signWebhook(SECRET, BODY, SENT)), { now: SENT })).toEqual({ ok: false, reason });
  });

  it('refuses a request replayed after the tolerance, or signed too far ahead', () => {
    const header = signWebhook(SECRET, BODY, SENT);
    expect(verifyWebhookSignature(SECRET, BODY, header, { now: later(301) })).toEqual({ ok: false, reason: 'stale' });
    expect(verifyWebhookSignature(SECRET, BODY, header, { now: later(-301) })).toEqual({ ok: false, reason: 'stale' });
    expect(verifyWebhookSignature(SECRET, BODY, header, { now: later(3_600), toleranceSeconds: 7_200 }).ok).toBe(true);
    expect(verifyWebhookSignature(SECRET, BODY, undefined, { now: SENT })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('takes any of several v1 signatures (a secret being rotated)', () => {
    const old = signWebhook('old-secret-0123456789abcdef', BODY, SENT).split(',')[1]!;
    const header = `${signWebhook(SECRET, BODY, SENT)},${old}`;
    expect(verifyWebhookSignature('old-secret-0123456789abcdef', BODY, header, { now: SENT }).ok).toBe(true);
    expect(verifyWebhookSignature(SECRET, BODY, header, { now: SENT }).ok).toBe(true);
  });
});
