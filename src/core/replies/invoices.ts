/**
 * The customer's open invoice numbers a message names, in the order of `invoiceNumbers`.
 * Case-insensitive, and a number must stand alone: "INV-10" is not named by "INV-100". Chinese
 * writes it straight against the words ("发票INV-1001金额有误"), so a Han character does not join.
 */
const joins = (char: string): boolean => /[\p{L}\p{N}]/u.test(char) && !/\p{Script=Han}/u.test(char);

export function namedInvoices(texts: readonly string[], invoiceNumbers: readonly string[]): string[] {
  const haystack = texts.join('\n').toLowerCase();
  return invoiceNumbers.filter((number) => {
    const needle = number.trim().toLowerCase();
    if (needle === '') return false;
    let from = haystack.indexOf(needle);
    while (from >= 0) {
      const before = haystack[from - 1] ?? ' ';
      const after = haystack[from + needle.length] ?? ' ';
      if (!joins(before) && !joins(after)) return true;
      from = haystack.indexOf(needle, from + 1);
    }
    return false;
  });
}
