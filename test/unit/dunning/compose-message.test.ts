import { describe, expect, it } from 'vitest';
import type { OpenInvoice } from '../../../src/core/domain.js';
import type { CaseSnapshot } from '../../../src/db/case-snapshot.repository.js';
import { composeMessage, reminderContext, type ComposeSettings, type ReminderSubject } from '../../../src/dunning/compose-message.js';
import { createTemplateCatalog, sampleContext } from '../../../src/templates/index.js';
import { aCase, aCustomer, aDispute, anInvoice, noHolds, NOW } from '../../support/builders.js';

const settings: ComposeSettings = {
  catalog: createTemplateCatalog(),
  company: sampleContext('default/overdue-7').company,
  unsubscribeUrl: () => null,
};

// Three overdue invoices in two currencies, one falling due next week and one disputed that also
// falls due later: the customer's whole ledger, as the step reads it.
const overdueEur = anInvoice({
  id: 'a-eur',
  number: 'INV-101',
  currency: 'EUR',
  amountMinor: 100_000,
  balanceMinor: 100_000,
  daysPastDue: 31,
});
const partPaidEur = anInvoice({
  id: 'b-eur',
  number: 'INV-102',
  currency: 'EUR',
  amountMinor: 80_000,
  balanceMinor: 25_050,
  daysPastDue: 12,
});
const overdueUsd = anInvoice({
  id: 'c-usd',
  number: 'INV-103',
  currency: 'USD',
  amountMinor: 123_450,
  balanceMinor: 123_450,
  daysPastDue: 3,
});
const nextWeek = anInvoice({ id: 'd-eur', number: 'INV-104', currency: 'EUR', amountMinor: 40_000, balanceMinor: 40_000, daysPastDue: -7 });
const disputedLater = anInvoice({
  id: 'e-eur',
  number: 'INV-105',
  currency: 'EUR',
  amountMinor: 9_900,
  balanceMinor: 9_900,
  daysPastDue: -20,
});
const overdue = [overdueEur, partPaidEur, overdueUsd];

function snapshot(options: { locale?: string; received?: CaseSnapshot['received']; creditHold?: boolean } = {}): CaseSnapshot {
  return {
    caseId: 'case-1',
    version: 1,
    customerName: 'Northwind SRL',
    input: aCase({
      customer: aCustomer({ locale: options.locale ?? 'en', timeZone: 'Europe/Bucharest' }),
      invoices: [overdueEur, partPaidEur, overdueUsd, nextWeek, disputedLater],
      disputes: [aDispute(disputedLater)],
      holds: noHolds({ creditHold: options.creditHold ?? false }),
      now: NOW,
    }),
    recipients: { email: 'ap@northwind.example', mobile: '+40722000111' },
    received: options.received ?? [],
  };
}

function covering(template: string, invoices: readonly OpenInvoice[]): ReminderSubject {
  return {
    policyId: 'default',
    stepId: template.split('/')[1]!,
    template,
    requiresOptOutLine: false,
    invoices: invoices.map((invoice) => ({ invoiceId: invoice.id, number: invoice.number, cycle: 1, stepId: 'x' })),
  };
}

// Intl separates amount and currency with no-break spaces; the expectations below use plain ones.
const spaces = (text: string) => text.replace(/[\u00A0\u202F]/g, ' ');

function email(template: string, options: Parameters<typeof snapshot>[0] = {}) {
  const draft = composeMessage(snapshot(options), { ...covering(template, overdue), type: 'email' }, settings);
  if (!draft) throw new Error('no draft');
  return { subject: spaces(draft.subject ?? ''), text: spaces(draft.text), html: spaces(draft.html ?? '') };
}

function sms(template: string, options: Parameters<typeof snapshot>[0] = {}) {
  const draft = composeMessage(snapshot(options), { ...covering(template, overdue), type: 'sms' }, settings);
  if (!draft) throw new Error('no draft');
  return draft.text;
}

const LOCALES = ['en', 'ro', 'zh-CN', 'tr'] as const;
const RECEIVED = [{ currency: 'EUR', amountMinor: 50_000 }];

