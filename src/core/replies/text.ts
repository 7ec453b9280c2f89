/**
 * Text as the rules see it. Patterns are written against a *folded* form: compatibility-normalised
 * (full-width "３月１５日" → "3月15日"), lower-case, diacritics removed ("plăti" and "plati",
 * "ödeyeceğiz" and "odeyecegiz" match alike — people often type without them) and Turkish dotless
 * ı as i, typographic apostrophes as "'" ("We’ll" as "We'll"). Each folded character remembers where it came from, so a reason quotes the customer's own words.
 */
export interface FoldedText {
  /** The folded string the patterns run on. */
  readonly folded: string;
  /** The original text. */
  readonly original: string;
  /** For each UTF-16 unit of `folded`, the index in `original` it came from. */
  readonly origin: readonly number[];
}

const MARKS = /\p{M}/gu;

/** Folds one code point (compatibility form, lower case, no marks, ı → i). */
function foldCodePoint(char: string): string {
  return char
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(MARKS, '')
    .replace(/ı/g, 'i')
    .replace(/[‘’ʼ`´]/g, "'");
}

export function foldText(original: string): FoldedText {
  let folded = '';
  const origin: number[] = [];
  let index = 0;
  for (const char of original) {
    const piece = foldCodePoint(char);
    folded += piece;
    for (let i = 0; i < piece.length; i += 1) origin.push(index);
    index += char.length;
  }
  return { folded, original, origin };
}

const MAX_QUOTE = 120;

/** The customer's own words behind a folded match, whitespace collapsed, cut to a readable length. */
export function quoteOriginal(text: FoldedText, start: number, end: number): string {
  if (end <= start) return '';
  const from = text.origin[start] ?? 0;
  const lastIndex = text.origin[end - 1] ?? from;
  const lastChar = String.fromCodePoint(text.original.codePointAt(lastIndex) ?? 32);
  const quote = text.original
    .slice(from, lastIndex + lastChar.length)
    .replace(/\s+/g, ' ')
    .trim();
  return quote.length > MAX_QUOTE ? `${quote.slice(0, MAX_QUOTE - 1)}…` : quote;
}

export interface FoundPhrase {
  start: number;
  end: number;
  /** Capture groups of the match, in the folded text. */
  groups: readonly (string | undefined)[];
  quote: string;
}

/** The first match of `pattern` (run on the folded text), with the original words it covers. */
export function findPhrase(text: FoldedText, pattern: RegExp): FoundPhrase | null {
  const flags = pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`;
  const matcher = new RegExp(pattern.source, flags);
  const match = matcher.exec(text.folded);
  if (match === null) return null;
  const start = match.index;
  const end = start + match[0].length;
  return { start, end, groups: match.slice(1), quote: quoteOriginal(text, start, end) };
}

/** The shipped locales a phrase rule is written for. */
export type RuleLocale = 'en' | 'ro' | 'tr' | 'zh-CN';

/** One row of a rule table: a pattern on folded text, with a stable id and an English reason. */
export interface PhraseRule {
  /** Stable id, e.g. 'opt_out.en.unsubscribe'. */
  id: string;
  locale: RuleLocale;
  pattern: RegExp;
  /** What the match means, in English, e.g. 'asks to unsubscribe'. */
  reason: string;
  /** For a bare verb ("3月15日付款"): counts only right next to a date. */
  adjacentDateOnly?: boolean;
  /** A negation that, ending just before the match in the same sentence, cancels it ("不会在3月15日付款"). */
  negatedBy?: RegExp;
}

export interface PhraseMatch {
  rule: PhraseRule;
  found: FoundPhrase;
}

/** The first rule of `rules` (in table order) whose pattern matches `text`. */
export function firstMatch(rules: readonly PhraseRule[], text: FoldedText): PhraseMatch | null {
  for (const rule of rules) {
    const found = findPhrase(text, rule.pattern);
    if (found !== null) return { rule, found };
  }
  return null;
}
