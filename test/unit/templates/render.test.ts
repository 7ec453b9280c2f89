import { describe, expect, it } from 'vitest';
import {
  createTemplateCatalog,
  previewTemplate,
  renderMessage,
  sampleContext,
  SHIPPED_TEMPLATES,
  TemplateError,
  validateCatalog,
} from '../../../src/templates/index.js';

const catalog = createTemplateCatalog();

const shippedCases = SHIPPED_TEMPLATES.flatMap(({ id, channels, locales }) =>
  locales.flatMap((locale) => channels.map((channel) => [id, locale, channel] as const)),
);

describe('shipped templates', () => {
  it('pass validation', () => {
    expect(() => validateCatalog(catalog)).not.toThrow();
  });

  it.each(shippedCases)('%s renders in %s by %s', (templateId, locale, channel) => {
    const message = renderMessage(catalog, { templateId, channel, locale, context: sampleContext(templateId, { locale }) });
    expect(message.locale).toBe(locale);
    const parts =
      message.channel === 'email'
        ? [message.subject, message.html, message.text]
        : message.channel === 'sms'
          ? [message.body]
          : [message.title, message.body];
    for (const part of parts) expect(part.trim()).not.toBe('');
    if (message.channel === 'email') {
      expect(message.subject).not.toContain('\n');
      expect(message.html).toMatch(/^<!DOCTYPE html>/);
      expect(message.text).not.toMatch(/<[a-z]/);
    }
  });

  it('keeps English and Romanian SMS in GSM-7, Chinese and Turkish in UCS-2', () => {
    const encodings = ['en', 'ro', 'zh-CN', 'tr'].map(
      (locale) =>
        renderMessage(catalog, {
          templateId: 'default/firm-30',
          channel: 'sms',
          locale,
          context: sampleContext('default/firm-30', { locale }),
        }).encoding,
    );
    expect(encodings).toEqual(['GSM-7', 'GSM-7', 'UCS-2', 'UCS-2']);
  });
});

describe('renderMessage', () => {
  const context = sampleContext('default/overdue-7');

  it('formats amounts and dates for the template locale', () => {
    const ro = renderMessage(catalog, { templateId: 'default/overdue-7', channel: 'email', locale: 'ro-MD', context });
    expect(ro.locale).toBe('ro');
    expect(ro.text).toContain('1.544,50\u00a0EUR + 2.450,00\u00a0USD');
    expect(ro.text).toContain('scadentă la 10 mar. 2025');
    expect(ro.text).toContain('restantă de 7 zile');
  });

  it('falls back from zh-TW to zh-CN and from an unknown language to en', () => {
    expect(renderMessage(catalog, { templateId: 'default/overdue-7', channel: 'sms', locale: 'zh-TW', context }).locale).toBe('zh-CN');
    expect(renderMessage(catalog, { templateId: 'default/overdue-7', channel: 'sms', locale: 'de-AT', context }).locale).toBe('en');
    expect(
      renderMessage(catalog, { templateId: 'manager-alert', channel: 'email', locale: 'tr', context: sampleContext('manager-alert') })
        .locale,
    ).toBe('en');
  });

  it('strips no-break spaces from SMS amounts so they do not force UCS-2', () => {
    const sms = renderMessage(catalog, { templateId: 'default/overdue-7', channel: 'sms', locale: 'ro', context });
    expect(sms.body).toContain('1.544,50 EUR + 2.450,00 USD');
    expect(sms.encoding).toBe('GSM-7');
  });

  it('escapes a hostile customer name in HTML and leaves it verbatim in text', () => {
    const name = '<script>alert("x")</script> O\'Brien & Sons';
    const hostile = { ...context, customer: { ...context.customer, name } };
    const email = renderMessage(catalog, { templateId: 'default/overdue-7', channel: 'email', locale: 'en', context: hostile });
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#x27;Brien &amp; Sons');
    expect(email.text).toContain(name);
    expect(email.subject).not.toContain('&amp;');
  });

  it('shows the opt-out line only when required, with the link when there is one', () => {
    const render = (patch: Partial<typeof context>) =>
      renderMessage(catalog, { templateId: 'default/overdue-7', channel: 'email', locale: 'en', context: { ...context, ...patch } }).text;
    expect(render({})).toContain('unsubscribe here: https://pay.delta-supply.example/u/7Q4K9X');
    expect(render({ unsubscribeUrl: undefined })).toContain('reply to this message with the word "unsubscribe"');
    expect(render({ optOutRequired: false })).not.toMatch(/unsubscribe/);
    const sms = renderMessage(catalog, {
      templateId: 'default/overdue-7',
      channel: 'sms',
      locale: 'en',
      context: { ...context, optOutRequired: false },
    });
    expect(sms.body).not.toContain('STOP');
  });

  it('names the template when a channel does not exist', () => {
    expect(() => renderMessage(catalog, { templateId: 'default/overdue-14', channel: 'sms', locale: 'en', context })).toThrow(
      TemplateError,
    );
  });

  it('throws naming the file when the context lacks a variable', () => {
    const { company: _company, ...partial } = context;
    expect(() =>
      renderMessage(catalog, { templateId: 'default/overdue-1', channel: 'email', locale: 'en', context: partial as typeof context }),
    ).toThrow(/messages\/default\/overdue-1\/en\/email\.subject\.hbs: "name" not defined/);
  });
});

