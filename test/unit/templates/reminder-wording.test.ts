import { describe, expect, it } from 'vitest';
import {
  countSmsSegments,
  createTemplateCatalog,
  DEFAULT_SMS_SEGMENT_LIMIT,
  renderMessage,
  sampleContext,
  sampleVariants,
  type ReminderContext,
} from '../../../src/templates/index.js';

const catalog = createTemplateCatalog();
const spaces = (text: string) => text.replace(/[\u00A0\u202F]/g, ' ');

function text(templateId: string, context: ReminderContext, locale = 'en'): string {
  return spaces(renderMessage(catalog, { templateId, channel: 'email', locale, context }).text);
}

describe('reminder wording', () => {
  const base = sampleContext('default/overdue-7');

  it('thanks for payments in several currencies, joined like the totals', () => {
    const received = [
      { currency: 'EUR', amountMinor: 50_000 },
      { currency: 'USD', amountMinor: 120_000 },
    ];
    expect(text('default/overdue-7', { ...base, received })).toContain(
      'Thank you for your payment of €500.00 + $1,200.00. The balance below remains overdue.',
    );
    expect(text('default/overdue-7', base)).not.toContain('Thank you for your payment');
  });

  it('totals every currency in the invoice table', () => {
    const rendered = text('default/overdue-7', base);
    for (const number of base.invoices.map((invoice) => invoice.number)) expect(rendered).toContain(number);
    expect(rendered).toContain('Total outstanding: €1,544.50 + $2,450.00');
  });

  it('renders a context built outside the ladder (statements, case actions) without the new fields', () => {
    const { upcoming: _upcoming, received: _received, creditHoldAlreadyPlaced: _hold, ...older } = base;
    const rendered = text('default/overdue-7', older);
    expect(rendered).not.toContain('Coming up');
    expect(rendered).not.toContain('Thank you for your payment');
    expect(text('default/credit-hold-45', { ...sampleContext('default/credit-hold-45'), creditHoldAlreadyPlaced: undefined })).toContain(
      'we have placed your account on credit hold',
    );
  });

  it('validates SMS length with a payment received in two currencies, on every SMS step and locale', () => {
    for (const templateId of ['default/overdue-7', 'default/firm-30', 'default/final-notice-60']) {
      for (const locale of ['en', 'ro', 'zh-CN', 'tr']) {
        const thanked = sampleVariants(templateId, { locale }).filter((context) => (context.received ?? []).length === 2);
        expect(thanked.length).toBeGreaterThan(0);
        for (const context of thanked) {
          const { body } = renderMessage(catalog, { templateId, channel: 'sms', locale, context });
          expect(countSmsSegments(body).segments, `${templateId} ${locale}: ${body}`).toBeLessThanOrEqual(DEFAULT_SMS_SEGMENT_LIMIT);
        }
      }
    }
  });
});