describe('reminderContext', () => {
  it('covers every overdue invoice with a total per currency, and lists the rest not yet due, leaving out a disputed one', () => {
    const context = reminderContext(snapshot(), covering('default/firm-30', overdue), settings);
    expect(context.invoices.map((invoice) => invoice.number)).toEqual(['INV-101', 'INV-102', 'INV-103']);
    expect(context.totals).toEqual([
      { currency: 'EUR', balanceMinor: 125_050 },
      { currency: 'USD', balanceMinor: 123_450 },
    ]);
    expect(context.upcoming?.map((invoice) => [invoice.number, invoice.daysPastDue])).toEqual([['INV-104', -7]]);
  });

  it('lists nothing as coming up on a courtesy reminder, whose invoices already are the ones not yet due', () => {
    const context = reminderContext(snapshot(), covering('default/courtesy', [nextWeek]), settings);
    expect(context.invoices.map((invoice) => invoice.number)).toEqual(['INV-104']);
    expect(context.upcoming).toEqual([]);
  });

  it('passes on the payments received and whether the credit hold was already in place', () => {
    const fresh = reminderContext(snapshot(), covering('default/credit-hold-45', overdue), settings);
    expect(fresh.received).toEqual([]);
    expect(fresh.creditHoldAlreadyPlaced).toBe(false);
    const later = reminderContext(
      snapshot({ received: RECEIVED, creditHold: true }),
      covering('default/credit-hold-45', overdue),
      settings,
    );
    expect(later.received).toEqual(RECEIVED);
    expect(later.creditHoldAlreadyPlaced).toBe(true);
  });
});

// What the customer reads, per locale: the thanks line, the invoices coming up, the SMS count.
const WORDING = {
  en: {
    thanks: 'Thank you for your payment of €500.00. The balance below remains overdue.',
    comingUp: 'Coming up (not yet due):',
    remainsSubject: 'Your account remains on credit hold',
    placedSubject: 'Your account has been placed on credit hold',
    remainsBody: 'your account remains on credit hold.',
    smsThanks: 'Thank you for your payment of €500.00.',
    smsCount: '3 invoices, €1,250.50 + $1,234.50 overdue',
    firmHeld: 'Your account remains on credit hold: new orders and deliveries stay suspended',
    firmWarning: 'we will place your account on credit hold',
    finalHold: 'and the credit hold on your account',
  },
  ro: {
    thanks: 'Vă mulțumim pentru plata de 500,00 EUR. Soldul de mai jos rămâne restant.',
    comingUp: 'Urmează (încă nescadente):',
    remainsSubject: 'Creditul comercial al contului dumneavoastră rămâne suspendat',
    placedSubject: 'Creditul comercial al contului dumneavoastră a fost suspendat',
    remainsBody: 'creditul comercial al contului dumneavoastră rămâne suspendat.',
    smsThanks: 'Va multumim pentru plata de 500,00 EUR.',
    smsCount: '3 facturi restante, total 1.250,50 EUR + 1.234,50 USD',
    firmHeld: 'Creditul comercial al contului dumneavoastră rămâne suspendat: comenzile și livrările noi rămân oprite',
    firmWarning: 'vom suspenda creditul comercial acordat contului dumneavoastră',
    finalHold: 'și a suspendării creditului comercial',
  },
  'zh-CN': {
    thanks: '感谢贵公司支付的€500.00。以下余额仍逾期未付。',
    comingUp: '即将到期（尚未逾期）：',
    remainsSubject: '贵公司账户仍处于信用冻结状态',
    placedSubject: '贵公司账户已被实施信用冻结',
    remainsBody: '贵公司账户仍处于信用冻结状态。',
    smsThanks: '感谢您支付€500.00。',
    smsCount: '3张发票逾期未付，共€1,250.50 + US$1,234.50',
    firmHeld: '贵公司账户仍处于信用冻结状态，新订单及发货将继续暂停',
    firmWarning: '我们将对贵公司账户实施信用冻结',
    finalHold: '并已对账户实施信用冻结',
  },
  tr: {
    thanks: '€500,00 tutarındaki ödemeniz için teşekkür ederiz. Aşağıdaki bakiyenin vadesi geçmiş olup hâlâ ödenmemiştir.',
    comingUp: 'Yaklaşan ödemeler (vadesi henüz gelmemiş):',
    remainsSubject: 'Hesabınızdaki kredi blokesi devam etmektedir',
    placedSubject: 'Hesabınıza kredi blokesi konulmuştur',
    remainsBody: 'hesabınızdaki kredi blokesi devam etmektedir.',
    // Turkish SMS leave the amount out to stay within three UCS-2 parts; the email names it.
    smsThanks: 'Ödemeniz için teşekkürler.',
    smsCount: '3 fatura gecikmede: €1.250,50 + $1.234,50',
    firmHeld: 'Hesabınızdaki kredi blokesi devam etmektedir: bakiye kapatılana kadar',
    firmWarning: 'hesabınıza kredi blokesi koyacağız',
    finalHold: 've hesabınıza konulan kredi blokesine',
  },
} as const;

