// Text that reaches the database from outside (API and console bodies and queries, CSV cells)
// passes one check. Postgres cannot store NUL; an unpaired UTF-16 surrogate is not text at all
// (the driver fails on it); bidi embedding, override and isolate controls make a name display as
// something other than what it is ("Trojan Source"). LRM and RLM mean something only next to
// right-to-left script, so they are kept there and refused in text that has none.

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
const DIRECTION_MARK = /[\u200E\u200F]/;
/** Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic and their presentation forms. */
const RIGHT_TO_LEFT = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC]|\uD802[\uDC00-\uDFFF]|\uD803[\uDC00-\uDE7F]|\uD83A[\uDC00-\uDFFF]/;

const codePoint = (character: string) => `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why this text cannot be taken as it is (`contains …`), or null when it can. */
export function textProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'contains a NUL character, which cannot be stored';
  if (UNPAIRED_SURROGATE.test(value)) return 'contains an unpaired UTF-16 surrogate (not valid text)';
  const control = BIDI_CONTROL.exec(value)?.[0];
  if (control !== undefined)
    return `contains the bidirectional control character ${codePoint(control)}, which would make it display differently from what it says`;
  const mark = DIRECTION_MARK.exec(value)?.[0];
  if (mark !== undefined && !RIGHT_TO_LEFT.test(value))
    return `contains the direction mark ${codePoint(mark)} without any right-to-left text`;
  return null;
}
