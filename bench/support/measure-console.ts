// Times the console's pages and the reports on a ledger already loaded (load-ledger.ts), against
// a private redis-server, as `npm run bench`'s console phase does:
//
//   npx tsx bench/support/measure-console.ts --database-url postgresql://…/scratch [--requests 40]
//     [--only 'contact log,aging report'] (pages and reports by name, as printed)
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createPrisma } from '../../src/db/client.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { startEmbeddedRedis } from '../../src/dev/embedded-redis.js';
import { createLogger } from '../../src/logging/logger.js';
import { measurePages } from './console-bench.js';

const { values } = parseArgs({
  options: {
    'database-url': { type: 'string', default: process.env.DATABASE_URL },
    requests: { type: 'string', default: '40' },
    only: { type: 'string' },
  },
});
const url = values['database-url'];
if (!url) throw new Error('--database-url (or DATABASE_URL) is required');
const dir = await mkdtemp(path.join(os.tmpdir(), 'arrears-measure-console-'));
const redis = await startEmbeddedRedis(path.join(dir, 'redis'), createLogger({ level: 'warn', format: 'json', production: true }));
const pool = new pg.Pool({ connectionString: url, max: 2 });
const prisma = createPrisma(url);
try {
  await applyMigrations(url);
  const { pages, reports } = await measurePages(
    {
      databaseUrl: url,
      redisEnv: { REDIS_URL: redis.url },
      dir,
      requests: Number(values.requests),
      ...(values.only ? { only: values.only.split(',').map((name) => name.trim()) } : {}),
      say: (line) => console.log(line),
    },
    prisma,
    pool,
  );
  console.log(
    JSON.stringify(
      Object.fromEntries([...pages, ...reports].map((t) => [t.name, { p95_ms: Math.round(t.p95Ms), median_ms: Math.round(t.medianMs) }])),
    ),
  );
} finally {
  await prisma.$disconnect();
  await pool.end();
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}
