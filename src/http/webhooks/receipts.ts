import type { PrismaClient } from '../../db/client.js';
import { autoCommit } from '../../db/transaction.js';
import { claimWebhookReceipt, releaseWebhookReceipt } from '../../db/webhook-receipts.repository.js';

/** What a webhook does with a request: `act` ran, or the request was a replay and nothing ran. */
export type Receipt<T> = { replay: false; result: T } | { replay: true };

/**
 * Runs `act` once per request identity: the keys are claimed first (one statement, unique in
 * Postgres, so two copies racing each other cannot both act), and given back when `act` throws
 * — so that the provider's retry of a request that failed here is acted on — or when `kept` says
 * the request changed nothing (a report about a message not recorded yet may come again).
 */
export async function once<T>(
  prisma: PrismaClient,
  request: { source: string; keys: readonly string[]; at: Date; kept?: (result: T) => boolean },
  act: () => Promise<T>,
): Promise<Receipt<T>> {
  const sql = autoCommit(prisma);
  if (!(await claimWebhookReceipt(sql, request.source, request.keys, request.at))) return { replay: true };
  let result: T;
  try {
    result = await act();
  } catch (error) {
    await releaseWebhookReceipt(sql, request.source, request.keys);
    throw error;
  }
  if (request.kept && !request.kept(result)) await releaseWebhookReceipt(sql, request.source, request.keys);
  return { replay: false, result };
}
