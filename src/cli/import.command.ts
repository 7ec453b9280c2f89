import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Argument, type Command } from 'commander';
import { openRuntime } from '../app/runtime.js';
import { upsertExchangeRates } from '../db/exchange-rates.repository.js';
import { upsertReferenceRates } from '../db/reference-rates.repository.js';
import { decodeUtf8, parseRatesCsv } from '../ingest/exchange-rates.js';
import { parseReferenceRatesCsv } from '../ingest/reference-rates.js';
import { HeaderError } from '../ingest/header.js';
import { createProgressBar } from '../ingest/progress.js';
import { REJECTS_HEADER, rejectsLine } from '../ingest/rejects-file.js';
import { IMPORT_KINDS, runImport, type ImportKind } from '../ingest/run-import.js';
import { formatSummary, summaryJson } from '../ingest/summary.js';
import { loadPolicies } from '../workflows/load-policies.js';
import type { CommandContext } from './main.js';

interface ImportFlags {
  dryRun?: boolean;
  rejects?: string;
  json?: boolean;
  batchSize: number;
  source?: string;
}

/** Exit code when the import ran but rejected rows (a script can tell it from a failure, 1). */
export const EXIT_ROWS_REJECTED = 3;

export function registerImportCommand(program: Command, context: CommandContext): void {
  program
    .command('import')
    .description(
      'Load customers, invoices or payments from a CSV file (idempotent); payments are applied to invoices. ' +
        '`rates` loads exchange rates in the ECB reference-rates shape (Date, then one column per currency, per 1 EUR); ' +
        '`reference-rates` loads the late-payment reference rates (source,effective_on,rate[,fixed_sum,fixed_sum_currency]).',
    )
    .addArgument(new Argument('<kind>', 'what the file holds').choices([...IMPORT_KINDS, 'rates', 'reference-rates']))
    .argument('<file>', 'CSV file with a header line, or - for standard input')
    .option('--dry-run', 'validate and count, write nothing')
    .option('--rejects <file>', 'also write rejected rows to this CSV file (line,reason,raw)')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--batch-size <rows>', 'rows per transaction', (value) => positiveInt(value), 2000)
    .option('--source <text>', 'rates and reference-rates: where the rates came from, stored with each (default: the file name)')
    .action(async (kind: ImportKind | 'rates' | 'reference-rates', file: string, flags: ImportFlags) => {
      if (kind === 'rates') return importRates(context, file, flags);
      if (kind === 'reference-rates') return importReferenceRates(context, file, flags);
      const totalBytes = file === '-' ? undefined : (await stat(file)).size; // fails early on a missing file
      const config = context.config();
      // The same catalog the worker decides with: built-in policies plus POLICIES_DIR.
      const knownPolicies = new Set((await loadPolicies(config.policiesDir)).keys());
      const runtime = await openRuntime(config, context.logger());
      const now = runtime.clock.now().toJSDate();
      const progress = createProgressBar(process.stderr, kind, totalBytes);
      const rejectsFile = flags.rejects === undefined ? undefined : await openRejectsFile(flags.rejects);
      try {
        const summary = await runImport({
          kind,
          input: file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 1 << 18 }),
          db: runtime.db,
          now,
          knownPolicies,
          dryRun: flags.dryRun === true,
          batchSize: flags.batchSize,
          onProgress: (p) => progress.update(p),
          onReject: async (rejection) => {
            progress.clear();
            process.stderr.write(`line ${rejection.line}: ${rejection.reason}\n`);
            if (rejectsFile !== undefined && !rejectsFile.write(rejectsLine(rejection))) await once(rejectsFile, 'drain');
          },
        });
        progress.clear();
        process.stdout.write(flags.json === true ? summaryJson(summary) : formatSummary(summary));
        if (summary.rejected > 0) process.exitCode = EXIT_ROWS_REJECTED;
      } catch (error) {
        progress.clear();
        if (!(error instanceof HeaderError)) throw error;
        process.stderr.write(`${file}: ${error.message}\n`);
        process.exitCode = 2;
      } finally {
        if (rejectsFile !== undefined) await new Promise((resolve) => rejectsFile.end(resolve));
        await runtime.lifecycle.close();
      }
    });
}

/**
 * `arrears import rates <file>`: every good line's rates are stored against BASE_CURRENCY (cross
 * rates when it is not EUR) in one transaction; each bad line is reported with its number, and
 * the exit code is 3 when there was one (2 for a header that does not fit).
 */
