import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { classifyReply, type ReplyContext, type ReplyMessage, type ReplyVerdict } from '../../../src/core/replies.js';

// The person-written rules, one row per class and locale, with the near-misses each must not catch.
// Received on Sunday 6 December 2026, 10:00 in Bucharest.
const context: ReplyContext = {
  receivedAt: DateTime.fromISO('2026-12-06T10:00:00', { zone: 'Europe/Bucharest' }),
  currency: 'EUR',
  invoiceNumbers: ['INV-1001', 'INV-1002', 'F-77'],
};

const email = (text: string, subject = 'Re: Invoice INV-1001 is overdue'): ReplyMessage => ({
  channel: 'email',
  subject,
  text,
  headers: new Map(),
  deliveryStatus: null,
});
const sms = (text: string): ReplyMessage => ({ channel: 'sms', subject: null, text, headers: new Map(), deliveryStatus: null });

const classify = (message: ReplyMessage): ReplyVerdict => classifyReply(message, context);

describe('promise, per locale', () => {
  it.each([
    // en
    ['We will pay on 15 March.', 'promise.en', '2027-03-15', undefined],
    ['Payment will be made by 3/15.', 'promise.en', '2027-03-15', undefined],
    ['We will pay €1,200.50 on 15 March.', 'promise.en', '2027-03-15', { minor: 120050, currency: 'EUR' }],
    ["We'll transfer 980 by March 15th, 2027.", 'promise.en', '2027-03-15', { minor: 98000, currency: 'EUR' }],
    ['I can pay next Friday.', 'promise.en', '2026-12-11', undefined],
    ['We will settle the balance by the end of the month.', 'promise.en', '2026-12-31', undefined],
    ['We will definitely pay tomorrow.', 'promise.en', '2026-12-07', undefined],
    ['We are going to pay within 5 business days.', 'promise.en', '2026-12-11', undefined],
    ['We will pay on the 20th.', 'promise.en', '2026-12-20', undefined],
    ['We will pay $300 on 2027-01-08.', 'promise.en', '2027-01-08', { minor: 30000, currency: 'USD' }],
    ['We’ll pay it on Friday.', 'promise.en', '2026-12-11', undefined],
    ['We are paying the balance on 14 December.', 'promise.en', '2026-12-14', undefined],
    // ro
    ['Vom plăti pe 15 martie.', 'promise.ro', '2027-03-15', undefined],
    ['Vom plati 1.200,50 lei pe 15 martie', 'promise.ro', '2027-03-15', { minor: 120050, currency: 'RON' }],
    ['Plata va fi efectuată vineri.', 'promise.ro', '2026-12-11', undefined],
    ['O să achităm factura până la sfârșitul lunii.', 'promise.ro', '2026-12-31', undefined],
    ['Vom vira suma pe 20.12.2026.', 'promise.ro', '2026-12-20', undefined],
    // tr
    ["15 Mart'ta ödeyeceğiz.", 'promise.tr', '2027-03-15', undefined],
    ['Ödemeyi 20.12.2026 tarihinde yapacağız.', 'promise.tr', '2026-12-20', undefined],
    ['1.500,25 TL tutarı cuma günü ödeyeceğiz.', 'promise.tr', '2026-12-11', { minor: 150025, currency: 'TRY' }],
    ['Ay sonunda havale edeceğiz.', 'promise.tr', '2026-12-31', undefined],
    ['Yarın ödenecek.', 'promise.tr', '2026-12-07', undefined],
    ['Cuma günü öderiz.', 'promise.tr', '2026-12-11', undefined],
    ["15 Mart'ta ödeyeceğimizi bildiririz.", 'promise.tr', '2027-03-15', undefined],
    // zh-CN
    ['我们将在3月15日付款。', 'promise.zh-CN', '2027-03-15', undefined],
    ['我们会在月底前付清。', 'promise.zh-CN', '2026-12-31', undefined],
    ['我们计划于2027年1月8日支付¥5,000。', 'promise.zh-CN', '2027-01-08', { minor: 500000, currency: 'CNY' }],
    ['下周五付款。', 'promise.zh-CN.dated', '2026-12-11', undefined],
    ['１２月２０日前付清。', 'promise.zh-CN.dated', '2026-12-20', undefined],
  ])('%s', (text, rule, promisedOn, amount) => {
    const verdict = classify(email(text));
    expect(verdict).toMatchObject({ classification: 'promise', rule, promisedOn, fromPerson: true });
    expect(verdict.promisedAmount).toEqual(amount);
  });

  it.each([
    ['We will pay soon.', 'other.promise-without-date'],
    ['We will not pay on 15 March, the invoice is under review.', 'other'],
    ["We won't pay by Friday.", 'other'],
    ['Nu vom plăti pe 15 martie.', 'other'],
    ["15 Mart'ta ödemeyeceğiz.", 'other'],
    ['我们不会在3月15日付款。', 'other'],
    ['Please pay by 15 March.', 'other'],
  ])('not a promise: %s', (text, rule) => {
    expect(classify(email(text))).toMatchObject({ classification: 'other', rule });
  });

  it('resolves against the zone and day it was received: "Friday" on a Friday is a week on', () => {
    const friday = DateTime.fromISO('2026-12-11T23:30:00', { zone: 'Asia/Shanghai' });
    expect(classifyReply(email('We will pay on Friday.'), { ...context, receivedAt: friday }).promisedOn).toBe('2026-12-18');
  });

  it('takes the customer currency for a bare amount, and none when there is none', () => {
    expect(classifyReply(email('We will pay 1,200 on 15 March.'), { ...context, currency: 'GBP' }).promisedAmount).toEqual({
      minor: 120000,
      currency: 'GBP',
    });
    expect(classifyReply(email('We will pay 1,200 on 15 March.'), { ...context, currency: null })).not.toHaveProperty('promisedAmount');
  });
});

