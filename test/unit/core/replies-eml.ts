import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { ReplyMessage } from '../../../src/core/replies.js';

const FIXTURES = path.join(import.meta.dirname, '../../fixtures/mail');

/**
 * A fixture .eml as the caller hands it to classifyReply: headers lower-cased and unfolded, the
 * plain text, the message/delivery-status part, and text/rfc822-headers appended to the text.
 */
export async function replyFromEml(file: string): Promise<ReplyMessage> {
  const raw = await readFile(path.join(FIXTURES, file));
  const parsed = await simpleParser(raw, { skipHtmlToText: false });
  const headers = new Map<string, string>();
  for (const { key, line } of parsed.headerLines) {
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    if (!headers.has(key)) headers.set(key, value);
  }
  const parts = parsed.attachments.map((attachment) => ({ type: attachment.contentType, text: attachment.content.toString('utf8') }));
  const deliveryStatus = parts.find((part) => part.type === 'message/delivery-status')?.text ?? null;
  const returnedHeaders = parts.filter((part) => part.type === 'text/rfc822-headers').map((part) => part.text);
  return {
    channel: 'email',
    subject: parsed.subject ?? null,
    text: [parsed.text ?? '', ...returnedHeaders].join('\n'),
    headers,
    deliveryStatus,
  };
}