describe('payment-plan reminders', () => {
  const instalment = { amountMinor: 1250000, sequence: 3, count: 6 };

  it('show the instalment amount and date in Romanian', () => {
    const context = {
      ...sampleContext('payment-plan/instalment-upcoming'),
      instalment: { ...instalment, currency: 'RON', dueOn: '2025-03-20' },
    };
    const email = renderMessage(catalog, { templateId: 'payment-plan/instalment-upcoming', channel: 'email', locale: 'ro', context });
    expect(email.subject).toBe('Plan de plată: rata 3 din 6 (12.500,00 RON) scadentă la 20 mar. 2025 – Delta Industrial Supply');
    expect(email.text).toContain(
      'rata 3 din 6, în valoare de 12.500,00\u00a0RON, ajunge la scadență la data de 20 martie 2025 (peste 3 zile)',
    );
    expect(email.html).toContain('<strong>12.500,00\u00a0RON</strong>');
  });

  it('show the missed instalment amount and date in Turkish', () => {
    const context = {
      ...sampleContext('payment-plan/instalment-missed'),
      instalment: { ...instalment, currency: 'TRY', dueOn: '2025-03-14' },
    };
    const email = renderMessage(catalog, { templateId: 'payment-plan/instalment-missed', channel: 'email', locale: 'tr', context });
    expect(email.subject).toBe('Ödenmemiş ödeme planı taksidi: ₺12.500,00, vade 14 Mar 2025 – Delta Industrial Supply');
    expect(email.text).toContain(
      '3. taksidinin (toplam 6 taksit) vadesi 14 Mart 2025 tarihinde dolmuş olmasına rağmen ₺12.500,00 tutarındaki',
    );
  });

  it("cover only the plan's currency in the sample and mention the last instalment only when it is", () => {
    const context = sampleContext('payment-plan/instalment-upcoming');
    expect(context.instalment).toEqual({ dueOn: '2025-03-20', amountMinor: 30890, currency: 'EUR', sequence: 2, count: 5 });
    const render = (sequence: number) =>
      renderMessage(catalog, {
        templateId: 'payment-plan/instalment-upcoming',
        channel: 'email',
        locale: 'en',
        context: { ...context, instalment: { ...context.instalment, sequence } },
      }).text;
    expect(render(2)).not.toContain('INV-2025-0163');
    expect(render(2)).not.toContain('final instalment');
    expect(render(5)).toContain(
      'instalment 5 of 5, €308.90, falls due on March 20, 2025 (in 3 days).\n\nThis is the final instalment of your plan.\n\nThe plan covers',
    );
  });
});

describe('previewTemplate', () => {
  it('prints an email with sample data', () => {
    const { printable } = previewTemplate(catalog, { templateId: 'key-account/overdue-30', locale: 'tr' });
    expect(printable).toMatch(/^# channel: email, locale: tr\nSubject: 30 gündür vadesi geçmiş ödeme/);
    expect(printable).toContain('--- html ---');
  });

  it('picks the only channel a template has and takes real data', () => {
    const context = { ...sampleContext('call-task'), callTask: { reason: 'Broken promise', phone: null, lastContact: null } };
    const { message, printable } = previewTemplate(catalog, { templateId: 'call-task', locale: 'en', context });
    expect(message.channel).toBe('task');
    expect(printable).toContain('Phone: none on file');
  });
});
