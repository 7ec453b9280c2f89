// Row validators: a CSV row (fields in the kind's column order) to a typed row, or every reason it
// cannot be loaded. Pure; what needs the database (unknown customer, currency of the customer,
// duplicate invoice number) is checked by the batch writers.

import { parseEmail, parseIsoDate, parseLocale, parseOptionalBoolean, parseTimeZone, type FieldResult } from './fields.js';
import { textProblem } from '../core/text.js';
import { isKnownCurrency, parseMajor } from '../core/money.js';
import { parsePhone, regionOfLocale, type Phone } from './phone.js';

export type RowResult<T> = { ok: true; row: T } | { ok: false; reason: string };

export const CUSTOMER_COLUMNS = [
  'external_id',
  'name',
  'email',
  'phone',
  'timezone',
  'locale',
  'currency',
  'credit_limit',
  'sms_consent',
  'policy',
] as const;
/** Customer columns a file may leave out; absent or empty means the default for a new customer, unchanged for an existing one. */
export const CUSTOMER_OPTIONAL_COLUMNS = [
  'collector',
  'profile',
  'holiday_calendar',
  'do_not_contact',
  'statement_schedule',
  'sales_contact_email',
] as const;
export const CUSTOMER_PROFILES = ['business', 'consumer'] as const;
export const STATEMENT_SCHEDULES = ['monthly', 'weekly', 'none'] as const;
export const INVOICE_COLUMNS = [
  'external_id',
  'customer_external_id',
  'number',
  'currency',
  'amount',
  'balance',
  'issued_on',
  'due_on',
] as const;
export const PAYMENT_COLUMNS = ['external_id', 'customer_external_id', 'amount', 'currency', 'received_on', 'reference'] as const;

/**
 * A customer as the file gives it. Optional columns left empty are `undefined`: a new customer
 * gets the default (no contact point, no credit limit, no SMS consent, policy "default"), an
 * existing one keeps what it has.
 */
export interface CustomerRow {
  externalId: string;
  name: string;
  email: string | undefined;
  phone: Phone | undefined;
  timeZone: string;
  locale: string;
  currency: string;
  creditLimitMinor: bigint | undefined;
  smsConsent: boolean | undefined;
  policyId: string | undefined;
  /** Email of the assigned collector (a user); the writer resolves it. */
  collectorEmail: string | undefined;
  profile: (typeof CUSTOMER_PROFILES)[number] | undefined;
  holidayCalendar: string | undefined;
  doNotContact: boolean | undefined;
  statementSchedule: (typeof STATEMENT_SCHEDULES)[number] | undefined;
  salesContactEmail: string | undefined;
}

export interface InvoiceRow {
  externalId: string;
  customerExternalId: string;
  number: string;
  currency: string;
  amountMinor: bigint;
  /** The balance the ERP reports, before any payment applied in Arrears. */
  balanceMinor: bigint;
  issuedOn: string;
  dueOn: string;
}

export interface PaymentRow {
  externalId: string;
  customerExternalId: string;
  amountMinor: bigint;
  currency: string;
  receivedOn: string;
  reference: string | null;
}

/** Collects every problem of a row, each prefixed by its column. */
class Problems {
  readonly list: string[] = [];

  take<T>(column: string, result: FieldResult<T>): T | undefined {
    if (result.ok) return result.value;
    this.list.push(`${column}: ${result.reason}`);
    return undefined;
  }

  add(column: string, reason: string): void {
    this.list.push(`${column}: ${reason}`);
  }

  required(column: string, value: string): string | undefined {
    const trimmed = value.trim();
    if (trimmed === '') this.add(column, 'is required');
    return trimmed === '' ? undefined : trimmed;
  }

  result<T>(build: () => T): RowResult<T> {
    return this.list.length > 0 ? { ok: false, reason: this.list.join('; ') } : { ok: true, row: build() };
  }
}

/** Longest text a column takes; other columns (zones, locales, amounts, dates …) take {@link MAX_OTHER}. */
const MAX_LENGTH: Readonly<Record<string, number>> = {
  external_id: 200,
  customer_external_id: 200,
  name: 300,
  number: 100,
  reference: 500,
  email: 320,
  policy: 100,
  collector: 320,
  sales_contact_email: 320,
  holiday_calendar: 50,
};
const MAX_OTHER = 200;

