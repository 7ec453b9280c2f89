import type { BounceDetails, ReplyMessage, ReplyVerdict } from './types.js';
import { foldText } from './text.js';

/**
 * Bounces: RFC 3464 delivery status notifications first (the caller passes the
 * message/delivery-status part as `deliveryStatus`; Postfix and Exchange both send one), then the
 * non-standard ones a mail server sends without it (Postfix "Undelivered Mail Returned to Sender",
 * Exchange "Undeliverable:", a MAILER-DAEMON or postmaster sender), read from the text.
 */

type Fields = Map<string, string>;

/** RFC 822-style field blocks (continuation lines unfolded), one per paragraph. */
function fieldBlocks(text: string): Fields[] {
  const blocks: Fields[] = [];
  let current: Fields = new Map();
  let last: string | null = null;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (line.trim() === '') {
      if (current.size > 0) blocks.push(current);
      current = new Map();
      last = null;
      continue;
    }
    const continuation = /^[ \t]/.test(line);
    if (continuation && last !== null) {
      current.set(last, `${current.get(last) ?? ''} ${line.trim()}`);
      continue;
    }
    const field = /^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/.exec(line);
    if (field === null) continue;
    const name = (field[1] ?? '').toLowerCase();
    if (!current.has(name)) current.set(name, (field[2] ?? '').trim());
    last = name;
  }
  if (current.size > 0) blocks.push(current);
  return blocks;
}

/** "rfc822; jane@example.com" → "jane@example.com" (the address type is dropped). */
function addressOf(value: string | undefined): string | null {
  if (value === undefined) return null;
  const address = value.includes(';') ? value.slice(value.indexOf(';') + 1) : value;
  const trimmed = address.trim().replace(/^<|>$/g, '');
  return trimmed === '' ? null : trimmed;
}

const STATUS_CODE = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;
const MESSAGE_ID = /^message-id:[ \t]*(<[^>\s]+>)/im;
const EMAIL = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

interface RecipientReport {
  recipient: string | null;
  action: string;
  status: string | null;
  diagnostic: string | null;
}

function recipientReports(deliveryStatus: string): RecipientReport[] {
  return fieldBlocks(deliveryStatus)
    .filter((block) => block.has('final-recipient') || block.has('action') || block.has('status'))
    .map((block) => ({
      recipient: addressOf(block.get('final-recipient') ?? block.get('original-recipient')),
      action: (block.get('action') ?? '').toLowerCase().trim(),
      status: STATUS_CODE.exec(block.get('status') ?? '')?.[0] ?? null,
      diagnostic: addressOf(block.get('diagnostic-code')),
    }));
}

/** The Message-ID of the message that bounced, when its headers (text/rfc822-headers) are in the text. */
function originalMessageId(message: ReplyMessage): string | null {
  return MESSAGE_ID.exec(message.text)?.[1] ?? null;
}

export type BounceOutcome = { kind: 'bounce'; verdict: ReplyVerdict } | { kind: 'delivery-report'; verdict: ReplyVerdict } | null;

function fromStandardReport(message: ReplyMessage, deliveryStatus: string, source: string): BounceOutcome {
  const reports = recipientReports(deliveryStatus);
  if (reports.length === 0) return null;
  const failed = reports.find((report) => report.action === 'failed');
  const delayed = reports.find((report) => report.action === 'delayed');
  const chosen = failed ?? delayed;
  if (chosen === undefined) {
    const actions = [...new Set(reports.map((report) => report.action || 'unknown'))].join(', ');
    return {
      kind: 'delivery-report',
      verdict: {
        classification: 'auto_reply',
        rule: 'auto_reply.delivery-report',
        reason: `A delivery status notification reporting "${actions}", not a failure.`,
        fromPerson: false,
      },
    };
  }
  const status = chosen.status ?? (chosen === failed ? '5.0.0' : '4.0.0');
  const permanent = status.startsWith('5');
  const bounce: BounceDetails = {
    recipient: chosen.recipient,
    permanent,
    status,
    diagnostic: chosen.diagnostic,
    originalMessageId: originalMessageId(message),
  };
  const who = chosen.recipient ?? 'the recipient';
  return {
    kind: 'bounce',
    verdict: {
      classification: 'bounce',
      rule: 'bounce.dsn',
      reason: `${source} says delivery to ${who} ${permanent ? 'failed permanently' : 'is delayed'} (status ${status}${
        chosen.diagnostic ? `: ${chosen.diagnostic}` : ''
      }).`,
      fromPerson: false,
      bounce,
    },
  };
}

