import type { DateTime } from 'luxon';
import { earliest } from './dates.js';
import type { DunningRules } from './rules.js';
import { nextOpening, type CustomerWindow } from './send-window.js';

/**
 * When the case needs looking at again: the first send-window opening at or after the earliest
 * moment something could become due, never before `now`. With nothing scheduled (everything
 * fired, or a hold only a person can lift, which re-evaluates the case itself), a safety look
 * after `idleLookAheadDays`.
 */
export function nextLookAt(now: DateTime, window: CustomerWindow, dueFrom: readonly DateTime[], rules: DunningRules): DateTime {
  const first = earliest(dueFrom);
  if (first === null) return now.setZone(window.zone).plus({ days: rules.idleLookAheadDays });
  return nextOpening(first.toMillis() < now.toMillis() ? now : first, window);
}
