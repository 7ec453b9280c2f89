import type { SendMailOptions } from 'nodemailer';
import type { OutgoingEmail, UnsubscribeTarget } from './email-transport.js';

/**
 * The RFC 2369 / RFC 8058 unsubscribe headers. `List-Unsubscribe-Post` is only allowed next to
 * an HTTPS URI: it tells mailbox providers that a POST to that URI unsubscribes in one click.
 */
export function unsubscribeHeaders(target: UnsubscribeTarget): Record<string, string> {
  const uris: string[] = [];
  if (target.url) uris.push(target.url);
  if (target.mailto) uris.push(target.mailto.startsWith('mailto:') ? target.mailto : `mailto:${target.mailto}`);
  if (uris.length === 0) return {};
  const headers: Record<string, string> = { 'List-Unsubscribe': uris.map((uri) => `<${uri}>`).join(', ') };
  if (target.url?.startsWith('https://')) headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  return headers;
}

/** The nodemailer message for an {@link OutgoingEmail}; shared by every nodemailer-backed transport. */
export function toMailOptions(message: OutgoingEmail): SendMailOptions {
  return {
    from: message.from,
    to: message.to,
    ...(message.replyTo ? { replyTo: message.replyTo } : {}),
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    headers: { ...message.headers, ...(message.unsubscribe ? unsubscribeHeaders(message.unsubscribe) : {}) },
  };
}
