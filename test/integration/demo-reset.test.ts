import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyDatabase } from '../../src/db/demo.repository.js';
import { pgSql } from '../../src/db/sql.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

describe('the demo empties its database', () => {
  let database: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('but keeps the reference rates a migration ships (late-payment interest is counted with them)', async () => {
    await client.query(
      `insert into customers (external_id, name, time_zone, locale, currency, updated_at) values ('D-1', 'Demo', 'UTC', 'en', 'EUR', now())`,
    );
    const shipped = Number((await client.query('select count(*) from reference_rates')).rows[0].count);
    expect(shipped).toBeGreaterThan(50);

    await emptyDatabase(pgSql(client));

    expect(Number((await client.query('select count(*) from customers')).rows[0].count)).toBe(0);
    expect(Number((await client.query('select count(*) from reference_rates')).rows[0].count)).toBe(shipped);
  });
});
