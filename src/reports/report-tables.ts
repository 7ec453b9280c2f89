import type { AgingReport } from './aging.report.js';
import type { CeiReport } from './cei.report.js';
import type { CollectionsReport, CollectionsRow } from './collections.report.js';
import type { DsoReport } from './dso.report.js';
import type { CustomerPrediction } from './payment-prediction.js';
import type { Statement, StatementInterestLine } from './statement.js';
import { money, type Cell, type ReportTable } from './table.js';

// Each report flattened to one table for `--csv` and the terminal; `--json` prints the report
// object itself.

/** Rows: per currency its totals (`total`), its rates (`rate`) and allowance (`allowance`), then one per customer and currency. */
export function agingTable(report: AgingReport): ReportTable {
  const { buckets } = report;
  const rows: Cell[][] = [];
  for (const c of report.currencies) {
    rows.push([
      'total',
      null,
      null,
      c.currency,
      ...buckets.map((b) => money(c.buckets[b] ?? 0, c.currency)),
      money(c.totalMinor, c.currency),
      money(c.allowanceMinor, c.currency),
      money(c.netRealisableMinor, c.currency),
      money(c.unappliedCreditMinor, c.currency),
    ]);
    rows.push(['rate', null, null, c.currency, ...buckets.map((b) => `${report.rates[b] ?? '0'}%`), null, null, null, null]);
    rows.push([
      'allowance',
      null,
      null,
      c.currency,
      ...buckets.map((b) => money(c.allowance[b] ?? 0, c.currency)),
      money(c.allowanceMinor, c.currency),
      null,
      null,
      null,
    ]);
  }
  for (const r of report.customers) {
    rows.push([
      'customer',
      r.customer.externalId,
      r.customer.name,
      r.currency,
      ...buckets.map((b) => money(r.buckets[b] ?? 0, r.currency)),
      money(r.totalMinor, r.currency),
      null,
      null,
      null,
    ]);
  }
  return {
    columns: ['scope', 'customer', 'name', 'currency', ...buckets, 'total', 'allowance', 'net_realisable', 'unapplied_credit'],
    rows,
  };
}

export function dsoTable(report: DsoReport): ReportTable {
  return {
    columns: [
      'currency',
      'period_from',
      'period_to',
      'days',
      'receivables',
      'current',
      'credit_sales',
      'dso',
      'countback_dso',
      'best_possible_dso',
      'add',
      'percent_current',
    ],
    rows: report.currencies.map((c) => [
      c.currency,
      report.period.from,
      report.period.to,
      report.period.days,
      money(c.receivablesMinor, c.currency),
      money(c.currentMinor, c.currency),
      money(c.creditSalesMinor, c.currency),
      c.dso,
      c.countbackDso,
      c.bestPossibleDso,
      c.averageDaysDelinquent,
      c.percentCurrent,
    ]),
  };
}

/** Rows: each trailing month, then the whole span (`window` = `span`). */
export function ceiTable(report: CeiReport): ReportTable {
  const rows: Cell[][] = [];
  for (const c of report.currencies) {
    for (const [label, f] of [...c.months.map((m) => [m.window.to.slice(0, 7), m] as const), ['span', c.span] as const]) {
      rows.push([
        c.currency,
        label,
        f.window.from,
        f.window.to,
        money(f.beginningMinor, c.currency),
        money(f.creditSalesMinor, c.currency),
        money(f.endingMinor, c.currency),
        money(f.endingCurrentMinor, c.currency),
        f.cei,
      ]);
    }
  }
  return { columns: ['currency', 'window', 'from', 'to', 'beginning', 'credit_sales', 'ending', 'ending_current', 'cei'], rows };
}

/** One column per currency collected / applied and per channel, from what the report holds. */
export function collectionsTable(report: CollectionsReport): ReportTable {
  const all = [...report.rows, ...report.totals];
  const keys = (pick: (row: CollectionsRow) => Record<string, number>) => [...new Set(all.flatMap((r) => Object.keys(pick(r))))].sort();
  const currencies = keys((r) => r.collectedMinor)
    .concat(keys((r) => r.appliedMinor))
    .filter((c, i, list) => list.indexOf(c) === i)
    .sort();
  const channels = keys((r) => r.remindersSent);
  const row = (r: CollectionsRow): Cell[] => [
    r.period.label,
    r.collector === null ? '(all)' : r.collector.name,
    ...currencies.map((c) => money(r.collectedMinor[c] ?? 0, c)),
    ...currencies.map((c) => money(r.appliedMinor[c] ?? 0, c)),
    ...channels.map((ch) => r.remindersSent[ch] ?? 0),
    r.promisesKept,
    r.promisesBroken,
  ];
  const rows: Cell[][] = [];
  for (const period of report.periods) {
    rows.push(...report.rows.filter((r) => r.period.label === period.label).map(row));
    const total = report.totals.find((t) => t.period.label === period.label);
    if (total) rows.push(row(total));
  }
  return {
    columns: [
      'period',
      'collector',
      ...currencies.map((c) => `collected_${c}`),
      ...currencies.map((c) => `applied_${c}`),
      ...channels.map((ch) => `sent_${ch}`),
      'promises_kept',
      'promises_broken',
    ],
    rows,
  };
}

