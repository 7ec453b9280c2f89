import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/dev/embedded-postgres.js';
import { startEmbeddedRedis } from '../../src/dev/embedded-redis.js';
import { applyMigrations } from '../../src/db/migrate.js';
import { createLogger } from '../../src/logging/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the shared test Postgres (database `postgres`). */
    pgAdminUrl: string;
    /** A database with every migration applied, cloned by each test file. */
    pgTemplateDatabase: string;
    /** The shared test redis-server. */
    redisUrl: string;
  }
}

export const TEMPLATE_DATABASE = 'arrears_template';

/**
 * Boots one real Postgres and one real redis-server for the whole integration run, unless
 * TEST_DATABASE_URL / TEST_REDIS_URL point at servers of your own. Each test file then clones
 * the migrated template database and uses its own queue prefix (test/support/databases.ts).
 */
export default async function setup(project: TestProject) {
  const logger = createLogger({ level: 'warn', format: 'json', production: true });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'arrears-test-'));
  const stops: Array<() => Promise<void>> = [];

  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const postgres = await startEmbeddedPostgres({
      clusterDir: path.join(dir, 'postgres'),
      database: 'postgres',
      // Test data is disposable: trade durability for speed.
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
      logger,
    });
    stops.push(postgres.stop);
    adminUrl = postgres.url;
  }
  let redisUrl = process.env.TEST_REDIS_URL;
  if (!redisUrl) {
    const redis = await startEmbeddedRedis(path.join(dir, 'redis'), logger);
    stops.push(redis.stop);
    redisUrl = redis.url;
  }

  await recreateDatabase(adminUrl, TEMPLATE_DATABASE);
  await applyMigrations(withDatabase(adminUrl, TEMPLATE_DATABASE));

  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplateDatabase', TEMPLATE_DATABASE);
  project.provide('redisUrl', redisUrl);

  return async () => {
    for (const stop of stops.reverse()) await stop();
    await rm(dir, { recursive: true, force: true });
  };
}

/** The same server URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function recreateDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists "${database}" with (force)`);
    await client.query(`create database "${database}"`);
  } finally {
    await client.end();
  }
}
