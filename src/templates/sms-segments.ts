/** How an SMS body travels: 7-bit GSM 03.38 septets, or UTF-16 code units. */
export type SmsEncoding = 'GSM-7' | 'UCS-2';

/** The size of an SMS body as a carrier bills it. */
export interface SmsSize {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
}

// GSM 03.38 default alphabet, without ESC (0x1B), which only introduces the extension table.
// 0x09 is the capital Ç, as Twilio and most SMSCs read it; a lowercase ç is not in the set.
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' + '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
// Reached through ESC, so each costs two septets.
const GSM7_EXTENDED = new Set('^{}\\[~]|€\f');

// Turkish ş ğ ı İ and Romanian ă â î ș ț are not in the default alphabet. 3GPP 23.038 defines
// Turkish (and Portuguese, Spanish…) national shift tables, but Twilio and most aggregators send
// with the default table only, so one such letter turns the whole message into UCS-2.
const LIMITS: Readonly<Record<SmsEncoding, { single: number; concatenated: number }>> = {
  'GSM-7': { single: 160, concatenated: 153 },
  'UCS-2': { single: 70, concatenated: 67 },
};

function isGsm7(text: string): boolean {
  for (const char of text) {
    if (!GSM7_BASIC.has(char) && !GSM7_EXTENDED.has(char)) return false;
  }
  return true;
}

/** Units each character costs, per code point, so a pair is never split between segments. */
function unitCosts(text: string, encoding: SmsEncoding): number[] {
  return Array.from(text, (char) => (encoding === 'GSM-7' ? (GSM7_EXTENDED.has(char) ? 2 : 1) : char.length));
}

/**
 * Counts the segments of an SMS body: GSM-7 when every character is in the default alphabet or
 * its extension (`^{}\[~]|€` and form feed cost two septets), otherwise UCS-2 (surrogate pairs
 * cost two units). One segment holds 160 septets or 70 units; a concatenated message 153 or 67
 * per segment (the rest is the UDH), and an escape or surrogate pair never straddles two.
 */
export function countSmsSegments(text: string): SmsSize {
  const encoding: SmsEncoding = isGsm7(text) ? 'GSM-7' : 'UCS-2';
  const costs = unitCosts(text, encoding);
  const units = costs.reduce((sum, cost) => sum + cost, 0);
  const limit = LIMITS[encoding];
  if (units === 0) return { encoding, units, segments: 0 };
  if (units <= limit.single) return { encoding, units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > limit.concatenated) {
      segments += 1;
      used = 0;
    }
    used += cost;
  }
  return { encoding, units, segments };
}
