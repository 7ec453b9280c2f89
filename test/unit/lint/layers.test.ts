import path from 'node:path';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// `arrears/layers` on snippets placed at repository paths: only src/db talks to the database.

const root = path.resolve(import.meta.dirname, '../../..');
// The project's own plugin, as eslint.config.js defines it.
const { plugins } = (await new ESLint({ cwd: root }).calculateConfigForFile('src/index.ts')) as Linter.Config;
const arrears = plugins!['arrears']!;
const linter = new Linter({ cwd: root });
const config = [
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { arrears },
    rules: { 'arrears/layers': 'error' },
  },
] as Linter.Config[];

const problems = (file: string, code: string) => linter.verify(code, config, path.join(root, file)).map((m) => m.message);

describe('arrears/layers: only src/db talks to the database', () => {
  const violations: Array<[string, string, RegExp]> = [
    ['src/ingest/x.ts', `import { pgSql } from '../db/sql.js';`, /only types/],
    ['src/demo/x.ts', `import { createPgPool, type PgPool } from '../db/pool.js';`, /only types/],
    ['src/cli/x.ts', `import { createPrisma } from '../db/client.js';`, /only types/],
    ['src/ingest/x.ts', `export async function f(sql) { return sql.query('select 1'); }`, /`\.query\(…\)` runs SQL/],
    ['src/demo/x.ts', `export const f = (prisma) => prisma.customer.findMany();`, /`customer\.findMany` is a Prisma model call/],
    ['src/http/x.ts', `export const f = (deps) => deps.prisma.contactPoint.count();`, /`contactPoint\.count`/],
    ['src/cases/x.ts', `export const f = (prisma) => prisma.$transaction(async () => 1);`, /`\$transaction`/],
    ['src/cash/x.ts', 'export const f = (prisma) => prisma.$queryRaw`select 1`;', /`\$queryRaw`/],
    ['src/app/x.ts', `export const f = (pool) => pool.query('select 1');`, /`\.query\(…\)` runs SQL/],
  ];
  it.each(violations)('%s: %s', (file, code, message) => {
    const found = problems(file, code);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  const allowed: Array<[string, string]> = [
    ['src/ingest/x.ts', `import type { Sql } from '../db/sql.js';`],
    ['src/ingest/x.ts', `import { type Sql, type SqlDatabase } from '../db/sql.js';`],
    ['src/ingest/x.ts', `import { upsertInvoices } from '../db/invoices.repository.js';`],
    ['src/app/x.ts', `import { pgDatabase } from '../db/sql.js';`],
    ['src/db/x.ts', `export async function f(sql, prisma) { await prisma.customer.findMany(); return sql.query('select 1'); }`],
    ['src/dev/x.ts', `export const f = (client) => client.query('select 1');`],
    ['test/x.ts', `import { pgSql } from '../src/db/sql.js'; export const f = (pool) => pool.query('select 1');`],
    ['src/jobs/x.ts', `export const f = (seen, names) => { seen.delete('a'); names.count(); };`],
  ];
  it.each(allowed)('%s: %s passes', (file, code) => {
    expect(problems(file, code)).toEqual([]);
  });
});
