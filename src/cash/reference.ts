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
 * Every key the reference could mean: each list item as a whole ("INV 2026 0042" →
 * "20260042") and each of its words that holds a digit ("1042 1043" → "1042", "1043").
 */
export function referenceKeys(reference: string): string[] {
  const keys = new Set<string>();
  for (const item of reference.split(SEPARATORS)) {
    if (!/\d/.test(item)) continue;
    keys.add(invoiceKey(item));
    const words = item.split(/\s+/).filter((word) => /\d/.test(word));
    if (words.length > 1) for (const word of words) keys.add(invoiceKey(word));
  }
  keys.delete('');
  return [...keys];
}

/** The invoice numbers (from `numbers`) the reference names, in the order given. */
export function referencedNumbers(reference: string | null, numbers: readonly string[]): string[] {
  if (reference === null || reference.trim() === '') return [];
  const keys = new Set(referenceKeys(reference));
  return numbers.filter((number) => keys.has(invoiceKey(number)));
}
