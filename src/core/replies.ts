import { autoReplyByHeaders, autoReplyByPhrase, OUT_OF_OFFICE_BODIES, OUT_OF_OFFICE_SUBJECTS } from './replies/auto-reply.js';
import { detectBounce } from './replies/bounce.js';
import { stripQuotedHistory } from './replies/quotes.js';
import { foldText } from './replies/text.js';
import type { ReplyContext, ReplyMessage, ReplyVerdict } from './replies/types.js';

export type { BounceDetails, ReplyClassification, ReplyContext, ReplyMessage, ReplyVerdict } from './replies/types.js';
export { REPLY_CLASSIFICATIONS } from './replies/types.js';
export { stripQuotedHistory } from './replies/quotes.js';

/**
 * Classifies a customer's reply (email or SMS free text) by explainable rules: every verdict names
 * the rule that decided (`rule`, a stable id) and says in one English sentence what matched
 * (`reason`). The rules are data tables of patterns per locale (en, zh-CN, ro, tr) in
 * `src/core/replies/`; nothing is learned or scored.
 *
 * Precedence, first match wins:
 *   bounce > auto_reply > opt_out > dispute > paid_claim > promise > other
 * - a bounce often carries auto-reply headers, and is more specific;
 * - anything automatic is never read as a person's words;
 * - an opt-out is honoured whatever else the message says;
 * - a dispute ("the amount is wrong, we will pay the right one on Friday") needs a person before any promise;
 * - a claim of payment beats a promise in the same message ("paid half, the rest on the 15th"):
 *   cash application looks first.
 * Quoted history ("On … wrote:", "> …", Outlook's "From:/Sent:" block and translations) is cut
 * before the person-written rules run, so our own reminder quoted back is never read as the
 * customer's words. Pure: no I/O, no clock (`context.receivedAt` resolves dates).
 */
export function classifyReply(message: ReplyMessage, context: ReplyContext): ReplyVerdict {
  void context;
  const bounce = detectBounce(message);
  if (bounce !== null) return bounce.verdict;

  const body = foldText(stripQuotedHistory(message.text));
  const subject = foldText(message.subject ?? '');
  const automatic =
    autoReplyByHeaders(message) ??
    autoReplyByPhrase(OUT_OF_OFFICE_SUBJECTS, subject, 'subject') ??
    (message.channel === 'email' ? autoReplyByPhrase(OUT_OF_OFFICE_BODIES, body, 'body') : null);
  if (automatic !== null) {
    return { classification: 'auto_reply', rule: automatic.rule, reason: automatic.reason, fromPerson: false };
  }

  return {
    classification: 'other',
    rule: 'other',
    reason: 'No rule matched: a person wrote something that needs an answer.',
    fromPerson: true,
  };
}
