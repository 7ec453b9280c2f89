import type pg from 'pg';

// Whole-database views for "nothing was written": every row of every table as text, and a
// fingerprint per table to compare before and after a batch of refused requests.

type Queryable = Pick<pg.Pool, 'query'>;

async function tables(db: Queryable): Promise<string[]> {
  const result = await db.query<{ table_name: string }>(
    `select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> '_prisma_migrations' order by 1`,
  );
  return result.rows.map((row) => row.table_name);
}

/** Every row of every table, as Postgres prints it. */
export async function databaseText(db: Queryable): Promise<string> {
  let text = '';
  for (const table of await tables(db)) {
    const result = await db.query<{ text: string }>(`select coalesce(string_agg(t::text, E'\\n'), '') as text from "${table}" t`);
    text += `${table}\n${result.rows[0]?.text ?? ''}\n`;
  }
  return text;
}

/**
 * Count and md5 of each table's rows, except tables a request touches by design (tokens record
 * their last use).
 */
export async function databaseFingerprint(db: Queryable, ignore: readonly string[] = ['api_tokens']): Promise<Record<string, string>> {
  const fingerprint: Record<string, string> = {};
  for (const table of await tables(db)) {
    if (ignore.includes(table)) continue;
    const result = await db.query<{ n: string; md5: string | null }>(
      `select count(*)::text as n, md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) as md5 from "${table}" t`,
    );
    fingerprint[table] = `${result.rows[0]?.n}:${result.rows[0]?.md5}`;
  }
  return fingerprint;
}
