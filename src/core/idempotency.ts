import type { IsoDate } from './dates.js';
import type { Consolidated } from './consolidate.js';

const PER_DAY = new Set(['email', 'sms', 'call_task']);

/**
 * The key the contact-log row and the job are written under. A ladder step's actions are keyed
 * by the customer's cycle and the step (each fires once per cycle); courtesy and plan notices by
 * customer, channel and local date (one a day); their other actions by step and the invoice
 * re-openings they cover; a broken-promise alert by its promise. Parts are URI-encoded and joined
 * by `/`, so no `:` can appear (BullMQ reserves it) and parts cannot run together.
 */
export function idempotencyKey(customerId: string, action: Consolidated, localDate: IsoDate): string {
  let parts: string[];
  if (action.cycle !== null) {
    parts = [
      action.type,
      ...(action.alertKind === null ? [] : [action.alertKind]),
      action.policyId,
      `cycle-${action.cycle}`,
      action.stepId,
    ];
  } else if (PER_DAY.has(action.type)) parts = [action.type, localDate];
  else if (action.promiseId !== null) parts = [action.type, action.alertKind ?? '', action.promiseId];
  else {
    const cycles = action.invoices.map((ref) => `${ref.invoiceId}-c${ref.cycle}`);
    parts = [action.type, ...(action.alertKind === null ? [] : [action.alertKind]), action.policyId, action.stepId, ...cycles];
  }
  return [customerId, ...parts].map(encodeURIComponent).join('/');
}
