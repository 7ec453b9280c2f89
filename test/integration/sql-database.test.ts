import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgDatabase, type SqlDatabase } from '../../src/db/sql.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

describe('the hot-path pg database', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let db: SqlDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
    pool.on('error', () => undefined); // idle clients: the runtime logs these
    db = pgDatabase(pool);
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('fails a transaction whose connection is lost between statements, without ending the process, and goes on', async () => {
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const work = db.transaction(async (sql) => {
        const [{ pid }] = (await sql.query<{ pid: number }>('select pg_backend_pid() as pid')) as [{ pid: number }];
        await admin.query('select pg_terminate_backend($1)', [pid]);
        // The server's goodbye arrives while the client is checked out and idle.
        await new Promise((resolve) => setTimeout(resolve, 200));
        return sql.query('select 1');
      });
      await expect(work).rejects.toThrow();
      expect(await db.query<{ ok: number }>('select 1 as ok')).toEqual([{ ok: 1 }]);
      expect(await db.transaction((sql) => sql.query<{ ok: number }>('select 2 as ok'))).toEqual([{ ok: 2 }]);
    } finally {
      await admin.end();
    }
  });
});
