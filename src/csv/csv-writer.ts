// The one CSV writer of every export (the contact-log download, `report … --csv`, the import's
// rejects file). People open these files in a spreadsheet, and a customer's name, a note or an
// invoice number comes from outside: `=HYPERLINK("http://evil","click")` would run as a formula.
// Every text cell a spreadsheet would read as a formula gets a leading apostrophe (OWASP "CSV
// injection"): the text stays readable and is never evaluated. Numbers are written as they are,
// so a credit of -500 stays a number.

/** A cell: text (neutralised when it could run as a formula), a number, or empty. */
export type CsvValue = string | number | bigint | null | undefined;

/** Starts a spreadsheet reads as a formula: = + - @, and a tab or carriage return before one. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** RFC 4180 quoting only: for files written for Arrears' own importer, which must read back exactly. */
export function csvQuoted(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One cell of an export: text that could run as a formula is prefixed with `'`, then quoted per RFC 4180. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  return csvQuoted(FORMULA_START.test(value) ? `'${value}` : value);
}

/** One record, without its line ending. */
export function csvRecord(values: readonly CsvValue[]): string {
  return values.map(csvCell).join(',');
}

/** A whole document: a header and the rows, each record ended by CRLF (RFC 4180). */
export function csvDocument(columns: readonly string[], rows: ReadonlyArray<readonly CsvValue[]>): string {
  return [columns, ...rows].map(csvRecord).join('\r\n') + '\r\n';
}
