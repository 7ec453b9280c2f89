import { toMajorString } from '../core/money.js';
import { csvDocument } from '../csv/csv-writer.js';

/** Money in a table cell: CSV shows integer minor units, the text table major units. */
export interface MoneyCell {
  minor: number;
  currency: string;
}

export type Cell = string | number | null | MoneyCell;

/** A report flattened to rows, for `--csv` and the human table. */
export interface ReportTable {
  columns: string[];
  rows: Cell[][];
}

export function money(minor: number, currency: string): MoneyCell {
  return { minor, currency };
}

function isMoney(cell: Cell): cell is MoneyCell {
  return typeof cell === 'object' && cell !== null;
}

/** RFC 4180 CSV with a header line; money as integer minor units; text that could run as a formula neutralised. */
export function renderCsv(table: ReportTable): string {
  return csvDocument(
    table.columns,
    table.rows.map((row) => row.map((cell) => (isMoney(cell) ? cell.minor : cell))),
  );
}

function textField(cell: Cell): string {
  if (isMoney(cell)) return toMajorString(cell.minor, cell.currency);
  return cell === null ? '' : String(cell);
}

/** A plain aligned table: numbers and money right-aligned, money in major units. */
export function renderText(table: ReportTable): string {
  const cells = [table.columns, ...table.rows.map((row) => row.map(textField))];
  const right = table.columns.map((_, i) => table.rows.some((row) => typeof row[i] === 'number' || isMoney(row[i] ?? null)));
  const widths = table.columns.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((text, i) => (right[i] ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(cells[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n') + '\n';
}
