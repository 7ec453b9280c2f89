import { describe, expect, it } from 'vitest';
import { parsePhone, regionOfLocale } from '../../../src/ingest/phone.js';

describe('parsePhone: E.164 where the number allows it', () => {
  it.each([
    ['+40 721 234 567', 'RO', '+40721234567', true],
    ['0721 234 567', 'RO', '+40721234567', true],
    ['0040-721-234-567', 'RO', '+40721234567', true],
    ['+40 21 312 3456 (landline)', 'RO', '+40213123456', false],
    ['(212) 555-0143', 'US', '+12125550143', true],
    ['1-212-555-0143', 'US', '+12125550143', true],
    ['138 0013 8000', 'CN', '+8613800138000', true],
    ['0532 123 45 67', 'TR', '+905321234567', true],
    ['+90 232 441 10 20; fixed', 'TR', '+902324411020', false],
    ['06 1234 5678', 'IT', '+390612345678', true],
  ])('%s (%s) → %s', (text, region, e164, isMobile) => {
    expect(parsePhone(text, region)).toEqual({ ok: true, value: { e164, isMobile } });
  });

  it.each([
    ['0721 234 567', undefined, 'has no country code'],
    ['+40 72', 'RO', 'is not a valid international number'],
    ['call reception', 'RO', 'is not a phone number'],
    ['+0 721 234 567', 'RO', 'is not a valid international number'],
  ])('rejects %j', (text, region, reason) => {
    const result = parsePhone(text, region);
    expect(!result.ok && result.reason).toContain(reason);
  });

  it('finds the region of a bare language', () => {
    expect(['ro', 'tr', 'zh-CN', 'en', 'ro-MD'].map(regionOfLocale)).toEqual(['RO', 'TR', 'CN', 'US', 'MD']);
  });
});
