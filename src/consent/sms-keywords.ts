/** What an inbound SMS asks for, when it is one of the standard keywords. */
export type SmsKeyword = 'stop' | 'start' | 'help';

/**
 * Whole-message keywords, compared after trimming, upper-casing and dropping trailing
 * punctuation. Twilio's standard opt-out / opt-in / help words, plus equivalents in the locales
 * Arrears ships (ro, tr, zh-CN).
 */
const KEYWORDS: ReadonlyMap<string, SmsKeyword> = new Map([
  ...['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE'].map((w) => [w, 'stop'] as const),
  ...['DEZABONARE', 'DEZABONEAZA', 'IPTAL', 'DUR', '退订', 'TD', '取消订阅'].map((w) => [w, 'stop'] as const),
  ...['START', 'UNSTOP', 'YES'].map((w) => [w, 'start'] as const),
  ...['HELP', 'INFO', 'AJUTOR', 'YARDIM', '帮助'].map((w) => [w, 'help'] as const),
]);

/** Upper-cases without locale quirks: Turkish `iptal` / `İPTAL` both read `IPTAL`; diacritics dropped. */
function normalise(body: string): string {
  return body
    .trim()
    .replace(/[\s.!。！]+$/u, '')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toUpperCase();
}

/** The keyword an inbound SMS consists of, or null for any other message. */
export function smsKeyword(body: string): SmsKeyword | null {
  return KEYWORDS.get(normalise(body)) ?? null;
}
