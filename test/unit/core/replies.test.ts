import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { classifyReply, type ReplyContext, type ReplyMessage, type ReplyVerdict } from '../../../src/core/replies.js';
import { replyFromEml } from './replies-eml.js';

// Real-looking mail as servers and clients send it (test/fixtures/mail), parsed with mailparser the
// way the receiving side does, classified against a Sunday in Bucharest.
const context: ReplyContext = {
  receivedAt: DateTime.fromISO('2026-12-06T10:00:00', { zone: 'Europe/Bucharest' }),
  currency: 'EUR',
  invoiceNumbers: ['INV-1001', 'INV-1002', 'INV-1003'],
};

const FIXTURES: readonly [file: string, expected: Partial<ReplyVerdict>][] = [
  // Out-of-office replies: Exchange/Outlook, Gmail vacation, Dovecot (Pigeonhole Sieve vacation), subject only.
  ['ooo-exchange-en.eml', { classification: 'auto_reply', rule: 'auto_reply.auto-submitted', fromPerson: false, returnsOn: '2027-01-11' }],
  ['ooo-gmail-en.eml', { classification: 'auto_reply', rule: 'auto_reply.auto-submitted', returnsOn: '2027-03-20' }],
  ['ooo-dovecot-sieve-ro.eml', { classification: 'auto_reply', rule: 'auto_reply.auto-submitted', returnsOn: '2027-01-05' }],
  ['ooo-subject-tr.eml', { classification: 'auto_reply', rule: 'auto_reply.subject.tr', returnsOn: '2027-01-18' }],
  ['ooo-zh.eml', { classification: 'auto_reply', rule: 'auto_reply.subject.zh-CN', returnsOn: '2027-01-04' }],
  // Bounces: RFC 3464 reports from Postfix and Exchange Online, a Postfix delay warning, an Exim text-only bounce.
  [
    'bounce-postfix.eml',
    {
      classification: 'bounce',
      rule: 'bounce.dsn',
      fromPerson: false,
      bounce: {
        recipient: 'billing@gone.example',
        permanent: true,
        status: '5.1.1',
        diagnostic: '550 5.1.1 <billing@gone.example>: Recipient address rejected: User unknown in virtual mailbox table',
        originalMessageId: '<contact=3Ac1a2b3@arrears.local>',
      },
    },
  ],
  [
    'bounce-exchange.eml',
    {
      classification: 'bounce',
      rule: 'bounce.dsn',
      bounce: {
        recipient: 'finance@contoso.example',
        permanent: true,
        status: '5.1.10',
        diagnostic: '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
        originalMessageId: '<contact=3Ab9c8d7@arrears.local>',
      },
    },
  ],
  [
    'bounce-postfix-delayed.eml',
    {
      classification: 'bounce',
      bounce: {
        recipient: 'ap@slow.example',
        permanent: false,
        status: '4.4.1',
        diagnostic: 'connect to mx.slow.example[198.51.100.7]:25: Connection timed out',
        originalMessageId: '<contact=3Ad4e5f6@arrears.local>',
      },
    },
  ],
  [
    'bounce-exim-plain.eml',
    {
      classification: 'bounce',
      rule: 'bounce.non-standard',
      bounce: {
        recipient: 'office@closed-shop.example',
        permanent: true,
        status: '5.1.1',
        diagnostic: '550 5.1.1 mailbox unavailable',
        originalMessageId: '<contact=3Aa0b1c2@arrears.local>',
      },
    },
  ],
  // People.
  [
    'remittance-advice.eml',
    { classification: 'paid_claim', rule: 'paid_claim.en.remittance', fromPerson: true, invoiceNumbers: ['INV-1001', 'INV-1002'] },
  ],
  [
    'reply-promise-en-outlook.eml',
    { classification: 'promise', rule: 'promise.en', promisedOn: '2027-03-15', promisedAmount: { minor: 120050, currency: 'EUR' } },
  ],
  [
    'reply-promise-ro-gmail.eml',
    { classification: 'promise', rule: 'promise.ro', promisedOn: '2027-03-15', promisedAmount: { minor: 120050, currency: 'RON' } },
  ],
  [
    'reply-promise-tr.eml',
    { classification: 'promise', rule: 'promise.tr', promisedOn: '2027-03-15', promisedAmount: { minor: 245075, currency: 'TRY' } },
  ],
  [
    'reply-promise-zh.eml',
    { classification: 'promise', rule: 'promise.zh-CN', promisedOn: '2027-03-15', promisedAmount: { minor: 860000, currency: 'CNY' } },
  ],
  ['reply-dispute-en.eml', { classification: 'dispute', rule: 'dispute.en.not-received', invoiceNumbers: ['INV-1001', 'INV-1002'] }],
  ['reply-opt-out-ro.eml', { classification: 'opt_out', rule: 'opt_out.ro', fromPerson: true }],
  // Quotes our reminder ("please pay by", "unsubscribe", "already paid") under a question: none of it counts.
  ['reply-quoted-only-en.eml', { classification: 'other', rule: 'other', fromPerson: true }],
];

