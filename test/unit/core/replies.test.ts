import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { classifyReply, type ReplyContext, type ReplyMessage } from '../../../src/core/replies.js';

const context: ReplyContext = {
  receivedAt: DateTime.fromISO('2026-12-06T10:00:00', { zone: 'Europe/Bucharest' }),
  currency: 'EUR',
  invoiceNumbers: ['INV-1001', 'INV-1002'],
};

function email(
  text: string,
  subject: string | null = 'Re: Invoice INV-1001 is overdue',
  headers: Record<string, string> = {},
): ReplyMessage {
  return { channel: 'email', subject, text, headers: new Map(Object.entries(headers)), deliveryStatus: null };
}

describe('classifyReply: headers', () => {
  it.each([
    ['auto-submitted', { 'auto-submitted': 'auto-replied' }, 'auto_reply.auto-submitted'],
    ['precedence', { precedence: 'bulk' }, 'auto_reply.precedence'],
    ['x-autoreply', { 'x-autoreply': 'yes' }, 'auto_reply.x-autoreply'],
  ])('%s', (_name, headers, rule) => {
    const verdict = classifyReply(email('Thanks for your message.', 'Re: hello', headers), context);
    expect(verdict).toMatchObject({ classification: 'auto_reply', rule, fromPerson: false });
  });

  it('Auto-Submitted: no is a person', () => {
    expect(classifyReply(email('Hello', 'Re: hello', { 'auto-submitted': 'no' }), context).classification).toBe('other');
  });
});
