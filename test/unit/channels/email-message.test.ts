import { describe, expect, it } from 'vitest';
import { emlFileName } from '../../../src/channels/email/capture.transport.js';
import { emailMessageId, senderDomain } from '../../../src/channels/email/email-transport.js';
import { toMailOptions, unsubscribeHeaders } from '../../../src/channels/email/mail-options.js';

describe('emailMessageId', () => {
  const FROM = 'Accounts Receivable <AR@Acme-Trading.example>';
  it.each([
    { key: 'contact-42-step-3', id: '<contact-42-step-3@acme-trading.example>' },
    { key: 'case:7.reminder', id: '<case=3A7=2Ereminder@acme-trading.example>' },
    { key: 'a=b', id: '<a=3Db@acme-trading.example>' },
    { key: 'müller', id: '<m=C3=BCller@acme-trading.example>' },
  ])('$key → $id', ({ key, id }) => {
    expect(emailMessageId(key, FROM)).toBe(id);
  });

  it('is the same for the same key and different for keys differing only in escaped characters', () => {
    expect(emailMessageId('k1', 'example.com')).toBe(emailMessageId('k1', 'example.com'));
    expect(emailMessageId('a:b', FROM)).not.toBe(emailMessageId('a=3Ab', FROM));
  });

  // The left part is what replies are threaded by: only the domain follows the sender.
  it.each([
    ['ar@example.com', 'example.com'],
    ['"Smith, Jo" <jo@billing.acme.example>', 'billing.acme.example'],
    ['Accounts <ar@example.com> ', 'example.com'],
    ['arrears.local', 'arrears.local'],
    ['no address at all', 'arrears.local'],
    ['ar@localhost', 'arrears.local'],
    ['ar@exa mple.com', 'arrears.local'],
  ])('takes its domain from %j → %s, keeping the left part', (sender, domain) => {
    expect(senderDomain(sender)).toBe(domain);
    expect(emailMessageId('contact:7', sender)).toBe(`<contact=3A7@${domain}>`);
  });
});

describe('unsubscribeHeaders', () => {
  it('offers one-click unsubscribe for a URL (RFC 8058)', () => {
    expect(unsubscribeHeaders({ url: 'https://pay.example.com/u/abc', mailto: 'unsubscribe@example.com?subject=abc' })).toEqual({
      'List-Unsubscribe': '<https://pay.example.com/u/abc>, <mailto:unsubscribe@example.com?subject=abc>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });

  it('offers only the mail address when there is no URL', () => {
    expect(unsubscribeHeaders({ mailto: 'mailto:u@example.com' })).toEqual({ 'List-Unsubscribe': '<mailto:u@example.com>' });
  });

  it('adds nothing for an empty target', () => {
    expect(unsubscribeHeaders({})).toEqual({});
  });
});

describe('toMailOptions', () => {
  it('keeps the caller’s Message-ID and merges the unsubscribe headers into the extra headers', () => {
    const options = toMailOptions({
      from: 'ar@example.com',
      to: 'c@example.com',
      subject: 's',
      text: 't',
      html: '<p>t</p>',
      messageId: '<k@arrears.local>',
      unsubscribe: { url: 'https://x.example/u' },
      headers: { 'X-Arrears-Contact': 'c1' },
    });
    expect(options).toMatchObject({
      messageId: '<k@arrears.local>',
      headers: { 'X-Arrears-Contact': 'c1', 'List-Unsubscribe': '<https://x.example/u>' },
    });
    expect(options).not.toHaveProperty('replyTo');
  });
});

describe('emlFileName', () => {
  it('names the file after the Message-ID', () => {
    expect(emlFileName('<case=3A7@arrears.local>')).toBe('case=3A7@arrears.local.eml');
    expect(emlFileName('<a/b@x>')).toBe('a_b@x.eml');
  });
});
