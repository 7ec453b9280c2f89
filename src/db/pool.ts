import pg from 'pg';

/** A plain `pg` pool, for the layers above that hold one (the import, the demo) without importing pg. */
export type PgPool = pg.Pool;

/**
 * A plain `pg` pool on `databaseUrl` (the hot paths' set-based statements, the import's COPY).
 * With `onIdleError`, an idle connection the server dropped (a Postgres restart) is reported
 * there instead of crashing the process.
 */
export function createPgPool(databaseUrl: string, options: { max: number; onIdleError?: (error: Error) => void }): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.max });
  if (options.onIdleError) pool.on('error', options.onIdleError);
  return pool;
}
