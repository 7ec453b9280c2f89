import { describe, expect, it } from 'vitest';
import { computeClaim, INTEREST_RULES, type ReferenceRate } from '../../../src/core/interest/index.js';
import { lateInterestContext } from '../../../src/dunning/late-interest.js';
import type { CustomerClaim } from '../../../src/reports/interest.report.js';
import { createTemplateCatalog, renderMessage, sampleContext } from '../../../src/templates/index.js';

const catalog = createTemplateCatalog();

const rates: ReferenceRate[] = [
  { source: 'ecb-mro', effectiveOn: '2024-06-12', rateBp: 425, fixedSumMinor: null, fixedSumCurrency: null },
  { source: 'ecb-mro', effectiveOn: '2024-12-18', rateBp: 315, fixedSumMinor: null, fixedSumCurrency: null },
  { source: 'ecb-mro', effectiveOn: '2025-02-05', rateBp: 290, fixedSumMinor: null, fixedSumCurrency: null },
];

// The EU example of the unit tests: €10,000 due 2024-12-01, to 2025-01-31: €195.38 and €40.
const claim: CustomerClaim = {
  ...computeClaim({
    invoice: { number: 'INV-2024-118', currency: 'EUR', amountMinor: 1_000_000n, dueOn: '2024-12-01' },
    payments: [],
    asOf: '2025-01-31',
    basis: { kind: 'statutory', rule: INTEREST_RULES['eu-late-payment'] },
    referenceRates: rates,
    allocation: 'principal-first',
    exchange: null,
  }),
  invoiceId: 'i',
  customerId: 'c',
  customerExternalId: 'C-1',
  customerName: 'Lyon SA',
};

describe('a final notice with late-payment interest', () => {
  const interest = lateInterestContext([claim], '2025-01-31');

  it.each([
    ['en', ['€195.38', '€40.00', '€10,000.00', '61 days late', '12.25%, 11.15%', 'Directive 2011/7/EU']],
    ['ro', ['195,38 EUR', '40,00 EUR', '10.000,00 EUR', '61 zile de întârziere', '12,25 %, 11,15 %', 'Dobânzi penalizatoare']],
    ['tr', ['€195,38', '€40,00', '€10.000,00', '61 gün gecikme', '%12,25, %11,15', 'Geç ödeme faizi']],
    ['zh-CN', ['€195.38', '€40.00', '€10,000.00', '逾期61天', '逾期付款利息及补偿']],
  ])('states principal, interest to date, compensation and the legal basis in %s', (locale, expected) => {
    const context = { ...sampleContext('default/final-notice-60', { locale }), interest };
    const message = renderMessage(catalog, { templateId: 'default/final-notice-60', channel: 'email', locale, context });
    if (message.channel !== 'email') throw new Error('expected an email');
    for (const text of [message.text, message.html]) {
      for (const figure of expected) expect(text.replaceAll('\u00a0', ' ').replaceAll('\u202f', ' ')).toContain(figure);
    }
  });

  it('says nothing about interest when the step claims none, or every claim is waived', () => {
    const plain = renderMessage(catalog, {
      templateId: 'default/final-notice-60',
      channel: 'email',
      locale: 'en',
      context: sampleContext('default/final-notice-60', { locale: 'en' }),
    });
    if (plain.channel !== 'email') throw new Error('expected an email');
    expect(plain.text).not.toContain('Late-payment interest');
    expect(
      lateInterestContext([{ ...claim, waived: { by: 'u', at: '2025-01-20T00:00:00Z', reason: 'goodwill' } }], '2025-01-31'),
    ).toBeNull();
  });

  it('names a contractual rate in the customer’s words instead of a statute', () => {
    const contract: CustomerClaim = { ...claim, basis: 'contract', citation: null, compensation: null };
    const interest = lateInterestContext([contract], '2025-01-31');
    expect(interest).toMatchObject({ legalBasis: null, contractual: true });
    for (const [locale, words] of [
      ['en', 'the rate agreed in our contract'],
      ['ro', 'rata convenită prin contract'],
      ['tr', 'sözleşmede kararlaştırılan faiz oranı'],
      ['zh-CN', '合同约定的利率'],
    ] as const) {
      const context = { ...sampleContext('default/final-notice-60', { locale }), interest };
      const message = renderMessage(catalog, { templateId: 'default/final-notice-60', channel: 'email', locale, context });
      if (message.channel !== 'email') throw new Error('expected an email');
      expect(message.text).toContain(words);
      expect(message.text).not.toContain('Directive');
      // No statutory compensation on a contractual rate: the claim and total lines name none (nor 0.00).
      const lines = message.text
        .split('\n')
        .filter((l) => /INV-2024-118|Interest to date|Dobândă până la zi|Bugüne kadar faiz|截至目前利息/.test(l));
      expect(lines).toHaveLength(2);
      for (const line of lines) expect(line).not.toMatch(/compensation|despăgubire|tazminat|补偿/);
    }
  });
});
