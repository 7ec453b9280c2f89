import { toMajorString } from '../core/money.js';
import type { ImportSummary } from './run-import.js';

/** The summary as a person reads it at the end of an import. */
export function formatSummary(summary: ImportSummary): string {
  const verb = summary.dryRun ? 'would be ' : '';
  const lines = [
    `${summary.kind}${summary.dryRun ? ' (dry run: nothing written)' : ''}: ${summary.rows} rows read`,
    `  created    ${summary.created}`,
    `  updated    ${summary.updated}`,
    `  unchanged  ${summary.unchanged}`,
    `  rejected   ${summary.rejected}`,
  ];
  const cash = summary.cash;
  if (cash !== undefined) {
    lines.push(
      `  cash application: ${cash.allocations} allocations ${verb}made, ${cash.invoicesPaid} invoices ${verb}paid ` +
        `(${cash.byReference} payments by reference, ${cash.byAge} by age)`,
    );
    for (const total of cash.totals) {
      lines.push(
        `    ${total.currency}  applied ${toMajorString(total.appliedMinor, total.currency)}  ` +
          `unapplied (customer credit) ${toMajorString(total.unappliedMinor, total.currency)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The summary for machines: amounts as decimal strings in minor units (exact, no floats). */
export function summaryJson(summary: ImportSummary): string {
  return `${JSON.stringify(summary, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}\n`;
}
