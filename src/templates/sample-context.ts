import { DateTime } from 'luxon';
import type {
  ContextFor,
  ExtendedContexts,
  InvoiceLine,
  LateInterest,
  ManagerAlertKind,
  PaymentPlanReminderContext,
  ReceivedPayment,
  ReminderContext,
} from './context.js';

/** Knobs for a sample; everything else is fixed so previews and tests are reproducible. */
export interface SampleOptions {
  /** The customer's locale. Default `en`. */
  locale?: string;
  /** Default `2025-03-17T09:30:00+02:00`, a Monday morning in Bucharest. */
  now?: string;
}

const SAMPLE_ZONE = 'Europe/Bucharest';
const SAMPLE_NOW = '2025-03-17T09:30:00.000+02:00';
// Courtesy steps run before the due date; other step names end in their days past due.
const COURTESY_DAYS: Readonly<Record<string, number>> = { 'default/courtesy': -3, 'key-account/courtesy': -7 };

function sampleDaysPastDue(templateId: string): number {
  const trailing = /-(\d+)$/.exec(templateId);
  return COURTESY_DAYS[templateId] ?? (trailing ? Number(trailing[1]) : 21);
}

function invoice(
  now: DateTime,
  number: string,
  currency: string,
  amountMinor: number,
  balanceMinor: number,
  daysPastDue: number,
): InvoiceLine {
  const due = now.startOf('day').minus({ days: daysPastDue });
  return {
    number,
    currency,
    amountMinor,
    balanceMinor,
    issuedOn: due.minus({ days: 30 }).toISODate()!,
    dueOn: due.toISODate()!,
    daysPastDue,
  };
}

function reminder(templateId: string, options: SampleOptions): ReminderContext {
  const nowIso = options.now ?? SAMPLE_NOW;
  const now = DateTime.fromISO(nowIso, { zone: SAMPLE_ZONE });
  const days = sampleDaysPastDue(templateId);
  // Two currencies and a part-paid invoice: the widest shape a reminder takes, so validation
  // sees the longest SMS and every table branch.
  const invoices = [
    invoice(now, 'INV-2025-0142', 'EUR', 123450, 123450, days),
    invoice(now, 'INV-2025-0157', 'EUR', 86000, 31000, days > 0 ? Math.max(1, days - 4) : days - 4),
    invoice(now, 'INV-2025-0163', 'USD', 245000, 245000, days),
  ];
  // A courtesy reminder's invoices are the ones not yet due; any other step also lists one coming up.
  const upcoming = days > 0 ? [invoice(now, 'INV-2025-0188', 'EUR', 57200, 57200, -11)] : [];
  return {
    customer: { name: 'Northwind & Partners S.R.L.', locale: options.locale ?? 'en', timeZone: SAMPLE_ZONE },
    invoices,
    totals: [
      { currency: 'EUR', balanceMinor: 154450 },
      { currency: 'USD', balanceMinor: 245000 },
    ],
    upcoming,
    received: [],
    creditHoldAlreadyPlaced: false,
    company: {
      name: 'Delta Industrial Supply',
      signature: 'Maria Popescu\nAccounts Receivable',
      paymentInstructions:
        'Bank transfer to Delta Industrial Supply\nIBAN RO49 AAAA 1B31 0075 9384 0000\nBIC AAAARO2X\nReference: your invoice number',
      payUrl: 'https://pay.delta-supply.example/c/7Q4K9X',
      supportEmail: 'ar@delta-supply.example',
      supportPhone: '+40 21 555 0142',
    },
    unsubscribeUrl: 'https://pay.delta-supply.example/u/7Q4K9X',
    optOutRequired: true,
    stepId: templateId,
    now: nowIso,
  };
}

const PLAN_CURRENCY = 'EUR';
const PLAN_INSTALMENTS = 5;

/**
 * A plan is in one currency and covers that currency's invoices: the two EUR ones, 1,544.50 in
 * five instalments of 308.90, the second of them due in 3 days (upcoming) or 3 days ago (missed).
 */
function paymentPlanReminder(base: ReminderContext, dueInDays: number): PaymentPlanReminderContext {
  const totals = base.totals.filter(({ currency }) => currency === PLAN_CURRENCY);
  const balanceMinor = totals.reduce((sum, total) => sum + total.balanceMinor, 0);
  return {
    ...base,
    invoices: base.invoices.filter(({ currency }) => currency === PLAN_CURRENCY),
    totals,
    instalment: {
      dueOn: DateTime.fromISO(base.now, { zone: SAMPLE_ZONE }).plus({ days: dueInDays }).toISODate()!,
      amountMinor: Math.round(balanceMinor / PLAN_INSTALMENTS),
      currency: PLAN_CURRENCY,
      sequence: 2,
      count: PLAN_INSTALMENTS,
    },
  };
}

type Extras = { [Id in keyof ExtendedContexts]: (base: ReminderContext) => ExtendedContexts[Id] };

