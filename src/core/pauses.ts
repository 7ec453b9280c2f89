import type { Candidate } from './candidate.js';
import { addDays, weekdayOf, type IsoDate } from './dates.js';
import type { SkipReason } from './decision.js';
import type { Customer, Dispute, Holds, OpenInvoice, PromiseToPay } from './domain.js';
import { toMajorString } from './money.js';
import type { DunningRules } from './rules.js';

/** Why contact is stopped. */
export interface Stop {
  reason: SkipReason;
  detail: string;
}

/**
 * Holds and flags that stop all automated contact until a person lifts them. Legal hold and
 * bankruptcy come first: the account is with legal, whatever else is set.
 */
export function customerStop(customer: Pick<Customer, 'doNotContact'>, holds: Holds): Stop | null {
  if (holds.legalHold) return { reason: 'hold', detail: 'customer is on legal hold' };
  if (holds.bankruptcy) return { reason: 'hold', detail: 'customer is in bankruptcy' };
  if (customer.doNotContact) return { reason: 'consent', detail: 'customer is marked do-not-contact' };
  if (holds.manualPause) return { reason: 'paused', detail: 'dunning is paused by hand' };
  return null;
}

/**
 * What the customer's replies hold back today: a reply pause (a person wrote; contact waits until
 * a collector marks the reply handled, at most through `replyPausedThrough`) and an out-of-office
 * return date. `resumesOn` is the first local day contact may resume.
 */
export function replyHold(holds: Pick<Holds, 'replyPausedThrough' | 'awayUntil'>, today: IsoDate): (Stop & { resumesOn: IsoDate }) | null {
  const paused = holds.replyPausedThrough !== null && today <= holds.replyPausedThrough;
  const away = holds.awayUntil !== null && today < holds.awayUntil;
  if (!paused && !away) return null;
  const pauseEnds = paused ? addDays(holds.replyPausedThrough!, 1) : today;
  const returns = away ? holds.awayUntil! : today;
  if (pauseEnds >= returns) {
    return {
      reason: 'paused',
      detail: `a reply from the customer awaits a collector, paused through ${holds.replyPausedThrough}`,
      resumesOn: pauseEnds,
    };
  }
  return { reason: 'paused', detail: `the customer is out of office until ${holds.awayUntil}`, resumesOn: returns };
}

/**
 * The last day of a reply pause: `businessDays` working days after the day the reply arrived,
 * not counting days outside `workingDays` (ISO weekdays) or holidays.
 */
export function replyPauseEnd(
  receivedOn: IsoDate,
  businessDays: number,
  workingDays: readonly number[],
  holidays: ReadonlySet<IsoDate>,
): IsoDate {
  let day = receivedOn;
  // Bounded like the send window's search: a week always has a working day unless misconfigured.
  for (let counted = 0, i = 0; counted < businessDays && i < 400 + businessDays * 7; i++) {
    day = addDays(day, 1);
    if (workingDays.includes(weekdayOf(day)) && !holidays.has(day)) counted++;
  }
  return day;
}

/** The effect of the customer's promises to pay today. */
export interface PromiseState {
  /** The open promise pausing the customer (the one whose grace ends last), if any. */
  pausing: { promise: PromiseToPay; lastPausedDay: IsoDate } | null;
  /** Open promises past their grace: dunning resumes and a manager is alerted. */
  broken: PromiseToPay[];
}

/** Sorts open promises into pausing (until promised date + grace) and broken. */
export function promiseState(promises: readonly PromiseToPay[], today: IsoDate, rules: DunningRules): PromiseState {
  const state: PromiseState = { pausing: null, broken: [] };
  for (const promise of promises) {
    if (promise.status !== 'open') continue;
    const lastPausedDay = addDays(promise.promisedOn, promise.graceDays ?? rules.promiseGraceDays);
    if (today > lastPausedDay) state.broken.push(promise);
    else if (state.pausing === null || lastPausedDay > state.pausing.lastPausedDay) {
      state.pausing = { promise, lastPausedDay };
    }
  }
  return state;
}

/** The manager alert a broken promise raises; keyed by the promise so it is raised once. */
export function brokenPromiseAlert(promise: PromiseToPay, policyId: string): Candidate {
  return {
    type: 'manager_alert',
    policyId,
    stepId: 'broken-promise',
    stage: 0,
    offsetDays: 0,
    template: null,
    alertKind: 'broken_promise',
    invoice: null,
    promiseId: promise.id,
    cycle: null,
  };
}

/**
 * Invoices left out of dunning while the rest of the customer's invoices carry on: those with an
 * open dispute, and those in a currency whose total open balance is below the minimum.
 */
export function invoiceExclusions(invoices: readonly OpenInvoice[], disputes: readonly Dispute[], rules: DunningRules): Map<string, Stop> {
  const excluded = new Map<string, Stop>();
  for (const dispute of disputes) {
    if (dispute.status === 'open') excluded.set(dispute.invoiceId, { reason: 'dispute', detail: 'invoice is disputed' });
  }
  const balances = new Map<string, number>();
  for (const invoice of invoices) {
    if (excluded.has(invoice.id)) continue;
    balances.set(invoice.currency, (balances.get(invoice.currency) ?? 0) + invoice.balanceMinor);
  }
  for (const invoice of invoices) {
    const minimum = rules.minimumBalanceMinor[invoice.currency] ?? 0;
    const balance = balances.get(invoice.currency) ?? 0;
    if (excluded.has(invoice.id) || balance >= minimum) continue;
    excluded.set(invoice.id, {
      reason: 'min_balance',
      detail: `open ${invoice.currency} balance ${toMajorString(balance, invoice.currency)} is below the minimum ${toMajorString(minimum, invoice.currency)}`,
    });
  }
  return excluded;
}