const BOUNCE_SENDER = /\b(mailer-daemon|postmaster|mail delivery (subsystem|system))\b/;
const BOUNCE_SUBJECT =
  /(undelivered mail returned to sender|^undeliverable:|^undeliverable\b|^nedeliverabil|delivery status notification \(failure\)|mail delivery failed|failure notice|^returned mail|delivery failure|message not delivered|could not be delivered|teslim edilemedi|iletilemedi|退信|无法投递|未能送达|投递失败|系统退信)/;
const DELAY_SUBJECT =
  /(delayed mail|delivery status notification \(delay\)|delivery delayed|\bdelayed:|warning: message .* delayed|ertelendi|延迟投递|投递延迟)/;
const PERMANENT_TEXT =
  /(does not exist|user unknown|no such user|mailbox unavailable|recipient address rejected|address rejected|couldn't be delivered|could not be delivered|permanent(ly)? (error|failure|fatal)|unrouteable|mailbox not found)/;

function fromNonStandard(message: ReplyMessage): BounceOutcome {
  const from = foldText(message.headers.get('from') ?? '').folded;
  const subject = foldText(message.subject ?? '').folded.trim();
  const bySender = BOUNCE_SENDER.test(from);
  const delayed = DELAY_SUBJECT.test(subject);
  const bySubject = BOUNCE_SUBJECT.test(subject);
  if (!bySender && !bySubject && !delayed) return null;
  const text = message.text;
  const code = STATUS_CODE.exec(text);
  const folded = foldText(text.slice(0, 20_000)).folded;
  // A sender alone (postmaster writes ordinary mail too) needs some sign in the text that delivery failed.
  if (!bySubject && !delayed && code === null && !PERMANENT_TEXT.test(folded)) return null;
  const status = code?.[0] ?? (delayed ? '4.0.0' : '5.0.0');
  const permanent = status.startsWith('5');
  const failedRecipients = message.headers.get('x-failed-recipients');
  const ownAddresses = new Set([...(message.headers.get('from') ?? '').matchAll(EMAIL)].map((m) => m[0].toLowerCase()));
  const mentioned = [...text.matchAll(EMAIL)].map((m) => m[0]).find((address) => !ownAddresses.has(address.toLowerCase()));
  const recipient = addressOf(failedRecipients?.split(',')[0]) ?? mentioned ?? null;
  const diagnosticLine = code ? text.split(/\r?\n/).find((line) => line.includes(code[0])) : undefined;
  const bounce: BounceDetails = {
    recipient,
    permanent,
    status,
    diagnostic: diagnosticLine?.trim() ?? null,
    originalMessageId: originalMessageId(message),
  };
  const signal = bySubject || delayed ? `subject "${(message.subject ?? '').trim()}"` : 'a mailer-daemon sender';
  return {
    kind: 'bounce',
    verdict: {
      classification: 'bounce',
      rule: 'bounce.non-standard',
      reason: `A bounce without a delivery status part (${signal}): delivery to ${recipient ?? 'the recipient'} ${
        permanent ? 'failed' : 'is delayed'
      } (status ${status}).`,
      fromPerson: false,
      bounce,
    },
  };
}

/** A bounce (or a delivery report that is not a failure), or null when the message is neither. */
export function detectBounce(message: ReplyMessage): BounceOutcome {
  if (message.channel !== 'email') return null;
  if (message.deliveryStatus !== null && message.deliveryStatus.trim() !== '') {
    const outcome = fromStandardReport(message, message.deliveryStatus, 'A delivery status notification (RFC 3464)');
    if (outcome !== null) return outcome;
  }
  const contentType = (message.headers.get('content-type') ?? '').toLowerCase();
  const isReport = contentType.includes('multipart/report') && contentType.includes('delivery-status');
  if (isReport || /^final-recipient:/im.test(message.text)) {
    // The caller did not split the parts: the report's fields are in the text.
    const outcome = fromStandardReport(message, message.text, 'A delivery status report in the message text');
    if (outcome !== null) return outcome;
  }
  return fromNonStandard(message);
}
