import type { Sql } from './sql.js';

/** `webhook_receipts`: the keys of webhook requests already acted on (see the model's comment). */

/**
 * Claims every key of one request under `source` (its nonce, the provider's id for the event).
 * True when none was taken before: the request is new and may be acted on. False when any was
 * (a replay, or the provider sending the same event again): then nothing is written.
 */
export async function claimWebhookReceipt(sql: Sql, source: string, keys: readonly string[], at: Date): Promise<boolean> {
  const unique = [...new Set(keys)];
  const inserted = await sql.query<{ receipt_key: string }>(
    `insert into webhook_receipts (source, receipt_key, received_at)
     select $1, key, $3::timestamptz from unnest($2::text[]) as key
      where not exists (select 1 from webhook_receipts where source = $1 and receipt_key = any($2::text[]))
     on conflict do nothing returning receipt_key`,
    [source, unique, at.toISOString()],
  );
  return inserted.length === unique.length;
}

/** Gives the keys back when acting on the request failed, so the provider's retry is not taken for a replay. */
export async function releaseWebhookReceipt(sql: Sql, source: string, keys: readonly string[]): Promise<void> {
  await sql.query(`delete from webhook_receipts where source = $1 and receipt_key = any($2::text[])`, [source, [...keys]]);
}

/**
 * Deletes receipts written before `before`, at most `batch` rows a statement so a large backlog
 * does not hold one long transaction; returns how many went.
 */
export async function pruneWebhookReceipts(sql: Sql, before: Date, batch = 10_000): Promise<number> {
  let pruned = 0;
  for (;;) {
    const rows = await sql.query<{ n: number }>(
      `with gone as (
         delete from webhook_receipts where ctid in (
           select ctid from webhook_receipts where received_at < $1::timestamptz limit $2)
         returning 1)
       select count(*)::int as n from gone`,
      [before.toISOString(), batch],
    );
    const n = rows[0]?.n ?? 0;
    pruned += n;
    if (n < batch) return pruned;
  }
}
