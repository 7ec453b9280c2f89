import type { Job } from 'bullmq';
import { DateTime } from 'luxon';
import type { Clock } from '../core/clock.js';
import { ENDED_SESSION_RETENTION_DAYS, webhookReceiptCutoff } from '../core/retention.js';
import { pruneEndedConsoleSessions } from '../db/sessions.repository.js';
import type { Sql } from '../db/sql.js';
import { pruneWebhookReceipts } from '../db/webhook-receipts.repository.js';
import type { Logger } from '../logging/logger.js';
import { parsePayload } from './catalog.js';

/** What housekeeping deletes, and how long it keeps it. */
export interface HousekeepingDependencies {
  db: Sql;
  clock: Clock;
  logger: Logger;
  /** WEBHOOK_RECEIPT_RETENTION_DAYS and WEBHOOK_MAX_AGE_SECONDS (see {@link webhookReceiptCutoff}). */
  webhookReceipts: { retentionDays: number; maxAgeSeconds: number };
}

export interface HousekeepingResult {
  webhookReceiptsPruned: number;
  consoleSessionsPruned: number;
}

/**
 * housekeeping (hourly): deletes what only mattered for a while — webhook receipts past their
 * replay window and retention, console sessions that ended over a day ago.
 */
export function createHousekeepingProcessor(deps: HousekeepingDependencies) {
  return async function housekeeping(job: Pick<Job, 'data'>): Promise<HousekeepingResult> {
    const { asOf } = parsePayload('housekeeping', job.data);
    const now = asOf ? DateTime.fromISO(asOf, { setZone: true }) : deps.clock.now();
    const result = {
      webhookReceiptsPruned: await pruneWebhookReceipts(deps.db, webhookReceiptCutoff(now, deps.webhookReceipts).toJSDate()),
      consoleSessionsPruned: await pruneEndedConsoleSessions(deps.db, now.minus({ days: ENDED_SESSION_RETENTION_DAYS }).toJSDate()),
    };
    deps.logger.info(result, 'housekeeping');
    return result;
  };
}