/**
 * Refuses a row whose fields are not text a column takes (a NUL, bidi controls: the API's check,
 * `src/core/text.ts`) or that are far longer than
 * any real value (a 100 KB name would also be echoed in every reason): checked before anything
 * else reads the fields, so such a row gets one short reason per field and is never written.
 */
function screenFields(columns: readonly string[], fields: readonly string[]): RowResult<never> | undefined {
  const problems = new Problems();
  columns.forEach((column, index) => {
    const value = fields[index] ?? '';
    const max = MAX_LENGTH[column] ?? MAX_OTHER;
    const unsafe = textProblem(value);
    if (unsafe !== null) problems.add(column, unsafe);
    else if (value.length > max) problems.add(column, `is ${value.length} characters long; at most ${max} are allowed`);
  });
  return problems.list.length > 0 ? problems.result(() => undefined as never) : undefined;
}

function currencyOf(problems: Problems, text: string): string | undefined {
  const code = problems.required('currency', text)?.toUpperCase();
  if (code === undefined) return undefined;
  if (!/^[A-Z]{3}$/.test(code) || !isKnownCurrency(code)) {
    problems.add('currency', `"${text}" is not an ISO 4217 currency code`);
    return undefined;
  }
  return code;
}

function moneyOf(problems: Problems, column: string, text: string, currency: string | undefined, allowZero: boolean) {
  if (text.trim() === '') {
    problems.add(column, 'is required');
    return undefined;
  }
  if (currency === undefined) return undefined;
  // "-0.00" is zero, but a minus sign in a ledger export means something went wrong upstream;
  // checked here, before parseMajor's own refusal, to say what this column accepts.
  const negative = text.trim().startsWith('-');
  const minor = negative ? undefined : problems.take(column, toField(parseMajor(text, currency)));
  if (!negative && minor === undefined) return undefined;
  if (minor === undefined || (!allowZero && minor === 0n)) {
    problems.add(column, `${text.trim()} must be ${allowZero ? 'zero or more' : 'more than zero'}`);
    return undefined;
  }
  // Amounts are safe integers in minor units (and must fit Postgres' bigint).
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) {
    problems.add(column, `${text.trim()} is too large`);
    return undefined;
  }
  return minor;
}

function toField(result: ReturnType<typeof parseMajor>): FieldResult<bigint> {
  return result.ok ? { ok: true, value: result.minor } : result;
}

/** A holiday calendar code: a key of the rules' `holidays` (e.g. `DE`, `US-NY`). */
const CALENDAR_CODE = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

function oneOf<T extends string>(p: Problems, column: string, text: string, allowed: readonly T[]): T | undefined {
  const value = text.trim().toLowerCase();
  if (value === '') return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  p.add(column, `"${text}" is not one of ${allowed.join(', ')}`);
  return undefined;
}

/**
 * A customer row: `fields` in the order of {@link CUSTOMER_COLUMNS} then
 * {@link CUSTOMER_OPTIONAL_COLUMNS} (optional ones may be missing or empty).
 */
