import type { DateTime } from 'luxon';
import type { IsoDate } from './dates.js';
import type { ActionType } from './policy.js';

// The decision core's view of a case. Plain data, independent of the database: the data layer
// maps its rows onto these.

/** `consumer` is the stricter profile: narrower hours, fewer call tasks, an opt-out line. */
export type CustomerProfile = 'business' | 'consumer';

/** What the customer allows and what contact details exist. */
export interface Consent {
  hasEmail: boolean;
  emailOptedOut: boolean;
  hasMobile: boolean;
  smsConsent: boolean;
}

export interface Customer {
  id: string;
  externalId: string;
  /** IANA zone; days past due and send windows are counted in it. */
  timeZone: string;
  locale: string;
  /** Key into `DunningRules.holidays` (a country or calendar code), or `null` for none. */
  holidayCalendar: string | null;
  profile: CustomerProfile;
  consent: Consent;
  doNotContact: boolean;
  policyId: string;
  /** Receives the customer's call tasks; `null` leaves them to the team queue. */
  collectorId: string | null;
}

/** An invoice with a balance still open. Amounts are integer minor units. */
export interface OpenInvoice {
  id: string;
  number: string;
  /** ISO 4217 code. */
  currency: string;
  amountMinor: number;
  balanceMinor: number;
  issuedOn: IsoDate;
  dueOn: IsoDate;
  /** Starts at 1; a re-opened invoice (e.g. a bounced payment) gets the next cycle and its steps fire again. */
  dunningCycle: number;
}

export interface Dispute {
  id: string;
  invoiceId: string;
  status: 'open' | 'resolved';
}

/**
 * A customer's promise to pay. The data layer marks it `kept` when paid and `broken` once the
 * core has raised the broken-promise alert; the core treats an `open` promise past its grace as
 * broken.
 */
export interface PromiseToPay {
  id: string;
  amountMinor: number;
  currency: string;
  promisedOn: IsoDate;
  status: 'open' | 'kept' | 'broken' | 'cancelled';
  /** Overrides `DunningRules.promiseGraceDays` for this promise. */
  graceDays?: number | undefined;
}

export interface Instalment {
  id: string;
  dueOn: IsoDate;
  amountMinor: number;
  paid: boolean;
}

/** While `active`, its invoices get instalment reminders instead of their policy steps. */
export interface PaymentPlan {
  id: string;
  status: 'active' | 'completed' | 'broken' | 'cancelled';
  currency: string;
  invoiceIds: string[];
  instalments: Instalment[];
}

/** Customer-level holds. Every one but `creditHold` stops all automated contact. */
export interface Holds {
  legalHold: boolean;
  bankruptcy: boolean;
  /** New orders blocked; dunning carries on. */
  creditHold: boolean;
  manualPause: boolean;
  /** Reply pause: a person's reply awaits a collector; no automated contact through this local date. */
  replyPausedThrough: IsoDate | null;
  /** An out-of-office reply's return date: no automated contact before it. */
  awayUntil: IsoDate | null;
}

export type ContactStatus = 'queued' | 'sent' | 'delivered' | 'failed' | 'bounced' | 'cancelled';

/** One invoice a contact covered, at the step it was in. */
export interface InvoiceStepRef {
  invoiceId: string;
  cycle: number;
  stepId: string;
  /** Set on payment-plan reminders: the instalment reminded of. */
  instalmentId?: string | undefined;
}

/**
 * One past automated action, as written to the contact log. Holds and alerts are recorded too,
 * with their action type as the channel, so the core can tell their step has fired.
 */
export interface ContactRecord {
  channel: ActionType;
  at: DateTime;
  /** The customer's dunning cycle a ladder step fired in; `null` for courtesy and plan reminders and alerts. */
  cycle: number | null;
  policyId: string;
  /** The step whose template the contact used (the highest stage among the invoices covered). */
  stepId: string;
  invoices: InvoiceStepRef[];
  status: ContactStatus;
}

/**
 * Where the customer stands on the dunning ladder, as the last decision left it. A *cycle* runs
 * from the first overdue invoice still being chased until nothing is; each policy step fires
 * once per cycle.
 */
export interface Ladder {
  /** The current (or, when closed, the last) cycle; 0 before the first. */
  cycle: number;
  /** Whether that cycle is running. */
  open: boolean;
}

export const noLadder: Ladder = { cycle: 0, open: false };

/** Everything the core needs to decide one customer's case at `now`. */
export interface CaseInput {
  customer: Customer;
  invoices: OpenInvoice[];
  disputes: Dispute[];
  promises: PromiseToPay[];
  paymentPlan: PaymentPlan | null;
  holds: Holds;
  ladder: Ladder;
  history: ContactRecord[];
  now: DateTime;
}

/**
 * Whether a logged action means its step has fired. A failed delivery still counts: the
 * delivery job retries it, and re-planning it would send the step twice.
 */
export function hasFired(record: ContactRecord): boolean {
  return record.status !== 'cancelled';
}

/** Whether a logged action counts against frequency caps: only what may have reached the customer. */
export function reachedCustomer(record: ContactRecord): boolean {
  return record.status === 'queued' || record.status === 'sent' || record.status === 'delivered';
}
