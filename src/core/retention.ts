import type { DateTime } from 'luxon';

/** Kept beyond the replay window, for clocks that disagree and a request that took its time. */
const REPLAY_MARGIN_SECONDS = 3_600;

/**
 * Before when a webhook receipt may be deleted. A signed request is taken while its timestamp is
 * within `maxAgeSeconds` of now, either way, so a request timestamped `maxAgeSeconds` ahead and
 * received at once can be replayed until `2 × maxAgeSeconds` after its receipt was written: a
 * receipt is kept at least that long plus a margin, however short `retentionDays` is set.
 * `retentionDays` keeps the receipts of requests that carry no signed time (Twilio's) that long.
 */
export function webhookReceiptCutoff(now: DateTime, settings: { retentionDays: number; maxAgeSeconds: number }): DateTime {
  const replayWindow = 2 * settings.maxAgeSeconds + REPLAY_MARGIN_SECONDS;
  return now.minus({ seconds: Math.max(settings.retentionDays * 86_400, replayWindow) });
}

/** Ended console sessions (revoked or expired) are kept this long, for the sign-in history. */
export const ENDED_SESSION_RETENTION_DAYS = 1;
