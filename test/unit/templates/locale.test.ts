import { describe, expect, it } from 'vitest';
import { formattingLocale, pickLocale, SHIPPED_LOCALES } from '../../../src/templates/locale.js';

describe('pickLocale', () => {
  it.each([
    ['en', 'en'],
    ['zh-CN', 'zh-CN'],
    ['zh-TW', 'zh-CN'],
    ['zh-HK', 'zh-CN'],
    ['zh-Hant-TW', 'zh-CN'],
    ['zh', 'zh-CN'],
    ['zh_tw', 'zh-CN'],
    ['ro', 'ro'],
    ['ro-MD', 'ro'],
    ['ro-RO', 'ro'],
    ['tr-CY', 'tr'],
    ['TR', 'tr'],
    ['en-GB', 'en'],
    ['de-DE', 'en'],
    ['', 'en'],
    ['not a locale!', 'en'],
  ])('%s → %s', (requested, expected) => {
    expect(pickLocale(requested, SHIPPED_LOCALES)).toBe(expected);
  });

  it('falls back to en when the template lacks the language', () => {
    expect(pickLocale('ro-MD', ['en'])).toBe('en');
    expect(pickLocale('zh-TW', ['en', 'ro'])).toBe('en');
  });

  it('prefers an exact locale an override added', () => {
    expect(pickLocale('zh-TW', [...SHIPPED_LOCALES, 'zh-TW'])).toBe('zh-TW');
  });
});

describe('formattingLocale', () => {
  it('keeps the customer’s regional format within the template language only', () => {
    expect(formattingLocale('en-GB', 'en')).toBe('en-GB');
    expect(formattingLocale('ro-MD', 'ro')).toBe('ro-MD');
    expect(formattingLocale('de-DE', 'en')).toBe('en');
    expect(formattingLocale('bogus!', 'tr')).toBe('tr');
  });
});