describe('opt_out', () => {
  it.each([
    [email('Please stop emailing me.'), 'opt_out.en.stop'],
    [email("Don't contact us again about this."), 'opt_out.en.stop'],
    [email('Don’t email me again.'), 'opt_out.en.stop'],
    [email('Unsubscribe'), 'opt_out.sms-keyword'],
    [email('Please unsubscribe me from these reminders.'), 'opt_out.en.unsubscribe'],
    [email('Remove me from your mailing list.'), 'opt_out.en.remove'],
    [email('Vă rog să nu-mi mai trimiteți e-mailuri.'), 'opt_out.ro'],
    [email('Scoateți-mă de pe listă, vă rog.'), 'opt_out.ro'],
    [email('Bana bir daha e-posta göndermeyin.'), 'opt_out.tr'],
    [email('Lütfen beni listeden çıkarın.'), 'opt_out.tr'],
    [email('请不要再给我发邮件。'), 'opt_out.zh-CN'],
    [email('退订'), 'opt_out.sms-keyword'],
    [sms('STOP'), 'opt_out.sms-keyword'],
    [sms('stop.'), 'opt_out.sms-keyword'],
    [sms('TD'), 'opt_out.sms-keyword'],
  ])('%o', (message, rule) => {
    expect(classify(message)).toMatchObject({ classification: 'opt_out', rule, fromPerson: true });
  });

  it.each([
    'We will stop the payment until the credit note arrives.',
    'Please stop the direct debit, we will pay by transfer.',
    'Vom opri plata până primim nota de credit.',
    'Ödemeyi durduracağız.',
    '我们将停止付款。',
    'Stop by our office any time.',
  ])('not an opt-out: %s', (text) => {
    expect(classify(email(text)).classification).not.toBe('opt_out');
  });

  it('wins over a promise in the same message', () => {
    expect(classify(email('We will pay on 15 March. Stop emailing me.')).classification).toBe('opt_out');
  });
});