const EXTRAS: Extras = {
  'manager-alert': (base) => ({
    ...base,
    alert: {
      kind: 'legal_hold',
      managerName: 'Ioana Marin',
      detail: 'INV-2025-0142 is 90 days past due after a final notice on 15 February with no reply.',
      caseUrl: 'https://arrears.delta-supply.example/cases/4821',
    },
  }),
  'call-task': (base) => ({
    ...base,
    callTask: {
      reason: 'No reply to the 30-day reminder; SMS delivered on 14 March.',
      phone: '+40 722 555 019',
      lastContact: 'Email "Overdue invoices" sent 14 March, opened, no reply.',
    },
  }),
  'promise-confirmation': (base) => ({
    ...base,
    promise: {
      amountMinor: 154450,
      currency: 'EUR',
      promisedFor: DateTime.fromISO(base.now, { zone: SAMPLE_ZONE }).plus({ days: 7 }).toISODate()!,
    },
  }),
  'payment-plan/instalment-upcoming': (base) => paymentPlanReminder(base, 3),
  'payment-plan/instalment-missed': (base) => paymentPlanReminder(base, -3),
  'legal-hold-notice': (base) => ({
    ...base,
    legalHold: {
      placedAt: base.now,
      placedBy: 'Ioana Marin',
      reason: '90 days past due; final notice unanswered.',
      contacts: [
        { at: '2025-01-16T10:02:00.000+02:00', channel: 'email', summary: 'Overdue reminder (1 day)', status: 'delivered' },
        { at: '2025-02-15T10:05:00.000+02:00', channel: 'sms', summary: 'Firm reminder, credit hold warning', status: 'delivered' },
        { at: '2025-02-20T14:40:00.000+02:00', channel: 'call', summary: 'Promised to pay by 28 February', status: 'logged' },
        { at: '2025-03-15T10:00:00.000+02:00', channel: 'email', summary: 'Final notice', status: 'bounced' },
      ],
    },
  }),
};

function isPaymentPlanReminder(templateId: string): boolean {
  return templateId === 'payment-plan/instalment-upcoming' || templateId === 'payment-plan/instalment-missed';
}

function hasExtras(templateId: string): templateId is keyof ExtendedContexts {
  return Object.hasOwn(EXTRAS, templateId);
}

/**
 * A complete, realistic context for a template: a Bucharest customer with two EUR invoices
 * (one part-paid) and one USD invoice, aged for the step named by the id.
 */
export function sampleContext<Id extends string>(templateId: Id, options: SampleOptions = {}): ContextFor<Id> {
  return withSampleDetails(templateId, reminder(templateId, options));
}

/**
 * A real reminder context completed with the sample's details for a template that needs more
 * (an alert, a call task, a promise, a legal-hold file); other contexts are returned as they are.
 * Payment-plan reminders are left alone: a real context already carries its instalment.
 */
export function withSampleDetails<Id extends string>(templateId: Id, base: ReminderContext): ContextFor<Id> {
  if (!hasExtras(templateId) || (isPaymentPlanReminder(templateId) && 'instalment' in base)) return base as ContextFor<Id>;
  return EXTRAS[templateId](base) as ContextFor<Id>;
}

/** Whether `withSampleDetails` fills in sample details for this template. */
export function usesSampleDetails(templateId: string): boolean {
  return hasExtras(templateId) && !isPaymentPlanReminder(templateId);
}

const ALERT_KINDS: readonly ManagerAlertKind[] = [
  'legal_hold',
  'broken_promise',
  'credit_limit_crossed',
  'balance_threshold',
  'channels_failing',
];

/**
 * Payments in two currencies since the last reminder: the longest thank-you line a message
 * carries, so validation measures SMS segments with it.
 */
export const SAMPLE_RECEIVED: ReceivedPayment[] = [
  { currency: 'EUR', amountMinor: 50000 },
  { currency: 'USD', amountMinor: 120000 },
];

/**
 * A late-payment claim as a step with `interest: true` states it (the EU example of the README:
 * €10,000 due 1 December 2024, to 31 January 2025). Validation renders every template with it, and
 * the policy check looks for its invoice number and legal basis in a step's email.
 */
export const SAMPLE_INTEREST: LateInterest = {
  asOf: '2025-01-31',
  legalBasis: 'Directive 2011/7/EU (statutory interest, EUR 40 compensation)',
  contractual: false,
  claims: [
    {
      number: 'INV-2024-118',
      currency: 'EUR',
      principalMinor: 1_000_000,
      daysLate: 61,
      rates: '12.25%, 11.15%',
      ratesBp: [1225, 1115],
      interestMinor: 19_538,
      compensationMinor: 4_000,
    },
  ],
  totals: [{ currency: 'EUR', interestMinor: 19_538, compensationMinor: 4_000 }],
};

/**
 * Samples covering every branch a template can take: opt-out with and without a link, no
 * opt-out, a payment received since the last reminder (with and without a credit hold already
 * in place), nothing coming up, each manager-alert kind, and a plan's last instalment. Validation renders
 * all of them.
 */
export function sampleVariants<Id extends string>(templateId: Id, options: SampleOptions = {}): ContextFor<Id>[] {
  const base = sampleContext(templateId, options);
  const optOut = [
    base,
    { ...base, unsubscribeUrl: null },
    { ...base, optOutRequired: false, unsubscribeUrl: null },
    { ...base, received: SAMPLE_RECEIVED },
    { ...base, received: SAMPLE_RECEIVED, creditHoldAlreadyPlaced: true },
    { ...base, upcoming: [] },
    { ...base, interest: SAMPLE_INTEREST },
  ];
  if (isPaymentPlanReminder(templateId)) {
    const plan = base as PaymentPlanReminderContext;
    const last = { ...plan, instalment: { ...plan.instalment, sequence: plan.instalment.count } };
    return [...optOut, last as ContextFor<Id>];
  }
  if (templateId !== 'manager-alert') return optOut;
  const alert = base as ContextFor<'manager-alert'>;
  const kinds = ALERT_KINDS.map((kind) => ({ ...alert, alert: { ...alert.alert, kind, caseUrl: null } }));
  return [...optOut, ...(kinds as ContextFor<Id>[])];
}