/** Open items, then a `total` row per currency and an `unapplied credit` row per currency. */
export function statementTable(statement: Statement): ReportTable {
  const claims = new Map((statement.interest?.lines ?? []).map((c) => [`${c.invoice}|${c.currency}`, c]));
  const claimCells = (c: StatementInterestLine | undefined): Cell[] =>
    c === undefined
      ? [null, null, null]
      : [
          c.interestMinor === null ? null : money(c.interestMinor, c.currency),
          c.compensationMinor === null ? null : money(c.compensationMinor, c.currency),
          c.waived !== null
            ? `waived by ${c.waived.by}: ${c.waived.reason}`
            : c.interestMinor === null
              ? `unknown: ${c.gaps.join('; ')}`
              : `${c.rule} ${c.rates}, ${c.daysLate} days`,
        ];
  const rows: Cell[][] = statement.lines.map((l) => [
    l.number,
    l.issuedOn,
    l.dueOn,
    l.daysPastDue,
    l.bucket,
    l.currency,
    money(l.amountMinor, l.currency),
    money(l.balanceMinor, l.currency),
    ...claimCells(claims.get(`${l.number}|${l.currency}`)),
  ]);
  // Invoices paid late are no longer open items, but their claim survives the payment.
  const open = new Set(statement.lines.map((l) => `${l.number}|${l.currency}`));
  for (const c of statement.interest?.lines ?? []) {
    if (open.has(`${c.invoice}|${c.currency}`)) continue;
    rows.push([
      c.invoice,
      null,
      c.dueOn,
      null,
      'paid late',
      c.currency,
      money(c.principalMinor, c.currency),
      money(c.outstandingMinor, c.currency),
      ...claimCells(c),
    ]);
  }
  const interestTotals = new Map((statement.interest?.totals ?? []).map((t) => [t.currency, t]));
  const currencies = [...new Set([...statement.totals.map((t) => t.currency), ...interestTotals.keys()])].sort();
  for (const currency of currencies) {
    const balance = statement.totals.find((t) => t.currency === currency);
    const interest = interestTotals.get(currency);
    rows.push([
      'total',
      null,
      null,
      null,
      null,
      currency,
      null,
      money(balance?.balanceMinor ?? 0, currency),
      interest ? money(interest.interestMinor, currency) : null,
      interest ? money(interest.compensationMinor, currency) : null,
      null,
    ]);
    if (interest && (interest.waivedInterestMinor > 0 || interest.waivedCompensationMinor > 0)) {
      rows.push([
        'waived',
        null,
        null,
        null,
        null,
        currency,
        null,
        null,
        money(interest.waivedInterestMinor, currency),
        money(interest.waivedCompensationMinor, currency),
        'not claimed, not in the total',
      ]);
    }
  }
  for (const t of statement.unappliedCredit)
    rows.push(['unapplied credit', null, null, null, null, t.currency, null, money(t.balanceMinor, t.currency), null, null, null]);
  return {
    columns: [
      'invoice',
      'issued_on',
      'due_on',
      'days_past_due',
      'bucket',
      'currency',
      'amount',
      'balance',
      'interest',
      'compensation',
      'claim',
    ],
    rows,
  };
}

/** One row per open invoice with its expected payment date. */
export function predictionTable(predictions: ReadonlyArray<CustomerPrediction & { externalId: string; name: string }>): ReportTable {
  return {
    columns: ['customer', 'name', 'source', 'expected_days_to_pay', 'invoice', 'currency', 'balance', 'due_on', 'expected_on', 'method'],
    rows: predictions.flatMap((p) =>
      p.invoices.map((i): Cell[] => [
        p.externalId,
        p.name,
        p.source,
        p.expectedDaysToPay,
        i.number,
        i.currency,
        money(i.balanceMinor, i.currency),
        i.dueOn,
        i.expectedOn,
        i.method,
      ]),
    ),
  };
}
