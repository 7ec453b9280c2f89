import type { DateTime } from 'luxon';
import type { Money } from '../money.js';
import { findAmounts } from './amounts.js';
import { findDates, type FoundDate } from './dates.js';
import { quoteOriginal, type FoldedText, type FoundPhrase, type PhraseRule } from './text.js';

/**
 * Promises: a commitment to pay (future tense, not negated) with a date in the same sentence.
 * The date is resolved against the received day (dates.ts); an amount in the same sentence is
 * kept ("we will pay €1,200.50 on 15 March"). A commitment without a date is not a promise a
 * collector can confirm, and is left to a person (`other`).
 */

/** Words between the commitment and the verb ("will definitely pay", "will be able to pay"), never a negation. */
const FILLER_EN = String.raw`(?:(?!not\b|never\b|no\b)[a-z']+\s+){0,3}?`;

/** 不 (not), 未/没 (not yet), 无法 (cannot), 别 (don't) anywhere earlier in the clause. */
const ZH_NEGATION = /(?:不|未|没|沒|无法|無法|别)[^。！？，,\n]{0,16}$/;

export const PROMISE_RULES: readonly PhraseRule[] = [
  {
    id: 'promise.en',
    locale: 'en',
    pattern: new RegExp(
      String.raw`\b(?:will|shall|'ll|going to|plan(?:ning)? to|intend to|expect to|promise to|aim to|hope to|can|could)\s+${FILLER_EN}(?:pay|settle|transfer|remit|wire|clear|make (?:the |a |full |our )?payments?|send (?:the |a |you |our )?(?:payment|money|funds|transfer|remittance))\b` +
        String.raw`|\b(?:payment|transfer|funds|remittance|the (?:full )?(?:amount|balance|invoice))s?\s+(?:will|shall|should)\s+(?:be\s+)?(?:made|sent|paid|settled|transferred|processed|released|wired|issued|effected|go out|arrive|reach you)\b` +
        String.raw`|\byou (?:will|should|'ll) (?:receive|have|get|see) (?:the |our |your |full )?(?:payment|funds|money|transfer)\b|\bexpect (?:the |our )?payment\b|\bpayment (?:is )?(?:scheduled|planned|going out)\b` +
        String.raw`|\b(?:we|i)(?:'re| are|'m| am) (?:paying|transferring|settling|sending (?:the |a |you )?(?:payment|money|funds))\b`,
    ),
    reason: 'Promises to pay',
  },
  {
    id: 'promise.ro',
    locale: 'ro',
    pattern:
      /(?<!\bnu )\b(?:vom|voi|o sa|putem|pot)\s+(?:(?!nu\b)[a-z-]+\s+){0,2}?(?:plati|platim|platesc|achita|achitam|achit|vira|viram|transfera|transferam|efectua plata|efectuam plata|face plata|facem plata|trimite plata|trimitem plata|onora|onoram|inchide|stinge)\b|(?<!\bnu )\b(?:platim|achitam|viram)\b|\bplata (?:va fi|se va)\s+(?:efectuat\w*|facut\w*|trimis\w*|virat\w*|realiza\w*|efectua|face|vira|procesa\w*)|\bveti primi (?:plata|banii|suma)\b/,
    reason: 'Promises to pay (Romanian)',
  },
  {
    id: 'promise.tr',
    locale: 'tr',
    pattern:
      /\b(?:odeyecegi[zm]\w*|odeyecek(?:tir|ler)?|odenecek(?:tir)?|odeyebiliri[zm]|oderi[zm]|odemeyi planliyoruz)\b|\bodeme(?:yi|miz)?\s+(?:\S+\s+){0,2}?(?:yapacagi[zm]|yapilacak(?:tir)?|gerceklestirecegi[zm]|gerceklestirilecek(?:tir)?|gonderecegi[zm]|gonderilecek(?:tir)?)\b|\b(?:havale|eft|transfer)(?:yi|i)?\s+(?:edecegi[zm]|yapacagi[zm]|edilecek(?:tir)?|yapilacak(?:tir)?)\b|\b(?:kapatacagi[zm]|gonderecegi[zm])\b/,
    reason: 'Promises to pay (Turkish)',
  },
  {
    id: 'promise.zh-CN',
    locale: 'zh-CN',
    pattern:
      /(?<!不|不会|無法|无法)(?:将|將|会|會|打算|计划|計劃|准备|準備|预计|預計|争取|爭取|可以|能|安排)[^。！？\n]{0,24}?(?:付款|支付|汇款|匯款|转账|轉賬|打款|结清|結清|付清|还款|還款|付)|(?<![已未没不])(?:付款|支付|汇款|转账|打款)(?:时间|日期)(?:为|是|定在|定于)/,
    reason: 'Promises to pay (Chinese)',
    negatedBy: ZH_NEGATION,
  },
  {
    id: 'promise.zh-CN.dated',
    locale: 'zh-CN',
    // "下周五付款", "3月15日前付清": a bare verb of paying straight after a date.
    pattern: /(?<![已未没沒不])(?:前|之前|以前|左右)?(?:付款|支付|汇款|匯款|转账|轉賬|打款|结清|結清|付清|还款|還款)/,
    reason: 'Promises to pay (Chinese)',
    adjacentDateOnly: true,
    negatedBy: ZH_NEGATION,
  },
];

