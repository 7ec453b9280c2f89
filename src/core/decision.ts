import type { DateTime } from 'luxon';
import type { IsoDate } from './dates.js';
import type { InvoiceStepRef, Ladder } from './domain.js';
import type { ActionType, ManagerAlertKind } from './policy.js';

/** Why something due now was not done. */
export type SkipReason =
  /** outside the customer's send window (or on a weekend or holiday) */
  | 'window'
  /** a frequency cap, or the channel already used today */
  | 'cap'
  /** the customer's last reminder was too recent (`caps.minDaysBetweenReminders`) */
  | 'spacing'
  /** the invoice has an open dispute */
  | 'dispute'
  /** legal hold or bankruptcy */
  | 'hold'
  /** channel not consented or not reachable, or the customer is do-not-contact */
  | 'consent'
  /** open balance below the currency's minimum */
  | 'min_balance'
  /** manual pause or an open promise to pay */
  | 'paused'
  /** an earlier step missed while paused or down; only today's step is sent */
  | 'superseded';

/** An invoice an action covers, at the step it is in. */
export interface CoveredInvoice extends InvoiceStepRef {
  number: string;
}

/** What an action does and what caused it. */
export interface ActionSubject {
  type: ActionType;
  policyId: string;
  /** The causing step; for a consolidated notice, the highest-stage step among its invoices. */
  stepId: string;
  /** Template id for email and SMS, `null` otherwise. */
  template: string | null;
  /** Set on `manager_alert`. */
  alertKind: ManagerAlertKind | null;
  /** Sorted by invoice id. Empty for a broken-promise alert, which concerns the promise. */
  invoices: CoveredInvoice[];
  /** The customer's dunning cycle, for a ladder step; `null` for courtesy and plan reminders and alerts. */
  cycle: number | null;
}

/** An action to take now. */
export interface PlannedAction extends ActionSubject {
  /**
   * Deterministic and free of `:` (it doubles as the BullMQ job id): the contact-log row is
   * written under it first, so a repeated tick or a rebuilt queue cannot send twice.
   */
  idempotencyKey: string;
  /** Collector for a `call_task`. */
  assigneeId: string | null;
  /** Consumer profile: the email or SMS must carry an opt-out line. */
  requiresOptOutLine: boolean;
  /** The broken promise a `broken_promise` alert is about. */
  promiseId: string | null;
}

/** An email or SMS action: the kind that becomes a rendered contact-log row and a delivery. */
export function isMessage(action: PlannedAction): action is PlannedAction & { type: 'email' | 'sms' } {
  return action.type === 'email' || action.type === 'sms';
}

/** An action that was due but not taken, with the reason. */
export interface SkippedAction extends ActionSubject {
  reason: SkipReason;
  /** A sentence a collector can read. */
  detail: string;
}

/** Where the case stands on the ladder after this decision: the state to record, and what is next. */
export interface LadderPosition extends Ladder {
  /** The highest step fired in the open cycle, this decision's actions included; `null` when none. */
  stepId: string | null;
  /** The next step the cycle climbs to and the local date it falls due (before spacing and windows). */
  next: { stepId: string; on: IsoDate } | null;
}

/** What the core decided for one case at one instant. */
export interface Decision {
  actions: PlannedAction[];
  skipped: SkippedAction[];
  ladder: LadderPosition;
  /** The earliest moment something could next be due; never before `now`. */
  nextLookAt: DateTime;
}
