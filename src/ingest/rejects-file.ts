import { csvCell } from '../csv/csv-writer.js';
import type { Rejection } from './batch.js';

// The `--rejects` file: `line,reason,raw`, one rejected row per record. A rejected row is exactly
// where a hostile `=cmd|' /C calc'!A0` sits; the shared CSV writer neutralises it.

export const REJECTS_HEADER = 'line,reason,raw\n';

/** One cell: neutralised when it could run as a formula, quoted per RFC 4180 when needed. */
export const rejectsCell = (value: string): string => csvCell(value);

/** The record of one rejection, with its line feed. */
export function rejectsLine(rejection: Rejection): string {
  return `${rejection.line},${rejectsCell(rejection.reason)},${rejectsCell(rejection.raw)}\n`;
}
