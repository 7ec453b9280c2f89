import { DateTime } from 'luxon';
import { addDays, localDateOf } from '../../src/core/dates.js';
import type { PlannedAction } from '../../src/core/decision.js';
import type {
  CaseInput,
  Consent,
  ContactRecord,
  Customer,
  Dispute,
  Holds,
  Instalment,
  OpenInvoice,
  PaymentPlan,
  PromiseToPay,
} from '../../src/core/domain.js';
import { noLadder } from '../../src/core/domain.js';
import type { ActionType } from '../../src/core/policy.js';

// Fixture builders for the decision core. Every date is derived from an explicit `now` (a
// Tuesday in Bucharest by default), so a test states the age it means, not a literal date.

/** Tuesday 2026-03-10, 10:00 in Bucharest: inside the default send window. */
export const NOW = DateTime.fromISO('2026-03-10T10:00', { zone: 'Europe/Bucharest' });

/** An instant given as local wall-clock time in `zone`. */
export function at(local: string, zone: string): DateTime {
  const parsed = DateTime.fromISO(local, { zone });
  if (!parsed.isValid) throw new Error(`bad fixture time ${local} in ${zone}`);
  return parsed;
}

let sequence = 0;
function nextId(prefix: string): string {
  sequence += 1;
  return `${prefix}-${sequence}`;
}

export function aConsent(overrides: Partial<Consent> = {}): Consent {
  return { hasEmail: true, emailOptedOut: false, hasMobile: true, smsConsent: true, ...overrides };
}

export function aCustomer(overrides: Omit<Partial<Customer>, 'consent'> & { consent?: Partial<Consent> } = {}): Customer {
  const { consent, ...rest } = overrides;
  return {
    id: 'cus-1',
    externalId: 'C-0001',
    timeZone: 'Europe/Bucharest',
    locale: 'ro-RO',
    holidayCalendar: null,
    profile: 'business',
    doNotContact: false,
    policyId: 'default',
    collectorId: 'collector-1',
    ...rest,
    consent: aConsent(consent),
  };
}

/** An invoice `daysPastDue` days past due on `now`'s local date (in `zone`, default `now`'s zone). */
export function anInvoice(options: Partial<OpenInvoice> & { daysPastDue?: number; now?: DateTime; zone?: string } = {}): OpenInvoice {
  const { daysPastDue = 0, now = NOW, zone = now.zoneName ?? 'UTC', ...overrides } = options;
  const id = overrides.id ?? nextId('inv');
  const dueOn = overrides.dueOn ?? addDays(localDateOf(now, zone), -daysPastDue);
  return {
    id,
    number: `INV-${id}`,
    currency: 'EUR',
    amountMinor: 120_000,
    balanceMinor: 120_000,
    issuedOn: addDays(dueOn, -30),
    dueOn,
    dunningCycle: 1,
    ...overrides,
  };
}

export function noHolds(overrides: Partial<Holds> = {}): Holds {
  return {
    legalHold: false,
    bankruptcy: false,
    creditHold: false,
    manualPause: false,
    replyPausedThrough: null,
    awayUntil: null,
    ...overrides,
  };
}

export function aDispute(invoice: OpenInvoice, status: Dispute['status'] = 'open'): Dispute {
  return { id: nextId('dsp'), invoiceId: invoice.id, status };
}

export function aPromise(overrides: Partial<PromiseToPay> = {}): PromiseToPay {
  return {
    id: nextId('ptp'),
    amountMinor: 50_000,
    currency: 'EUR',
    promisedOn: localDateOf(NOW, NOW.zoneName ?? 'UTC'),
    status: 'open',
    ...overrides,
  };
}

export function anInstalment(overrides: Partial<Instalment> = {}): Instalment {
  return { id: nextId('ins'), dueOn: '2026-03-15', amountMinor: 40_000, paid: false, ...overrides };
}

export function aPaymentPlan(invoices: readonly OpenInvoice[], instalments: Instalment[]): PaymentPlan {
  return { id: nextId('plan'), status: 'active', currency: 'EUR', invoiceIds: invoices.map((i) => i.id), instalments };
}

/** A past contact at `stepId` covering `invoices` (each in its current cycle). */
export function aContact(options: {
  channel?: ActionType;
  at: DateTime;
  stepId: string;
  invoices: readonly OpenInvoice[];
  policyId?: string;
  status?: ContactRecord['status'];
  /** The customer's ladder cycle the step fired in; omit for a courtesy or plan reminder. */
  cycle?: number | null;
}): ContactRecord {
  return {
    channel: options.channel ?? 'email',
    at: options.at,
    cycle: options.cycle ?? null,
    policyId: options.policyId ?? 'default',
    stepId: options.stepId,
    invoices: options.invoices.map((i) => ({ invoiceId: i.id, cycle: i.dunningCycle, stepId: options.stepId })),
    status: options.status ?? 'sent',
  };
}

/** The contact-log row the worker writes for a planned action. */
export function recordOf(action: PlannedAction, when: DateTime): ContactRecord {
  return {
    channel: action.type,
    at: when,
    cycle: action.cycle,
    policyId: action.policyId,
    stepId: action.stepId,
    invoices: action.invoices.map(({ invoiceId, cycle, stepId, instalmentId }) => ({ invoiceId, cycle, stepId, instalmentId })),
    status: 'queued',
  };
}

/** A case at `now` (default `NOW`) for a customer in `now`'s zone unless one is given. */
export function aCase(overrides: Partial<CaseInput> = {}): CaseInput {
  const now = overrides.now ?? NOW;
  return {
    customer: aCustomer({ timeZone: now.zoneName ?? 'UTC' }),
    invoices: [],
    disputes: [],
    promises: [],
    paymentPlan: null,
    holds: noHolds(),
    ladder: noLadder,
    history: [],
    ...overrides,
    now,
  };
}