describe('dispute', () => {
  it.each([
    ['The amount on INV-1001 is wrong.', 'dispute.en.wrong-amount', ['INV-1001']],
    ['You overcharged us on INV-1002.', 'dispute.en.wrong-amount', ['INV-1002']],
    ['We have not received the goods yet.', 'dispute.en.not-received', []],
    ['We already returned the goods for F-77.', 'dispute.en.returned', ['F-77']],
    ['The items arrived damaged.', 'dispute.en.damaged', []],
    ['We never ordered this.', 'dispute.en.not-ordered', []],
    ['We dispute this invoice.', 'dispute.en.contest', []],
    ['Suma de pe factura INV-1001 este greșită.', 'dispute.ro.wrong-amount', ['INV-1001']],
    ['Nu am primit marfa.', 'dispute.ro.not-received', []],
    ['Am returnat produsele luna trecută.', 'dispute.ro.returned', []],
    ['Produsele au sosit deteriorate.', 'dispute.ro.damaged', []],
    ['Nu am comandat aceste produse.', 'dispute.ro.not-ordered', []],
    ['Contestăm factura INV-1001.', 'dispute.ro.contest', ['INV-1001']],
    ['INV-1002 faturasındaki tutar yanlış.', 'dispute.tr.wrong-amount', ['INV-1002']],
    ['Ürünler henüz gelmedi.', 'dispute.tr.not-received', []],
    ['Ürünleri iade ettik.', 'dispute.tr.returned', []],
    ['Mallar hasarlı geldi.', 'dispute.tr.damaged', []],
    ['Bu ürünleri sipariş etmedik.', 'dispute.tr.not-ordered', []],
    ['Bu faturaya itiraz ediyoruz.', 'dispute.tr.contest', []],
    ['发票INV-1001金额有误。', 'dispute.zh-CN.wrong-amount', ['INV-1001']],
    ['我们还没收到货。', 'dispute.zh-CN.not-received', []],
    ['我们已经退货了。', 'dispute.zh-CN.returned', []],
    ['货物有损坏。', 'dispute.zh-CN.damaged', []],
    ['我们从未订购这些产品。', 'dispute.zh-CN.not-ordered', []],
    ['我们对这张发票有异议。', 'dispute.zh-CN.contest', []],
  ])('%s', (text, rule, invoiceNumbers) => {
    expect(classify(email(text, 'Invoice question'))).toMatchObject({ classification: 'dispute', rule, invoiceNumbers, fromPerson: true });
  });

  it.each([
    'We received the goods, thank you.',
    'The amount is correct, we will pay on Friday.',
    'Am primit marfa, mulțumim.',
    '货已收到，谢谢。',
  ])('not a dispute: %s', (text) => {
    expect(classify(email(text)).classification).not.toBe('dispute');
  });

  it('names an invoice only as a whole number: INV-10 is not INV-100', () => {
    const verdict = classifyReply(email('The amount on INV-100 is wrong.', 'Question'), {
      ...context,
      invoiceNumbers: ['INV-10', 'INV-100'],
    });
    expect(verdict.invoiceNumbers).toEqual(['INV-100']);
  });
});

