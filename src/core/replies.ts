import { autoReplyByHeaders, autoReplyByPhrase, OUT_OF_OFFICE_BODIES, OUT_OF_OFFICE_SUBJECTS, returnDate } from './replies/auto-reply.js';
import { detectBounce } from './replies/bounce.js';
import { DISPUTE_RULES } from './replies/dispute.js';
import { namedInvoices } from './replies/invoices.js';
import { OPT_OUT_RULES } from './replies/opt-out.js';
import { PAID_CLAIM_RULES } from './replies/paid-claim.js';
import { findPromise } from './replies/promise.js';
import { stripQuotedHistory } from './replies/quotes.js';
import { firstMatch, foldText, type FoldedText, type PhraseMatch, type PhraseRule } from './replies/text.js';
import type { ReplyClassification, ReplyContext, ReplyMessage, ReplyVerdict } from './replies/types.js';

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
/**
 * A person's words are read in the first 20,000 characters (and the subject in its first 1,000):
 * replies are written at the top, and what follows a long way down (pasted statements, attached
 * ledgers) would only slow the rules. Bounce reports are read whole.
 */
const MAX_TEXT = 20_000;
const MAX_SUBJECT = 1_000;

export function classifyReply(message: ReplyMessage, context: ReplyContext): ReplyVerdict {
  const bounce = detectBounce(message);
  if (bounce !== null) return bounce.verdict;

  const ownWords = stripQuotedHistory(message.text.slice(0, MAX_TEXT));
  const body = foldText(ownWords);
  const subject = foldText((message.subject ?? '').slice(0, MAX_SUBJECT));
  const automatic =
    autoReplyByHeaders(message) ??
    autoReplyByPhrase(OUT_OF_OFFICE_SUBJECTS, subject, 'subject') ??
    (message.channel === 'email' ? autoReplyByPhrase(OUT_OF_OFFICE_BODIES, body, 'body') : null);
  if (automatic !== null) {
    const back = returnDate([subject, body], context.receivedAt);
    return {
      classification: 'auto_reply',
      rule: automatic.rule,
      reason: back === null ? automatic.reason : `${automatic.reason} Back on ${back.iso} ("${back.quote}").`,
      fromPerson: false,
      ...(back === null ? {} : { returnsOn: back.iso }),
    };
  }

  // A person wrote it. The subject counts for the phrase rules only when it is not our own ("Re: …").
  const ownSubject = /^\s*(re|aw|sv|antw|ynt|cevap|raspuns|答复|回复|回覆)\s*:/i.test(message.subject ?? '') ? foldText('') : subject;
  const texts = [body, ownSubject];
  const invoices = (): string[] => namedInvoices([ownWords, message.subject ?? ''], context.invoiceNumbers);
  const person = (classification: ReplyClassification, match: PhraseMatch, extra: Partial<ReplyVerdict> = {}): ReplyVerdict => ({
    classification,
    rule: match.rule.id,
    reason: `${match.rule.reason}: "${match.found.quote}".`,
    fromPerson: true,
    ...extra,
  });

  const optOut = firstIn(OPT_OUT_RULES, texts);
  if (optOut !== null) return person('opt_out', optOut);

  const dispute = firstIn(DISPUTE_RULES, texts);
  if (dispute !== null) return person('dispute', dispute, { invoiceNumbers: invoices() });

  const paid = firstIn(PAID_CLAIM_RULES, texts);
  if (paid !== null) return person('paid_claim', paid, { invoiceNumbers: invoices() });

  const promise = findPromise(body, context.receivedAt, context.currency);
  if (promise !== null && promise.date !== null) {
    const amount = promise.amount === null ? '' : `, ${promise.amountQuote ?? ''}`;
    return {
      classification: 'promise',
      rule: promise.rule.id,
      reason: `${promise.rule.reason}: "${promise.commitment.quote}" on "${promise.date.quote}" (${promise.date.iso}${amount}).`,
      fromPerson: true,
      promisedOn: promise.date.iso,
      ...(promise.amount === null ? {} : { promisedAmount: promise.amount }),
    };
  }
  if (promise !== null) {
    return {
      classification: 'other',
      rule: 'other.promise-without-date',
      reason: `Promises to pay without a date a collector could confirm: "${promise.commitment.quote}".`,
      fromPerson: true,
    };
  }

  return {
    classification: 'other',
    rule: 'other',
    reason: 'No rule matched: a person wrote something that needs an answer.',
    fromPerson: true,
  };
}

function firstIn(rules: readonly PhraseRule[], texts: readonly FoldedText[]): PhraseMatch | null {
  for (const text of texts) {
    const match = firstMatch(rules, text);
    if (match !== null) return match;
  }
  return null;
}
