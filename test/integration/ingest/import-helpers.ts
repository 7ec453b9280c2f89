import { createReadStream } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import type { PrismaClient } from '../../../src/db/client.js';
import { pgDatabase } from '../../../src/db/sql.js';
import { runImport, type ImportKind, type ImportSummary, type Rejection } from '../../../src/ingest/run-import.js';
import { loadPolicies } from '../../../src/workflows/load-policies.js';

export const FIXTURES = path.resolve('test/fixtures/csv');

/** Tuesday 2026-03-10 08:00 UTC: the import's clock in these tests. */
export const IMPORT_NOW = new Date('2026-03-10T08:00:00.000Z');

export interface ImportResult {
  summary: ImportSummary;
  rejections: Rejection[];
}

/** Imports a fixture file name or inline CSV text (anything containing a newline). */
export async function importCsv(
  deps: { pool: pg.Pool; prisma: PrismaClient },
  kind: ImportKind,
  fileOrText: string,
  options: { dryRun?: boolean; batchSize?: number; now?: Date } = {},
): Promise<ImportResult> {
  const rejections: Rejection[] = [];
  const now = options.now ?? IMPORT_NOW;
  const input = fileOrText.includes('\n')
    ? (async function* () {
        yield Buffer.from(fileOrText);
      })()
    : createReadStream(path.join(FIXTURES, fileOrText));
  const summary = await runImport({
    kind,
    input,
    db: pgDatabase(deps.pool),
    now,
    knownPolicies: new Set((await loadPolicies()).keys()),
    onReject: (rejection) => {
      rejections.push(rejection);
    },
    ...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }),
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
  });
  return { summary, rejections };
}

/** Row counts of the ledger tables, to show a run wrote nothing. */
export async function ledgerCounts(pool: pg.Pool): Promise<Record<string, number>> {
  const tables = ['customers', 'contact_points', 'invoices', 'payments', 'payment_allocations', 'collection_cases'];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    counts[table] = Number((await pool.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0]?.n);
  }
  return counts;
}
