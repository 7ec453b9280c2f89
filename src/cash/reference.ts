// Reading invoice numbers out of a payment reference as people type them: "INV-1042",
// "inv. 1042", "#1042", "Invoices 1042, 1043 and 1051", "Factura nr. 0042; 0043". Both sides are
// reduced to a key (letters and digits, upper case, without a leading word such as INV or NO and
// without leading zeros), so "INV-0042" on the invoice matches "#42" in the reference.

const PREFIX = /^(?:INVOICES?|INVS?|NOS?|NR|NUMBER|NUM|REF|FACTURA|FACTURI|FACT|FATURA|FAT|RECHNUNG|RG)+(?=[A-Z]*\d)/;
const SEPARATORS = /\s*(?:[,;&+|]|\bAND\b|\bSI\b|\bȘI\b|\bVE\b|\bUND\b|\bET\b|和)\s*/iu;

/** The key an invoice number is matched by ("INV-2026-0042" → "20260042"). */
export function invoiceKey(number: string): string {
  const compact = number.toUpperCase().replace(/[^\p{L}\p{N}]/gu, '');
  return compact.replace(PREFIX, '').replace(/^0+(?=.)/, '');
}

/**
 * The invoice numbers (from `numbers`) the reference names, in the order given. Each list item
 * ("INV 2026 0042", "Invoices 1042 1043") is first read as one number written with spaces,
 * starting at any of its words ("Payment inv. 2026-0042" → "2026-0042"); only when that names no
 * invoice does each word holding a digit count on its own — so "Inv. 2026 0042" means invoice
 * 2026-0042, not also an invoice numbered 42.
 */
export function referencedNumbers(reference: string | null, numbers: readonly string[]): string[] {
  if (reference === null || reference.trim() === '') return [];
  const byKey = new Map<string, string[]>();
  for (const number of numbers) {
    const key = invoiceKey(number);
    byKey.set(key, [...(byKey.get(key) ?? []), number]);
  }
  const named = new Set<string>();
  for (const item of reference.split(SEPARATORS)) {
    if (!/\d/.test(item)) continue;
    const words = item.trim().split(/\s+/);
    const phrases = words.slice(0, -1).map((_, i) => invoiceKey(words.slice(i).join(' ')));
    const phrase = phrases.find((key) => byKey.has(key));
    const keys = phrase !== undefined ? [phrase] : words.filter((word) => /\d/.test(word)).map(invoiceKey);
    for (const key of keys) for (const number of byKey.get(key) ?? []) named.add(number);
  }
  return numbers.filter((number) => named.has(number));
}
