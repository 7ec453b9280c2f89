import { foldText } from './text.js';

/**
 * Quoted history is cut before any rule runs: a reply that quotes our reminder ("please pay by
 * 15 March") must not read as the customer promising it. What goes:
 * - lines starting with '>' (wherever they are: inline replies keep the customer's lines between them);
 * - everything from the first history header on: "On … wrote:" (also wrapped over two lines, as
 *   Gmail does), "În … a scris:", "… tarihinde … yazdı:", "在 … 写道：", "-----Original Message-----"
 *   and its translations, Outlook's "From: … / Sent: …" block (and "De la:/Trimis:",
 *   "Kimden:/Gönderildi:", "发件人:/发送时间:"), Outlook's underscore rule;
 * - a signature after the "-- " delimiter.
 * Patterns run on folded lines (see text.ts), so "Özgün İleti" and "Ozgun Ileti" are one.
 */

const SEPARATOR_LINE =
  /^-{2,}\s*(original message|forwarded message|mesaj original|mesajul original|mesaj redirectionat|ozgun ileti|orijinal mesaj|iletilen mesaj|原始邮件|原始郵件|转发邮件|转发的邮件|邮件原件)\s*-{2,}/;
const UNDERSCORE_RULE = /^_{10,}$/;
const WROTE_EN = /^on\b.{4,300}\bwrote:$/;
const WROTE_RO = /^(in|la|pe)\b.{4,300}\ba scris:$/;
const WROTE_TR = /^.{4,300}\btarihinde\b.{0,300}\byazdi:$/;
const WROTE_ZH = /^.{0,300}(写道|寫道):$/;
const OUTLOOK_FROM = /^(from|de la|kimden|gonderen|发件人|寄件者):\s*\S/;
const OUTLOOK_SENT = /^(sent|date|trimis|data|gonderildi|tarih|发送时间|发送日期|日期|寄件日期|时间):\s*\S/;
const SIGNATURE = /^-- ?$/;

const fold = (line: string): string => foldText(line).folded.trim();

function startsHistory(lines: readonly string[], index: number): boolean {
  const line = fold(lines[index] ?? '');
  if (SEPARATOR_LINE.test(line) || UNDERSCORE_RULE.test(line)) return true;
  if (WROTE_EN.test(line) || WROTE_RO.test(line) || WROTE_TR.test(line) || WROTE_ZH.test(line)) return true;
  const next = fold(lines[index + 1] ?? '');
  if (/^(on|in|la|pe)\b/.test(line) || /\btarihinde\b/.test(line) || /^在/.test(line)) {
    const joined = `${line} ${next}`;
    if (WROTE_EN.test(joined) || WROTE_RO.test(joined) || WROTE_TR.test(joined) || WROTE_ZH.test(joined)) return true;
  }
  if (OUTLOOK_FROM.test(line)) {
    for (let ahead = index + 1; ahead <= index + 4 && ahead < lines.length; ahead += 1) {
      if (OUTLOOK_SENT.test(fold(lines[ahead] ?? ''))) return true;
    }
  }
  return false;
}

/** The customer's own words: `text` without quoted history or signature. */
export function stripQuotedHistory(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    if (SIGNATURE.test(line)) break;
    if (startsHistory(lines, index)) break;
    if (/^\s*>/.test(line)) continue;
    kept.push(line);
  }
  return kept.join('\n').trim();
}
