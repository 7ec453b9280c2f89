/**
 * What a template can read. Every field is required at render time (templates compile in strict
 * mode), so a context built by the engine either renders or fails loudly in validation, never
 * half-way through a send.
 */

/** The delivery shape of a rendered template. `task` is a collector's call task, not a send. */
export type Channel = 'email' | 'sms' | 'task';

/** One open invoice as the customer should see it. Dates are ISO calendar dates (`2025-03-14`). */
export interface InvoiceLine {
  number: string;
  /** ISO 4217 code. */
  currency: string;
  /** Original amount, integer minor units. */
  amountMinor: number;
  /** Still owed, integer minor units. */
  balanceMinor: number;
  issuedOn: string;
  dueOn: string;
  /** Negative before the due date, counted in the customer's time zone. */
  daysPastDue: number;
}

/** Outstanding balance in one currency; invoices in different currencies are never summed. */
export interface CurrencyTotal {
  currency: string;
  balanceMinor: number;
}

/** The sending business, as configured. Multi-line strings keep their line breaks. */
export interface CompanyProfile {
  name: string;
  /** Sign-off block, e.g. "Maria Popescu\nAccounts Receivable". */
  signature: string;
  /** Bank details or other ways to pay, possibly multi-line. */
  paymentInstructions: string;
  payUrl: string;
  supportEmail: string;
  supportPhone: string;
}

/** The customer being contacted. `locale` is the customer's preference, before any fallback. */
export interface CustomerProfile {
  name: string;
  /** BCP 47 tag, e.g. `ro-MD`; the template locale is chosen from it by `pickLocale`. */
  locale: string;
  /** IANA zone; dates and relative days are shown in it. */
  timeZone: string;
}

/** A payment received since the customer's last reminder, in one currency. */
export interface ReceivedPayment {
  /** ISO 4217 code. */
  currency: string;
  /** Integer minor units. */
  amountMinor: number;
}

/** One invoice's late-payment claim as a letter states it (money in integer minor units). */
export interface LateInterestLine {
  number: string;
  currency: string;
  principalMinor: number;
  daysLate: number;
  /** The rates applied, e.g. "13.00%" or "12.25%, 11.15%" (as recorded; letters show `ratesBp` through `percents`). */
  rates: string;
  /** The same rates in percent × 100, in the order applied. */
  ratesBp: number[];
  interestMinor: number;
  /** 0 when there is none to claim (a contractual rate) or it is not known (no exchange rate): the letter leaves it out. */
  compensationMinor: number;
}

/** The late-payment interest a step claims: per invoice, totals per currency, the legal basis. */
export interface LateInterest {
  /** ISO calendar date the interest is counted to. */
  asOf: string;
  /** The statutes the claims rest on, as cited; null when every claim is contractual. */
  legalBasis: string | null;
  /** Some claim is at a rate agreed in the contract (the letter says so in its words). */
  contractual: boolean;
  claims: LateInterestLine[];
  totals: Array<{ currency: string; interestMinor: number; compensationMinor: number }>;
}

/**
 * The render context of every dunning step template and of the templates built on it.
 *
 * `upcoming`, `received` and `creditHoldAlreadyPlaced` are optional for contexts built outside
 * the dunning ladder (statements, case actions); rendering reads an absent one as `[]` / `false`,
 * so a template may always test them. The worker's `reminderContext` always sets all three.
 */
export interface ReminderContext {
  customer: CustomerProfile;
  /** The invoices the message is about: for an overdue step, every overdue invoice still chased. */
  invoices: InvoiceLine[];
  /** `invoices`' balances per currency. */
  totals: CurrencyTotal[];
  /**
   * The customer's other open invoices not yet due, oldest due date first; overdue-step emails
   * list them briefly as "coming up". Empty on a pre-due courtesy reminder, whose `invoices` are
   * already these.
   */
  upcoming?: InvoiceLine[];
  /** Payments received since the last reminder, per currency; the message thanks the customer for them. */
  received?: ReceivedPayment[];
  /** The account was already on credit hold before this step: the notice says it remains on hold. */
  creditHoldAlreadyPlaced?: boolean;
  /** Late-payment interest claimed by this step (a policy step with `interest: true`); absent = none. */
  interest?: LateInterest | null;
  company: CompanyProfile;
  /** One-click unsubscribe link, where the policy offers one. */
  unsubscribeUrl?: string | null;
  /** The message must carry an opt-out line (email link or SMS "STOP"). */
  optOutRequired: boolean;
  /** The policy step being sent, e.g. `default/overdue-7`. */
  stepId: string;
  /** The moment of rendering, ISO 8601 with offset; relative days are counted from it. */
  now: string;
}

/** Why a manager is being alerted. */
export type ManagerAlertKind = 'legal_hold' | 'broken_promise' | 'credit_limit_crossed' | 'balance_threshold' | 'channels_failing';

/** Context of `manager-alert`. */
export interface ManagerAlertContext extends ReminderContext {
  alert: {
    kind: ManagerAlertKind;
    managerName: string;
    /** One or two sentences from the engine: what happened, with figures. */
    detail: string;
    /** Link to the case in the collector UI, if there is one. */
    caseUrl: string | null;
  };
}

/** Context of `call-task`. */
export interface CallTaskContext extends ReminderContext {
  callTask: {
    reason: string;
    phone: string | null;
    /** The last contact in one line, or null when there was none. */
    lastContact: string | null;
  };
}

/** Context of `promise-confirmation`. */
export interface PromiseConfirmationContext extends ReminderContext {
  promise: {
    amountMinor: number;
    currency: string;
    /** ISO calendar date the customer promised to pay by. */
    promisedFor: string;
  };
}

/** One instalment of a payment plan, as its reminders show it. */
export interface InstalmentLine {
  /** ISO calendar date the instalment is due. */
  dueOn: string;
  /** Integer minor units. */
  amountMinor: number;
  /** ISO 4217 code. */
  currency: string;
  /** 1-based position in the plan. */
  sequence: number;
  /** Instalments in the plan; `sequence === count` is the last one. */
  count: number;
}

/**
 * Context of `payment-plan/instalment-upcoming` and `payment-plan/instalment-missed`; `invoices`
 * and `totals` are the plan's invoices.
 */
export interface PaymentPlanReminderContext extends ReminderContext {
  instalment: InstalmentLine;
}

/** One row of the contact history in a legal case file. */
export interface ContactHistoryEntry {
  /** ISO 8601 instant. */
  at: string;
  channel: string;
  summary: string;
  status: string;
}

/** Context of `legal-hold-notice`, the cover page of the file handed to legal. */
export interface LegalHoldNoticeContext extends ReminderContext {
  legalHold: {
    /** ISO 8601 instant. */
    placedAt: string;
    placedBy: string;
    reason: string;
    contacts: ContactHistoryEntry[];
  };
}

/** Templates whose context extends `ReminderContext`; any other id takes `ReminderContext`. */
export interface ExtendedContexts {
  'manager-alert': ManagerAlertContext;
  'call-task': CallTaskContext;
  'promise-confirmation': PromiseConfirmationContext;
  'legal-hold-notice': LegalHoldNoticeContext;
  'payment-plan/instalment-upcoming': PaymentPlanReminderContext;
  'payment-plan/instalment-missed': PaymentPlanReminderContext;
}

/** The context type a template id renders against. */
export type ContextFor<Id extends string> = Id extends keyof ExtendedContexts ? ExtendedContexts[Id] : ReminderContext;