async function importRates(context: CommandContext, file: string, flags: ImportFlags): Promise<void> {
  const config = context.config();
  const input = file === '-' ? process.stdin : createReadStream(file);
  const source = flags.source?.trim() || `ecb-csv ${file === '-' ? 'stdin' : path.basename(file)}`;
  let parsed;
  try {
    parsed = await parseRatesCsv(decodeUtf8(input), config.baseCurrency, source);
  } catch (error) {
    if (!(error instanceof HeaderError)) throw error;
    process.stderr.write(`${file}: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  for (const rejection of parsed.rejected) process.stderr.write(`line ${rejection.line}: ${rejection.reason}\n`);
  if (parsed.skippedColumns.length > 0) {
    process.stderr.write(`columns skipped (not ISO 4217 codes in use): ${parsed.skippedColumns.join(', ')}\n`);
  }
  let written = { created: 0, updated: 0, unchanged: 0 };
  if (flags.dryRun !== true && parsed.rates.length > 0) {
    const runtime = await openRuntime(config, context.logger());
    try {
      const now = runtime.clock.now().toJSDate();
      const rates = parsed.rates;
      written = await runtime.db.transaction((sql) => upsertExchangeRates(sql, config.baseCurrency, rates, now));
    } finally {
      await runtime.lifecycle.close();
    }
  }
  const dates = parsed.rates.map((r) => r.rateDate).sort();
  const summary = {
    kind: 'rates',
    base: config.baseCurrency,
    dry_run: flags.dryRun === true,
    lines: parsed.lines,
    rates: parsed.rates.length,
    ...written,
    rejected: parsed.rejected.length,
    from: dates[0] ?? null,
    to: dates.at(-1) ?? null,
    skipped_columns: parsed.skippedColumns,
  };
  process.stdout.write(
    flags.json === true
      ? `${JSON.stringify(summary)}\n`
      : `rates against ${summary.base}${summary.dry_run ? ' (dry run, nothing written)' : ''}: ${summary.lines} line(s), ` +
          `${summary.rates} rate(s)${summary.from ? ` dated ${summary.from} to ${summary.to}` : ''}; ` +
          `${written.created} created, ${written.updated} updated, ${written.unchanged} unchanged, ${summary.rejected} line(s) rejected\n`,
  );
  if (parsed.rejected.length > 0) process.exitCode = EXIT_ROWS_REJECTED;
}

/**
 * `arrears import reference-rates <file>`: every good line is upserted on (source, effective_on)
 * in one transaction; each bad line is reported with its number (exit 3), a header that does not
 * fit stops before anything is read (exit 2).
 */
async function importReferenceRates(context: CommandContext, file: string, flags: ImportFlags): Promise<void> {
  const config = context.config();
  const input = file === '-' ? process.stdin : createReadStream(file);
  let parsed;
  try {
    parsed = await parseReferenceRatesCsv(decodeUtf8(input));
  } catch (error) {
    if (!(error instanceof HeaderError)) throw error;
    process.stderr.write(`${file}: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  for (const rejection of parsed.rejected) process.stderr.write(`line ${rejection.line}: ${rejection.reason}\n`);
  let written = { created: 0, updated: 0, unchanged: 0 };
  if (flags.dryRun !== true && parsed.rates.length > 0) {
    const runtime = await openRuntime(config, context.logger());
    try {
      const now = runtime.clock.now().toJSDate();
      const origin = flags.source?.trim() || `csv ${file === '-' ? 'stdin' : path.basename(file)}`;
      const rates = parsed.rates;
      written = await runtime.db.transaction((sql) => upsertReferenceRates(sql, rates, origin, now));
    } finally {
      await runtime.lifecycle.close();
    }
  }
  const summary = {
    kind: 'reference-rates',
    dry_run: flags.dryRun === true,
    lines: parsed.lines,
    rates: parsed.rates.length,
    ...written,
    rejected: parsed.rejected.length,
  };
  process.stdout.write(
    flags.json === true
      ? `${JSON.stringify(summary)}\n`
      : `reference rates${summary.dry_run ? ' (dry run, nothing written)' : ''}: ${summary.lines} line(s), ${summary.rates} rate(s); ` +
          `${written.created} created, ${written.updated} updated, ${written.unchanged} unchanged, ${summary.rejected} line(s) rejected\n`,
  );
  if (parsed.rejected.length > 0) process.exitCode = EXIT_ROWS_REJECTED;
}

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--batch-size must be a positive integer, not "${value}"`);
  return parsed;
}

async function openRejectsFile(path: string): Promise<WriteStream> {
  const stream = createWriteStream(path);
  await once(stream, 'open');
  stream.write(REJECTS_HEADER);
  return stream;
}