export interface FoundPromise {
  rule: PhraseRule;
  commitment: FoundPhrase;
  date: FoundDate | null;
  amount: Money | null;
  amountQuote: string | null;
}

/** Ends a sentence (a date or amount can hold "." or "," inside, but those are masked before this runs). */
const SENTENCE_END = /[!?。！？;\n]|\.(?:\s|$)/;
/** How far (folded characters) a date may sit from the commitment, either side. */
const REACH = 90;

function gapBetween(text: string, a: { start: number; end: number }, b: { start: number; end: number }): string {
  return a.end <= b.start ? text.slice(a.end, b.start) : text.slice(b.end, a.start);
}

function masked(text: string, spans: readonly { start: number; end: number }[]): string {
  let out = text;
  for (const span of spans) out = out.slice(0, span.start) + ' '.repeat(span.end - span.start) + out.slice(span.end);
  return out;
}

/**
 * The first commitment to pay (rule table order, then position) with a date in its sentence; or,
 * when no commitment has a date, the first commitment found (date null).
 */
export function findPromise(text: FoldedText, receivedAt: DateTime, currency: string | null): FoundPromise | null {
  const amounts = findAmounts(text, currency);
  const dates = findDates(text, receivedAt, amounts);
  const plain = masked(text.folded, [...amounts, ...dates]);
  let undated: FoundPromise | null = null;
  for (const rule of PROMISE_RULES) {
    const matcher = new RegExp(rule.pattern.source, `${rule.pattern.flags.replace('g', '')}g`);
    for (const match of text.folded.matchAll(matcher)) {
      const span = { start: match.index, end: match.index + match[0].length };
      const reach = rule.adjacentDateOnly === true ? 2 : REACH;
      const inSentence = <T extends { start: number; end: number }>(other: T): boolean => {
        const gap = gapBetween(plain, span, other);
        return gap.length <= reach && !SENTENCE_END.test(gap);
      };
      const commitment: FoundPhrase = {
        ...span,
        groups: match.slice(1),
        quote: quoteOriginal(text, span.start, span.end),
      };
      const distance = (other: { start: number; end: number }): number => gapBetween(plain, span, other).length;
      const date =
        dates
          .filter(inSentence)
          .filter(
            (candidate) => rule.negatedBy === undefined || !rule.negatedBy.test(plain.slice(0, Math.min(span.start, candidate.start))),
          )
          .sort((a, b) => distance(a) - distance(b))[0] ?? null;
      const amount = amounts.filter(inSentence).sort((a, b) => distance(a) - distance(b))[0] ?? null;
      const found: FoundPromise = { rule, commitment, date, amount: amount?.money ?? null, amountQuote: amount?.quote ?? null };
      if (date !== null) return found;
      if (rule.adjacentDateOnly !== true) undated ??= found;
    }
  }
  return undated;
}
