import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import sanitizeHtml from 'sanitize-html';

/** An email as the reply path needs it: parsed, its HTML made safe to show, its attachments listed. */
export interface ParsedEmail {
  messageId: string | null;
  /** The Message-IDs it answers (In-Reply-To). */
  inReplyTo: string[];
  /** The Message-IDs of its thread (References), newest first. */
  references: string[];
  /** Lower-case address of the sender (From), if any. */
  sender: string | null;
  subject: string | null;
  text: string;
  /** Sanitised HTML, or null when the message had none. */
  html: string | null;
  /** Lower-case header name -> unfolded value (the first occurrence of a repeated header). */
  headers: Map<string, string>;
  /** The text of a message/delivery-status part (RFC 3464). */
  deliveryStatus: string | null;
  /** The headers of the message a bounce returns (a text/rfc822-headers or message/rfc822 part), as text. */
  returnedHeaders: string | null;
  /** The Date header, when valid. */
  date: Date | null;
  attachments: ParsedAttachment[];
  /** Set when the message could not be parsed as MIME (what is above is then a best effort). */
  parseError: string | null;
}

export interface ParsedAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  sha256: string;
  content: Buffer;
}

/**
 * HTML from a customer is shown to collectors in the console: no scripts, no styles (a CSS `url()`
 * loads remote content), no images or frames (tracking pixels), links only to web and mail
 * addresses and never opened in the same window.
 */
const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: sanitizeHtml.defaults.allowedTags.filter((tag) => tag !== 'img'),
  allowedAttributes: { a: ['href', 'title'], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan', 'scope'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }) },
};

/** Customer HTML made safe to show (see {@link SANITIZE}). */
export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, SANITIZE);
}

/** The header section of a raw message (up to the first empty line), for messages too large to parse whole. */
export function headerSection(raw: Buffer, limit = 256 * 1024): Buffer {
  const head = raw.subarray(0, limit);
  for (const separator of ['\r\n\r\n', '\n\n']) {
    const end = head.indexOf(separator);
    if (end >= 0) return Buffer.concat([head.subarray(0, end), Buffer.from('\r\n\r\n')]);
  }
  return head;
}

function firstAddress(from: AddressObject | AddressObject[] | undefined): string | null {
  const list = Array.isArray(from) ? from : from ? [from] : [];
  for (const group of list) {
    for (const entry of group.value) {
      if (entry.address) return entry.address.trim().toLowerCase();
      for (const member of entry.group ?? []) if (member.address) return member.address.trim().toLowerCase();
    }
  }
  return null;
}

function idList(value: string | string[] | undefined): string[] {
  const text = Array.isArray(value) ? value.join(' ') : (value ?? '');
  return text.match(/<[^<>\s]+>/g) ?? [];
}

function unfoldedHeaders(parsed: ParsedMail): Map<string, string> {
  const headers = new Map<string, string>();
  for (const { key, line } of parsed.headerLines) {
    const name = key.toLowerCase();
    if (headers.has(name)) continue;
    const colon = line.indexOf(':');
    headers.set(name, (colon >= 0 ? line.slice(colon + 1) : line).replace(/\r?\n[ \t]+/g, ' ').trim());
  }
  return headers;
}

/** Parses a raw message; never throws (a message that is not MIME comes back as its text, with `parseError`). */
export async function parseEmail(raw: Buffer): Promise<ParsedEmail> {
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(raw, {
      keepDeliveryStatus: true,
      skipImageLinks: true,
      skipTextToHtml: true,
      maxHtmlLengthToParse: 2_000_000,
    });
  } catch (error) {
    return {
      messageId: null,
      inReplyTo: [],
      references: [],
      sender: null,
      subject: null,
      text: raw.toString('utf8').replace(/\u0000/g, ''),
      html: null,
      headers: new Map(),
      deliveryStatus: null,
      returnedHeaders: null,
      date: null,
      attachments: [],
      parseError: error instanceof Error ? error.message : String(error),
    };
  }
  const deliveryStatus = parsed.attachments.find((a) => a.contentType.toLowerCase() === 'message/delivery-status');
  const returned = parsed.attachments.find((a) => ['text/rfc822-headers', 'message/rfc822'].includes(a.contentType.toLowerCase()));
  const messageId = idList(parsed.messageId)[0] ?? null;
  const html = typeof parsed.html === 'string' && parsed.html.trim() !== '' ? sanitizeEmailHtml(parsed.html) : null;
  return {
    messageId,
    inReplyTo: idList(parsed.inReplyTo),
    references: idList(parsed.references).reverse(),
    sender: firstAddress(parsed.from),
    subject: parsed.subject?.trim() || null,
    text: (parsed.text ?? '').replace(/\u0000/g, ''),
    html: html?.replace(/\u0000/g, '') ?? null,
    headers: unfoldedHeaders(parsed),
    deliveryStatus: deliveryStatus ? deliveryStatus.content.toString('utf8') : null,
    returnedHeaders: returned ? headerSection(returned.content).toString('utf8') : null,
    date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : null,
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? null,
      contentType: a.contentType,
      size: a.content.length,
      sha256: createHash('sha256').update(a.content).digest('hex'),
      content: a.content,
    })),
    parseError: null,
  };
}

/** The left part of a Message-ID (`<left@domain>`), decoded from `=XX` escapes: our contacts' idempotency keys. */
export function messageIdKey(messageId: string): string | null {
  const bare = messageId.trim().replace(/^<|>$/g, '');
  const at = bare.lastIndexOf('@');
  if (at <= 0) return null;
  const left = bare.slice(0, at);
  if (/=(?![0-9A-F]{2})/.test(left)) return null;
  const bytes: number[] = [];
  for (let i = 0; i < left.length; i++) {
    if (left[i] === '=') {
      bytes.push(parseInt(left.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(left[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
