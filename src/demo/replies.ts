import type { DateTime } from 'luxon';
import { findLastEmailReminders } from '../db/demo.repository.js';
import type { Sql } from '../db/sql.js';
import { receiveEmail, type ReceiveOutcome, type ReplyDependencies } from '../replies/receive.js';

/** A reply the demo's customers sent, as the reply path took it. */
export interface DemoReply {
  what: string;
  outcome: ReceiveOutcome;
}

/** A reply's raw message, as a mail client writes one (plain text, UTF-8). */
function replyMessage(mail: {
  from: string;
  subject: string;
  text: string;
  at: DateTime;
  id: string;
  inReplyTo?: string;
  headers?: Record<string, string>;
}): Buffer {
  return Buffer.from(
    [
      `From: ${mail.from}`,
      'To: Accounts Receivable <ar@arrears.local>',
      `Subject: ${mail.subject}`,
      `Date: ${mail.at.toRFC2822()}`,
      `Message-ID: <${mail.id}@mail.customer.example>`,
      ...(mail.inReplyTo ? [`In-Reply-To: ${mail.inReplyTo}`, `References: ${mail.inReplyTo}`] : []),
      ...Object.entries(mail.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      mail.text,
      '',
    ].join('\r\n'),
    'utf8',
  );
}

/** "We will pay on <day>", as a customer writing in its own language would put it. */
function promiseText(locale: string, day: DateTime): string {
  switch (locale) {
    case 'ro':
      return `Bună ziua,\n\nvom plăti pe ${day.setLocale('ro').toFormat('d LLLL')}. Ne cerem scuze pentru întârziere.\n\nCu stimă,\nContabilitate`;
    case 'zh-CN':
      return `您好，\n\n我们将在${day.month}月${day.day}日付款。抱歉耽误了。\n\n财务部`;
    default:
      return `Hello,\n\nwe will pay on ${day.setLocale('en').toFormat('d LLLL')}. Sorry for the delay.\n\nAccounts payable`;
  }
}

/**
 * At the end of the demo a few customers answer their last reminder, through the reply path every
 * email takes (`receiveEmail`, as the IMAP poller and `arrears inbound email` deliver it): a
 * promise in the customer's language (Romanian or Chinese when there is such a customer), an
 * out-of-office with a return date, an opt-out, and a message from an address no customer has.
 * The Replies page then has a suggestion to confirm, replies awaiting a person and one to assign.
 */
export async function answerLastReminders(deps: ReplyDependencies, sql: Sql, now: DateTime): Promise<DemoReply[]> {
  const reminders = await findLastEmailReminders(sql, 200);
  const chosen = new Set<string>();
  const pick = (want: (r: (typeof reminders)[number]) => boolean) => {
    const found = reminders.find((r) => !chosen.has(r.customerId) && want(r));
    if (found) chosen.add(found.customerId);
    return found;
  };
  const threadOf = (messageId: string) => (messageId.startsWith('<') ? messageId : `<${messageId}>`);
  const replies: Array<{ what: string; raw: Buffer }> = [];
  const inAWeek = now.plus({ days: 7 });

  const promise = pick((r) => r.locale === 'ro') ?? pick((r) => r.locale === 'zh-CN') ?? pick(() => true);
  if (promise) {
    replies.push({
      what: `${promise.externalId} promises to pay (${promise.locale})`,
      raw: replyMessage({
        from: promise.recipient,
        subject: `Re: ${promise.subject ?? 'Invoice'}`,
        text: `${promiseText(promise.locale, inAWeek)}\n\n> ${promise.subject ?? ''}`,
        at: now.minus({ hours: 3 }),
        id: `demo-promise-${promise.externalId}`,
        inReplyTo: threadOf(promise.messageId),
      }),
    });
  }
  const away = pick((r) => r.locale === 'en') ?? pick(() => true);
  if (away) {
    replies.push({
      what: `${away.externalId} is out of the office`,
      raw: replyMessage({
        from: away.recipient,
        subject: `Automatic reply: ${away.subject ?? 'Invoice'}`,
        text: `I am out of the office until ${now.plus({ days: 4 }).toFormat('d LLLL yyyy')} with limited access to email.`,
        at: now.minus({ hours: 2 }),
        id: `demo-away-${away.externalId}`,
        inReplyTo: threadOf(away.messageId),
        headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
      }),
    });
  }
  const optOut = pick(() => true);
  if (optOut) {
    replies.push({
      what: `${optOut.externalId} asks us to stop emailing`,
      raw: replyMessage({
        from: optOut.recipient,
        subject: `Re: ${optOut.subject ?? 'Invoice'}`,
        text: 'Please stop emailing me. Remove us from your mailing list; our accountant will call you.',
        at: now.minus({ hours: 1 }),
        id: `demo-optout-${optOut.externalId}`,
        inReplyTo: threadOf(optOut.messageId),
      }),
    });
  }
  replies.push({
    what: 'a sender no customer has',
    raw: replyMessage({
      from: 'Finance Team <finance@renamed-company.example>',
      subject: 'Your letter about our account',
      text: 'Hello, is this about our account? We changed our company name last year; which invoices are open?',
      at: now.minus({ minutes: 30 }),
      id: 'demo-unmatched-1',
    }),
  });

  const received: DemoReply[] = [];
  for (const reply of replies) {
    received.push({ what: reply.what, outcome: await receiveEmail(deps, { raw: reply.raw, source: 'cli', sourceRef: null }) });
  }
  return received;
}