describe('classifyReply on real-looking mail', () => {
  it.each(FIXTURES)('%s', async (file, expected) => {
    const verdict = classifyReply(await replyFromEml(file), context);
    expect(verdict).toMatchObject(expected);
    expect(verdict.reason).toMatch(/\.$/);
  });
});

function email(
  text: string,
  subject: string | null = 'Re: Invoice INV-1001 is overdue',
  headers: Record<string, string> = {},
): ReplyMessage {
  return { channel: 'email', subject, text, headers: new Map(Object.entries(headers)), deliveryStatus: null };
}

describe('auto-reply headers, one signal at a time', () => {
  it.each([
    [{ 'auto-submitted': 'auto-replied' }, 'auto_reply.auto-submitted'],
    [{ 'auto-submitted': 'auto-generated; owner-email="jane@example.com"' }, 'auto_reply.auto-submitted'],
    [{ 'x-autoreply': 'yes' }, 'auto_reply.x-autoreply'],
    [{ 'x-autorespond': 'Out of office' }, 'auto_reply.x-autorespond'],
    [{ 'x-autogenerated': 'Reply' }, 'auto_reply.x-autogenerated'],
    [{ precedence: 'bulk' }, 'auto_reply.precedence'],
    [{ precedence: 'auto_reply' }, 'auto_reply.precedence'],
    [{ precedence: 'junk' }, 'auto_reply.precedence'],
    [{ 'x-ms-exchange-generated-message-source': 'Mailbox Rules Agent' }, 'auto_reply.exchange-generated'],
    [{ 'x-auto-response-suppress': 'All' }, 'auto_reply.auto-response-suppress'],
  ])('%o', (headers, rule) => {
    // A person's promise in the body: the header alone makes it automatic.
    const verdict = classifyReply(email('We will pay on 15 March.', 'Re: hello', headers), context);
    expect(verdict).toMatchObject({ classification: 'auto_reply', rule, fromPerson: false });
  });

  it.each([
    [{ 'auto-submitted': 'no' }],
    [{ 'auto-submitted': 'No' }],
    [{ precedence: 'list' }],
    [{ 'x-auto-response-suppress': 'DR, RN, NRN' }],
  ])('%o is a person', (headers) => {
    expect(classifyReply(email('We will pay on 15 March.', 'Re: hello', headers), context).classification).toBe('promise');
  });
});