describe('paid_claim', () => {
  it.each([
    ['We paid last week.', 'paid_claim.en.paid', []],
    ['Payment was sent on Friday for INV-1001.', 'paid_claim.en.paid', ['INV-1001']],
    ["I've already transferred the money.", 'paid_claim.en.paid', []],
    ['Please find attached the remittance advice for INV-1002.', 'paid_claim.en.remittance', ['INV-1002']],
    ['Am plătit factura INV-1001 ieri.', 'paid_claim.ro', ['INV-1001']],
    ['Plata a fost efectuată pe 1 decembrie.', 'paid_claim.ro', []],
    ['Geçen hafta ödedik.', 'paid_claim.tr', []],
    ['Ödeme yapıldı, dekont ektedir.', 'paid_claim.tr', []],
    ['我们上周已经付款了。', 'paid_claim.zh-CN', []],
    ['款项已于12月1日汇出，请查收汇款凭证。', 'paid_claim.zh-CN', []],
  ])('%s', (text, rule, invoiceNumbers) => {
    expect(classify(email(text, 'Payment'))).toMatchObject({ classification: 'paid_claim', rule, invoiceNumbers, fromPerson: true });
  });

  it.each([
    ['We have not paid yet, we will pay on 15 March.', 'promise'],
    ['Nu am plătit încă, vom plăti vineri.', 'promise'],
    ["Henüz ödemedik, 15 Mart'ta ödeyeceğiz.", 'promise'],
    ['我们尚未付款，将在3月15日付款。', 'promise'],
  ])('a denial is not a claim: %s', (text, classification) => {
    expect(classify(email(text)).classification).toBe(classification);
  });

  it('wins over a promise in the same message', () => {
    expect(classify(email('We paid half last week and will pay the rest on 15 March.')).classification).toBe('paid_claim');
  });
});

describe('quoted history is never read as the customer', () => {
  it.each([
    ['Thanks.\n\nOn Fri, 4 Dec 2026 at 10:00, Acme <ar@acme.example> wrote:\n> Please pay by 15 December or we will pay a visit.'],
    ['Thanks.\n\nOn Fri, 4 Dec 2026 at 10:00, Acme Receivables\n<ar@acme.example> wrote:\nWe will pay on 15 December, you said.'],
    ['Thanks.\n-----Original Message-----\nFrom: Acme\nSent: Friday\nWe paid last week, you said.'],
    ['Mulțumesc.\n\nÎn vin., 4 dec. 2026 la 10:00, Acme <ar@acme.example> a scris:\nVom plăti pe 15 martie.'],
    ['Mulțumesc.\n\nDe la: Acme <ar@acme.example>\nTrimis: vineri, 4 decembrie 2026\nSubiect: Factura\nNu am primit marfa.'],
    ["Teşekkürler.\n\n4 Ara 2026 Cum, 10:00 tarihinde Acme <ar@acme.example> şunu yazdı:\n15 Mart'ta ödeyeceğiz."],
    ['Teşekkürler.\n\nKimden: Acme\nGönderildi: 4 Aralık 2026 Cuma\nKonu: Fatura\nÖdedik.'],
    ['谢谢。\n\n在 2026年12月4日 周五 10:00，Acme <ar@acme.example> 写道：\n我们将在3月15日付款。'],
    ['谢谢。\n\n-----原始邮件-----\n发件人: Acme\n发送时间: 2026年12月4日\n我们已经付款了。'],
    ['Thanks.\n-- \nJane\nWe will pay on 15 March is our motto'],
  ])('%j', (text) => {
    expect(classify(email(text))).toMatchObject({ classification: 'other', rule: 'other' });
  });

  it('keeps the lines a customer wrote between quotes (inline reply)', () => {
    const text = '> Please pay invoice INV-1001.\nWe will pay on 15 March.\n> Regards, Acme';
    expect(classify(email(text))).toMatchObject({ classification: 'promise', promisedOn: '2027-03-15' });
  });
});

describe('other and SMS', () => {
  it.each([email('Who is our account manager now?'), sms('Who is this?'), email(''), sms('')])('%o', (message) => {
    expect(classify(message)).toMatchObject({ classification: 'other', rule: 'other', fromPerson: true });
  });

  it('classifies SMS free text with the same rules', () => {
    expect(classify(sms('Will pay Friday, sorry'))).toMatchObject({ classification: 'promise', promisedOn: '2026-12-11' });
    expect(classify(sms('Vom plati maine'))).toMatchObject({ classification: 'promise', promisedOn: '2026-12-07' });
  });

  it('reads a subject of the customer’s own, but not ours quoted back in "Re:"', () => {
    expect(classify(email('', 'Unsubscribe')).classification).toBe('opt_out');
    expect(classify(email('Thanks', 'Re: Payment was made? Reminder for INV-1001')).classification).toBe('other');
  });
});
