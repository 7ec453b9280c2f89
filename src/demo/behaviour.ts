import { DateTime } from 'luxon';
import type { DemoCustomer, DemoInvoice } from './sample-ledger.js';

// How the demo's customers behave, as pure functions of the customer, what happened and a
// random draw. The demo (run-demo.ts) applies them to what the product actually sent.

/** A uniform draw in [0, 1). */
export type Draw = () => number;

const addDays = (isoDate: string, days: number) => DateTime.fromISO(isoDate, { zone: 'utc' }).plus({ days }).toISODate()!;
const between = (draw: Draw, min: number, max: number) => min + Math.floor(draw() * (max - min + 1));

/**
 * The day a customer would pay an invoice with no reminder at all, or null when it waits to be
 * chased: prompt payers pay around the due date, some reminded payers too, slow payers weeks late.
 */
export function unpromptedPayDay(customer: DemoCustomer, invoice: DemoInvoice, draw: Draw): string | null {
  const roll = draw();
  switch (customer.habit) {
    case 'prompt':
      return roll < 0.85 ? addDays(invoice.dueOn, between(draw, -8, 2)) : null;
    case 'reminded':
      return roll < 0.3 ? addDays(invoice.dueOn, between(draw, -3, 4)) : null;
    case 'slow':
      return roll < 0.95 ? addDays(invoice.dueOn, between(draw, 20, 45)) : null;
    case 'never':
      return null;
  }
}

/** What a customer does about one message it received. */
export type Reaction =
  { kind: 'pay-overdue'; inDays: number } | { kind: 'pay-upcoming'; inDays: number } | { kind: 'dispute' } | { kind: 'nothing' };

/**
 * A customer's answer to a reminder of a given stage (0 = before due). The firmer the message,
 * the likelier a payment; a customer who disputes does so at its first overdue reminder.
 */
export function reactToReminder(
  customer: DemoCustomer,
  message: { stage: number; holdNotice: 'credit' | 'legal' | null },
  state: { disputed: boolean },
  draw: Draw,
): Reaction {
  if (message.stage === 0) {
    return customer.habit === 'reminded' && draw() < 0.35 ? { kind: 'pay-upcoming', inDays: between(draw, 1, 4) } : { kind: 'nothing' };
  }
  if (customer.disputes && !state.disputed) return { kind: 'dispute' };
  if (customer.habit === 'never' || message.holdNotice === 'legal') return { kind: 'nothing' };
  const firmness = Math.min(0.3, 0.05 * (message.stage - 1)) + (message.holdNotice === 'credit' ? 0.25 : 0);
  return draw() < Math.min(0.97, customer.reminderResponse + firmness)
    ? { kind: 'pay-overdue', inDays: between(draw, 1, 6) }
    : { kind: 'nothing' };
}

/** What a collector's call to the customer comes to. */
export type CallResult =
  | { outcome: 'no_answer' | 'voicemail' | 'wrong_number' | 'other'; notes: string }
  | { outcome: 'paid'; notes: string }
  | { outcome: 'promised'; notes: string; promiseInDays: number }
  | { outcome: 'disputed'; notes: string };

export function answerCall(customer: DemoCustomer, state: { paymentPlanned: boolean; disputed: boolean }, draw: Draw): CallResult {
  if (state.paymentPlanned) return { outcome: 'paid', notes: 'Customer says the payment is on its way; will check remittance.' };
  if (customer.disputes && !state.disputed)
    return { outcome: 'disputed', notes: 'Customer disputes an invoice; asked for the details in writing.' };
  const roll = draw();
  if (customer.promises && roll < 0.75) {
    return {
      outcome: 'promised',
      notes: 'Spoke to accounts payable; they promised payment of the overdue balance.',
      promiseInDays: between(draw, 3, 10),
    };
  }
  if (roll < 0.45) return { outcome: 'no_answer', notes: 'No answer.' };
  if (roll < 0.8) return { outcome: 'voicemail', notes: 'Left a voicemail asking for a call back about the overdue balance.' };
  if (customer.habit === 'never' && roll < 0.9)
    return { outcome: 'wrong_number', notes: 'Number reaches someone else; asked the sales team for a current contact.' };
  return { outcome: 'other', notes: 'Spoke to reception; accounts payable to call back.' };
}

/** Notes collectors leave after some calls. */
export const FOLLOW_UP_NOTES = [
  'Sent a copy of the open invoices to the customer at their request.',
  'Customer asked for the remittance details again; resent the bank details.',
  'Accounts payable contact changed; updated our notes after the call.',
  'Customer mentioned a new purchase order; told sales the account is being chased.',
];

export const DISPUTE_REASONS = ['pricing', 'not_received', 'quality', 'duplicate'] as const;

/** Whether a dispute is settled in the customer's favour (the invoice stays out of dunning) or resolved and then paid. */
export function disputeOutcome(draw: Draw): { resolveInDays: number; thenPays: boolean } | null {
  const roll = draw();
  if (roll < 0.25) return null;
  return { resolveInDays: between(draw, 6, 20), thenPays: roll < 0.85 };
}

export { addDays, between };