describe('out-of-office subjects and bodies', () => {
  it.each([
    ['Automatic reply: Invoice INV-1001', 'Thank you for your message.', 'auto_reply.subject.en'],
    ['Out of Office: Invoice INV-1001', 'Thank you for your message.', 'auto_reply.subject.en'],
    ['Auto: Re: Invoice', 'Thank you for your message.', 'auto_reply.subject.en'],
    ['Răspuns automat: Factura INV-1001', 'Mulțumesc.', 'auto_reply.subject.ro'],
    ['Raspuns automat: Factura', 'Multumesc.', 'auto_reply.subject.ro'],
    ['Otomatik yanıt: Fatura', 'Teşekkürler.', 'auto_reply.subject.tr'],
    ['自动回复: 发票', '谢谢。', 'auto_reply.subject.zh-CN'],
    ['Re: Invoice', "I'm currently out of the office until 14 December.", 'auto_reply.body.en'],
    ['Re: Factura', 'Sunt în concediu până pe 14 decembrie.', 'auto_reply.body.ro'],
    ['Re: Fatura', '14 Aralık tarihine kadar izindeyim.', 'auto_reply.body.tr'],
    ['回复: 发票', '我目前不在办公室，12月14日回来。', 'auto_reply.body.zh-CN'],
  ])('%s / %s', (subject, text, rule) => {
    expect(classifyReply(email(text, subject), context)).toMatchObject({ classification: 'auto_reply', rule });
  });

  it.each([
    ["I'm out of the office until 14 December.", '2026-12-14'],
    ['Back on 2027-01-04. From 20 December I am away.', '2027-01-04'],
    ['I am on annual leave from 18/12 to 04/01/2027.', '2027-01-04'],
    ['Sunt în concediu, revin pe 4 ianuarie.', '2027-01-04'],
    ["4 Ocak'tan itibaren ofisteyim. Şu anda izindeyim.", '2027-01-04'],
    ['我正在休假，1月4日回来。', '2027-01-04'],
    ["I'm out of the office, back tomorrow.", '2026-12-07'],
  ])('return date of "%s"', (text, returnsOn) => {
    expect(classifyReply(email(text, 'Out of office'), context).returnsOn).toBe(returnsOn);
  });

  it('an out-of-office without a date has no return date', () => {
    const verdict = classifyReply(email('I am out of the office with limited access to email.', 'Out of office'), context);
    expect(verdict.classification).toBe('auto_reply');
    expect(verdict).not.toHaveProperty('returnsOn');
  });
});

describe('bounces without a report part', () => {
  it('reads a delivery-status report from the text when the caller did not split the parts', async () => {
    const message = await replyFromEml('bounce-postfix.eml');
    const joined = { ...message, text: `${message.text}\n${message.deliveryStatus ?? ''}`, deliveryStatus: null };
    expect(classifyReply(joined, context)).toMatchObject({
      classification: 'bounce',
      bounce: { recipient: 'billing@gone.example', permanent: true },
    });
  });

  it('a delivery report that is not a failure is an automatic message, not a bounce', () => {
    const message: ReplyMessage = {
      ...email('Your message was delivered.', 'Delivery Status Notification (Relay)'),
      deliveryStatus: 'Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; a@b.example\nAction: relayed\nStatus: 2.0.0\n',
    };
    expect(classifyReply(message, context)).toMatchObject({ classification: 'auto_reply', rule: 'auto_reply.delivery-report' });
  });

  it.each([
    ['Undeliverable: Invoice INV-1001', 'postmaster@contoso.example', "Your message to ap@contoso.example couldn't be delivered.", true],
    ['Delivery Status Notification (Delay)', 'mailer-daemon@googlemail.com', 'Delivery to ap@slow.example has been delayed.', false],
  ])('%s', (subject, from, text, permanent) => {
    const verdict = classifyReply(email(text, subject, { from }), context);
    expect(verdict).toMatchObject({ classification: 'bounce', rule: 'bounce.non-standard', bounce: { permanent } });
  });

  it('an ordinary letter from postmaster is not a bounce', () => {
    expect(
      classifyReply(email('Hello, we changed our address.', 'New address', { from: 'postmaster@example.com' }), context).classification,
    ).toBe('other');
  });
});