describe.each(LOCALES)('messages in %s', (locale) => {
  const words = WORDING[locale];

  it('thank the customer for a payment only when one was received', () => {
    const thanked = email('default/overdue-14', { locale, received: RECEIVED });
    expect(thanked.text).toContain(words.thanks);
    expect(thanked.html).toContain(words.thanks.replace(/(€500[.,]00|500,00 EUR)/, '<strong>$1</strong>'));
    const plain = email('default/overdue-14', { locale });
    expect(plain.text).not.toContain(words.thanks);
    expect(sms('default/firm-30', { locale, received: RECEIVED })).toContain(words.smsThanks);
    expect(sms('default/firm-30', { locale })).not.toContain(words.smsThanks);
  });

  it('name every overdue invoice with its total per currency, in key-account emails too', () => {
    for (const template of ['default/overdue-1', 'key-account/overdue-30']) {
      const { text, html } = email(template, { locale });
      for (const number of ['INV-101', 'INV-102', 'INV-103']) {
        expect(text).toContain(number);
        expect(html).toContain(number);
      }
      expect(text).toMatch(/1[.,]250[.,]50/);
      expect(text).toMatch(/1[.,]234[.,]50/);
    }
  });

  it('list the invoices coming up on an overdue step, not on the courtesy reminder', () => {
    const overdueStep = email('key-account/overdue-15', { locale });
    expect(overdueStep.text).toContain(words.comingUp);
    expect(overdueStep.text).toContain('INV-104');
    expect(overdueStep.text).not.toContain('INV-105');
    const courtesy = composeMessage(snapshot({ locale }), { ...covering('default/courtesy', [nextWeek]), type: 'email' }, settings)!;
    expect(spaces(courtesy.text)).toContain('INV-104');
    expect(spaces(courtesy.text)).not.toContain(words.comingUp);
  });

  it('say the account remains on credit hold when it already was, and announce it otherwise', () => {
    const remains = email('default/credit-hold-45', { locale, creditHold: true });
    expect(remains.subject).toContain(words.remainsSubject);
    expect(remains.text).toContain(words.remainsBody);
    expect(remains.html).toContain(words.remainsBody);
    expect(remains.text).not.toContain(words.placedSubject);
    const placed = email('default/credit-hold-45', { locale });
    expect(placed.subject).toContain(words.placedSubject);
    expect(placed.text).not.toContain(words.remainsBody);
  });

  it('do not threaten a credit hold that is already in place, nor mention one that is not', () => {
    const held = email('default/firm-30', { locale, creditHold: true });
    expect(held.text).toContain(words.firmHeld);
    expect(held.text).not.toContain(words.firmWarning);
    const warned = email('default/firm-30', { locale });
    expect(warned.text).toContain(words.firmWarning);
    expect(warned.text).not.toContain(words.firmHeld);
    expect(email('default/final-notice-60', { locale, creditHold: true }).text).toContain(words.finalHold);
    expect(email('default/final-notice-60', { locale }).text).not.toContain(words.finalHold);
  });

  it.each(['default/overdue-7', 'default/firm-30', 'default/final-notice-60'])('name the count and the total in the %s SMS', (template) => {
    expect(sms(template, { locale })).toContain(words.smsCount);
  });
});
