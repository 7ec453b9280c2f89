import type { Rejection } from './batch.js';

// The `--rejects` file: `line,reason,raw`, one rejected row per record. People open it in a
// spreadsheet, and a rejected row is exactly where a hostile `=cmd|' /C calc'!A0` sits, so every
// cell that a spreadsheet would read as a formula is neutralised with a leading apostrophe
// (OWASP "CSV injection"): the text stays readable and is never evaluated.

export const REJECTS_HEADER = 'line,reason,raw\n';

/** Starts a spreadsheet reads as a formula: = + - @, and tab / carriage return before one. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: neutralised when it could run as a formula, quoted per RFC 4180 when needed. */
export function rejectsCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The record of one rejection, with its line feed. */
export function rejectsLine(rejection: Rejection): string {
  return `${rejection.line},${rejectsCell(rejection.reason)},${rejectsCell(rejection.raw)}\n`;
}
