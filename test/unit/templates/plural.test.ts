import { describe, expect, it } from 'vitest';
import { pluralPhrase } from '../../../src/templates/plural.js';

describe('pluralPhrase', () => {
  const ro = { one: '# factură', few: '# facturi', other: '# de facturi' };
  it.each([
    [1, '1 factură'],
    [0, '0 facturi'],
    [2, '2 facturi'],
    [19, '19 facturi'],
    [20, '20 de facturi'],
    [101, '101 facturi'],
    [1000, '1.000 de facturi'],
  ])('Romanian %i → %s', (count, expected) => {
    expect(pluralPhrase(count, 'ro', ro)).toBe(expected);
  });

  it('uses the singular noun after a Turkish numeral and no plural in Chinese', () => {
    expect(pluralPhrase(3, 'tr', { one: '# fatura', other: '# fatura' })).toBe('3 fatura');
    expect(pluralPhrase(3, 'zh-CN', { other: '#张发票' })).toBe('3张发票');
  });

  it('falls back to other when a category has no form', () => {
    expect(pluralPhrase(1, 'en', { other: '# invoices' })).toBe('1 invoices');
    expect(pluralPhrase(1, 'en', { one: '# invoice', other: '# invoices' })).toBe('1 invoice');
    expect(pluralPhrase(1234, 'en', { one: '# day', other: '# days' })).toBe('1,234 days');
  });
});