export function parseCustomerRow(fields: readonly string[], knownPolicies: ReadonlySet<string>): RowResult<CustomerRow> {
  const screened = screenFields([...CUSTOMER_COLUMNS, ...CUSTOMER_OPTIONAL_COLUMNS], fields);
  if (screened !== undefined) return screened;
  const [
    externalId = '',
    name = '',
    email = '',
    phone = '',
    timeZone = '',
    locale = '',
    currency = '',
    creditLimit = '',
    sms = '',
    policy = '',
    collector = '',
    profileField = '',
    holidayCalendar = '',
    doNotContact = '',
    statementSchedule = '',
    salesContact = '',
  ] = fields;
  const p = new Problems();
  const id = p.required('external_id', externalId);
  const fullName = p.required('name', name);
  const zone = p.required('timezone', timeZone) === undefined ? undefined : p.take('timezone', parseTimeZone(timeZone));
  const tag = p.required('locale', locale) === undefined ? undefined : p.take('locale', parseLocale(locale));
  const code = currencyOf(p, currency);
  const address = email.trim() === '' ? undefined : p.take('email', parseEmail(email));
  const number = phone.trim() === '' ? undefined : p.take('phone', parsePhone(phone, tag && regionOfLocale(tag)));
  const limit = creditLimit.trim() === '' ? undefined : moneyOf(p, 'credit_limit', creditLimit, code, true);
  const consent = p.take('sms_consent', parseOptionalBoolean(sms));
  const policyId = policy.trim() === '' ? undefined : policy.trim();
  if (policyId !== undefined && !knownPolicies.has(policyId)) {
    p.add('policy', `"${policyId}" is not a known policy (known: ${[...knownPolicies].join(', ')})`);
  }
  const collectorEmail = collector.trim() === '' ? undefined : p.take('collector', parseEmail(collector))?.toLowerCase();
  const profile = oneOf(p, 'profile', profileField, CUSTOMER_PROFILES);
  const calendar = holidayCalendar.trim() === '' ? undefined : holidayCalendar.trim();
  if (calendar !== undefined && !CALENDAR_CODE.test(calendar))
    p.add('holiday_calendar', `"${holidayCalendar}" is not a calendar code such as DE or US-NY`);
  const noContact = p.take('do_not_contact', parseOptionalBoolean(doNotContact));
  const schedule = oneOf(p, 'statement_schedule', statementSchedule, STATEMENT_SCHEDULES);
  const sales = salesContact.trim() === '' ? undefined : p.take('sales_contact_email', parseEmail(salesContact));
  return p.result(() => ({
    externalId: id!,
    name: fullName!,
    email: address,
    phone: number,
    timeZone: zone!,
    locale: tag!,
    currency: code!,
    creditLimitMinor: limit,
    smsConsent: consent,
    policyId,
    collectorEmail,
    profile,
    holidayCalendar: calendar,
    doNotContact: noContact,
    statementSchedule: schedule,
    salesContactEmail: sales,
  }));
}

export function parseInvoiceRow(fields: readonly string[]): RowResult<InvoiceRow> {
  const screened = screenFields(INVOICE_COLUMNS, fields);
  if (screened !== undefined) return screened;
  const [externalId = '', customerExternalId = '', number = '', currency = '', amount = '', balance = '', issuedOn = '', dueOn = ''] =
    fields;
  const p = new Problems();
  const id = p.required('external_id', externalId);
  const customer = p.required('customer_external_id', customerExternalId);
  const invoiceNumber = p.required('number', number);
  const code = currencyOf(p, currency);
  const amountMinor = moneyOf(p, 'amount', amount, code, true);
  const balanceMinor = balance.trim() === '' ? amountMinor : moneyOf(p, 'balance', balance, code, true);
  if (amountMinor !== undefined && balanceMinor !== undefined && balanceMinor > amountMinor) {
    p.add('balance', `${balance.trim()} is more than the amount ${amount.trim()}`);
  }
  const issued = p.required('issued_on', issuedOn) === undefined ? undefined : p.take('issued_on', parseIsoDate(issuedOn));
  const due = p.required('due_on', dueOn) === undefined ? undefined : p.take('due_on', parseIsoDate(dueOn));
  if (issued !== undefined && due !== undefined && due < issued) p.add('due_on', `${due} is before issued_on ${issued}`);
  return p.result(() => ({
    externalId: id!,
    customerExternalId: customer!,
    number: invoiceNumber!,
    currency: code!,
    amountMinor: amountMinor!,
    balanceMinor: balanceMinor!,
    issuedOn: issued!,
    dueOn: due!,
  }));
}

export function parsePaymentRow(fields: readonly string[]): RowResult<PaymentRow> {
  const screened = screenFields(PAYMENT_COLUMNS, fields);
  if (screened !== undefined) return screened;
  const [externalId = '', customerExternalId = '', amount = '', currency = '', receivedOn = '', reference = ''] = fields;
  const p = new Problems();
  const id = p.required('external_id', externalId);
  const customer = p.required('customer_external_id', customerExternalId);
  const code = currencyOf(p, currency);
  const amountMinor = moneyOf(p, 'amount', amount, code, false);
  const received = p.required('received_on', receivedOn) === undefined ? undefined : p.take('received_on', parseIsoDate(receivedOn));
  return p.result(() => ({
    externalId: id!,
    customerExternalId: customer!,
    amountMinor: amountMinor!,
    currency: code!,
    receivedOn: received!,
    reference: reference.trim() === '' ? null : reference.trim(),
  }));
}
