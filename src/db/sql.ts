import type { Readable } from 'node:stream';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { PrismaTransaction } from './client.js';

/**
 * The little SQL the ledger writers need, so the same statements run on a `pg` client (bulk
 * import, where Prisma's per-row cost matters) and inside a Prisma transaction (the API).
 *
 * Conventions for statements written against it: money is selected `::text` and read with
 * `BigInt`, dates `::text`, and array parameters are typed (`$1::uuid[]`), because the two
 * drivers map bigint and date columns to different JavaScript types.
 */
export interface Sql {
  query<Row extends object>(text: string, values?: readonly unknown[]): Promise<Row[]>;
}

/** `Sql` over a `pg` client (or pool: then each statement may use another connection). */
export function pgSql(client: pg.ClientBase | pg.Pool): Sql {
  return {
    async query<Row extends object>(text: string, values: readonly unknown[] = []) {
      const result = await client.query<Row>(text, values as unknown[]);
      return result.rows;
    },
  };
}

/** `Sql` inside a Prisma interactive transaction. */
export function prismaSql(tx: PrismaTransaction): Sql {
  return {
    query<Row extends object>(text: string, values: readonly unknown[] = []) {
      return tx.$queryRawUnsafe<Row[]>(text, ...values);
    },
  };
}

/** `Sql` that can also run a unit of work in one transaction. */
export interface SqlDatabase extends Sql {
  /** Runs `work` in one transaction and commits it; with `rollback`, undoes it at the end instead (a dry run). */
  transaction<T>(work: (sql: Sql) => Promise<T>, options?: { rollback?: boolean }): Promise<T>;
}

/** A database that can answer `COPY … TO STDOUT`. */
export interface CopyOut {
  /**
   * The bytes `COPY (query) TO STDOUT …` sends, as they come: nothing is decoded into
   * JavaScript strings (COPY takes no parameters, so `text` carries its values as literals).
   */
  copyOut(text: string): Promise<Buffer>;
}

/**
 * `SqlDatabase` over a `pg` pool. The hot paths (the step's batch of decisions, the delivery
 * jobs' contact-log statements, the import's batches) use it directly: through Prisma each statement costs its client
 * several times what Postgres spends on it.
 */
export function pgDatabase(pool: pg.Pool): SqlDatabase & CopyOut {
  const sql = pgSql(pool);
  return {
    query: sql.query,
    transaction: <T>(work: (sql: Sql) => Promise<T>, options: { rollback?: boolean } = {}) =>
      withPgClient(pool, async (client, discard) => {
        await client.query('begin');
        try {
          const result = await work(pgSql(client));
          await client.query(options.rollback === true ? 'rollback' : 'commit');
          return result;
        } catch (error) {
          await client.query('rollback').catch(discard);
          throw error;
        }
      }),
    copyOut: (text: string) =>
      withPgClient(pool, async (client) => {
        const chunks: Buffer[] = [];
        const stream: Readable = client.query(copyTo(text));
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks);
      }),
  };
}

/**
 * Checks a client out of the pool for `work` and gives it back; `discard` (or a lost connection)
 * closes it instead. A checked-out client whose connection drops between two statements emits
 * 'error' with no pool listening, which would end the process (a Postgres restart did, in the
 * fault suite): here it only fails the work.
 */
export async function withPgClient<T>(pool: pg.Pool, work: (client: pg.PoolClient, discard: () => void) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  const onError = () => {
    broken = true;
  };
  client.on('error', onError);
  try {
    return await work(client, onError);
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
