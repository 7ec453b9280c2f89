import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Argument, type Command } from 'commander';
import { openRuntime } from '../app/runtime.js';
import { createPgPool } from '../db/pool.js';
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
}

/** Exit code when the import ran but rejected rows (a script can tell it from a failure, 1). */
export const EXIT_ROWS_REJECTED = 3;

export function registerImportCommand(program: Command, context: CommandContext): void {
  program
    .command('import')
    .description('Load customers, invoices or payments from a CSV file (idempotent); payments are applied to invoices.')
    .addArgument(new Argument('<kind>', 'what the file holds').choices(IMPORT_KINDS))
    .argument('<file>', 'CSV file with a header line, or - for standard input')
    .option('--dry-run', 'validate and count, write nothing')
    .option('--rejects <file>', 'also write rejected rows to this CSV file (line,reason,raw)')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--batch-size <rows>', 'rows per transaction', (value) => positiveInt(value), 2000)
    .action(async (kind: ImportKind, file: string, flags: ImportFlags) => {
      const totalBytes = file === '-' ? undefined : (await stat(file)).size; // fails early on a missing file
      const config = context.config();
      // The same catalog the worker decides with: built-in policies plus POLICIES_DIR.
      const knownPolicies = new Set((await loadPolicies(config.policiesDir)).keys());
      const runtime = await openRuntime(config, context.logger());
      const pool = runtime.lifecycle.adopt('import pool', createPgPool(runtime.stack.databaseUrl, { max: 2 }), (p) => p.end());
      const now = runtime.clock.now().toJSDate();
      const progress = createProgressBar(process.stderr, kind, totalBytes);
      const rejectsFile = flags.rejects === undefined ? undefined : await openRejectsFile(flags.rejects);
      try {
        const summary = await runImport({
          kind,
          input: file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 1 << 18 }),
          pool,
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
