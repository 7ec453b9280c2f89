import type { Sql } from './sql.js';
import type { Db } from './transaction.js';

/**
 * `customers`. The ERP's fields are written by the ledger import and the customers API
 * (`upsertCustomers`, below), the opt-outs by consent changes (consent.repository.ts), and the
 * fields the business owns outside the ledger by the case actions (`updateCustomerSettings`).
 */

export interface CustomerRow {
  id: string;
  externalId: string;
  name: string;
  currency: string;
  timeZone: string;
  locale: string;
  salesContactEmail: string | null;
  creditLimitMinor: bigint | null;
  doNotContact: boolean;
  emailOptedOutAt: Date | null;
}

const customerSelect = {
  id: true,
  externalId: true,
  name: true,
  currency: true,
  timeZone: true,
  locale: true,
  salesContactEmail: true,
  creditLimitMinor: true,
  doNotContact: true,
  emailOptedOutAt: true,
} as const;

export function findCustomerByExternalId(db: Db, externalId: string): Promise<CustomerRow | null> {
  return db.customer.findUnique({ where: { externalId }, select: customerSelect });
}

export function findCustomerById(db: Db, id: string): Promise<CustomerRow | null> {
  return db.customer.findUnique({ where: { id }, select: customerSelect });
}

/** The customer's billing (then primary, then any) email not bounced or invalid. */
export async function findCustomerEmail(db: Db, customerId: string): Promise<string | null> {
  const points = await db.contactPoint.findMany({
    where: { customerId, kind: 'email', bouncedAt: null, invalidAt: null },
    select: { value: true, role: true },
  });
  const rank = (role: string) => ['billing', 'primary'].indexOf(role) >>> 0;
  return points.sort((a, b) => rank(a.role) - rank(b.role))[0]?.value ?? null;
}

/** The fields the business owns outside the ledger. */
export interface CustomerSettings {
  /** The assigned collector's user id and email. */
  collector: { id: string; email: string } | null;
  profile: 'business' | 'consumer';
  holidayCalendar: string | null;
  doNotContact: boolean;
  statementSchedule: 'none' | 'weekly' | 'monthly';
  salesContactEmail: string | null;
  /** Late-payment rule id or `none`; null = the business default (INTEREST_RULE). */
  interestRule: string | null;
  /** Contractual late-payment rate, percent × 100; null = the rule's. */
  interestContractRateBp: number | null;
}

/** The customer's settings, locked for the rest of the transaction. */
export async function lockCustomerSettings(sql: Sql, customerId: string): Promise<CustomerSettings> {
  const [row] = await sql.query<Omit<CustomerSettings, 'collector'> & { collectorId: string | null; collectorEmail: string | null }>(
    `select c.assigned_collector_id::text as "collectorId", u.email as "collectorEmail", c.profile::text as profile,
            c.holiday_calendar as "holidayCalendar", c.do_not_contact as "doNotContact",
            c.statement_schedule::text as "statementSchedule", c.sales_contact_email as "salesContactEmail",
            c.interest_rule as "interestRule", c.interest_contract_rate_bp as "interestContractRateBp"
       from customers c left join users u on u.id = c.assigned_collector_id
      where c.id = $1::uuid
        for update of c`,
    [customerId],
  );
  if (!row) throw new Error(`customer ${customerId} does not exist`);
  const { collectorId, collectorEmail, ...rest } = row;
  return { ...rest, collector: collectorId && collectorEmail ? { id: collectorId, email: collectorEmail } : null };
}

/** Writes the settings given (the others stay as they are). */
export async function updateCustomerSettings(
  sql: Sql,
  customerId: string,
  changes: Partial<Omit<CustomerSettings, 'collector'> & { collectorId: string | null }>,
): Promise<void> {
  const columns = {
    collectorId: 'assigned_collector_id = $::uuid',
    profile: 'profile = $::customer_profile',
    holidayCalendar: 'holiday_calendar = $::text',
    doNotContact: 'do_not_contact = $::boolean',
    statementSchedule: 'statement_schedule = $::statement_schedule',
    salesContactEmail: 'sales_contact_email = $::text',
    interestRule: 'interest_rule = $::text',
    interestContractRateBp: 'interest_contract_rate_bp = $::int',
  } as const;
  const keys = (Object.keys(columns) as Array<keyof typeof columns>).filter((key) => changes[key] !== undefined);
  if (keys.length === 0) return;
  const set = keys.map((key, i) => columns[key].replace('$', `$${i + 2}`));
  await sql.query(`update customers set ${set.join(', ')}, updated_at = now() where id = $1::uuid`, [
    customerId,
    ...keys.map((key) => changes[key]),
  ]);
}

/** Sets `customers.do_not_contact`; returns the value it had. */
export async function setDoNotContact(sql: Sql, customerId: string, value: boolean): Promise<boolean> {
  const before = await lockCustomerSettings(sql, customerId);
  if (before.doNotContact !== value) await updateCustomerSettings(sql, customerId, { doNotContact: value });
  return before.doNotContact;
}

// ─────────────── the ledger import and POST /api/v1/customers: one batch per call ───────────────

/** Customers by external id (the ledger's rows and the API's items name them so). */
export async function findCustomersByExternalIds(
  sql: Sql,
  externalIds: readonly string[],
): Promise<Map<string, { id: string; externalId: string; currency: string; locale: string }>> {
  const rows = await sql.query<{ id: string; externalId: string; currency: string; locale: string }>(
    'select id, external_id as "externalId", currency, locale from customers where external_id = any($1::text[])',
    [[...new Set(externalIds)]],
  );
  return new Map(rows.map((row) => [row.externalId, row]));
}

/** A customer the batch may change, as stored; `hasLedger`: it has invoices or payments. */
export interface StoredCustomer {
  id: string;
  externalId: string;
  currency: string;
  creditLimitMinor: string | null;
  smsConsent: boolean;
  policyId: string;
  collectorId: string | null;
  profile: 'business' | 'consumer';
  holidayCalendar: string | null;
  doNotContact: boolean;
  statementSchedule: 'monthly' | 'weekly' | 'none';
  salesContactEmail: string | null;
  hasLedger: boolean;
}

/** The customers with these external ids, locked (in id order) for the rest of the transaction. */
export async function lockCustomersByExternalIds(sql: Sql, externalIds: readonly string[]): Promise<Map<string, StoredCustomer>> {
  const rows = await sql.query<StoredCustomer>(
    `select c.id, c.external_id as "externalId", c.currency, c.credit_limit_minor::text as "creditLimitMinor",
            c.sms_consent as "smsConsent", c.dunning_policy_id as "policyId", c.assigned_collector_id::text as "collectorId",
            c.profile::text as profile, c.holiday_calendar as "holidayCalendar", c.do_not_contact as "doNotContact",
            c.statement_schedule::text as "statementSchedule", c.sales_contact_email as "salesContactEmail",
            exists (select 1 from invoices i where i.customer_id = c.id)
              or exists (select 1 from payments p where p.customer_id = c.id) as "hasLedger"
       from customers c
      where c.external_id = any($1::text[])
      order by c.id
        for update`,
    [externalIds],
  );
  return new Map(rows.map((row) => [row.externalId, row]));
}

/** Every column an upsert writes: the caller has settled each (the file's value, the stored one, or the default). */
export interface CustomerToUpsert {
  externalId: string;
  name: string;
  timeZone: string;
  locale: string;
  currency: string;
  creditLimitMinor: string | null;
  policyId: string;
  smsConsent: boolean;
  collectorId: string | null;
  profile: string;
  holidayCalendar: string | null;
  doNotContact: boolean;
  statementSchedule: string;
  salesContactEmail: string | null;
}

/**
 * Inserts new customers and updates the changed ones, by external id. Returns the rows written
 * (inserted or changed): the others were already as given. SMS consent given now is stamped `now`.
 */
export async function upsertCustomers(
  sql: Sql,
  customers: readonly CustomerToUpsert[],
  now: Date,
): Promise<Array<{ id: string; externalId: string; inserted: boolean }>> {
  return sql.query<{ id: string; externalId: string; inserted: boolean }>(
    `insert into customers as c
            (external_id, name, time_zone, locale, currency, credit_limit_minor, dunning_policy_id, sms_consent,
             assigned_collector_id, profile, holiday_calendar, do_not_contact, statement_schedule,
             sales_contact_email, sms_consent_at, updated_at)
     select t.external_id, t.name, t.time_zone, t.locale, t.currency, t.credit_limit, t.policy, t.sms_consent,
            t.collector_id, t.profile, t.holiday_calendar, t.do_not_contact, t.statement_schedule, t.sales_contact_email,
            case when t.sms_consent then $15::timestamptz end, $15::timestamptz
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::boolean[],
                   $9::uuid[], $10::customer_profile[], $11::text[], $12::boolean[], $13::statement_schedule[], $14::text[])
            as t(external_id, name, time_zone, locale, currency, credit_limit, policy, sms_consent,
                 collector_id, profile, holiday_calendar, do_not_contact, statement_schedule, sales_contact_email)
     on conflict (external_id) do update
        set name = excluded.name,
            time_zone = excluded.time_zone,
            locale = excluded.locale,
            currency = excluded.currency,
            credit_limit_minor = excluded.credit_limit_minor,
            dunning_policy_id = excluded.dunning_policy_id,
            sms_consent = excluded.sms_consent,
            sms_consent_at = case when excluded.sms_consent and not c.sms_consent then excluded.sms_consent_at
                                  else c.sms_consent_at end,
            assigned_collector_id = excluded.assigned_collector_id,
            profile = excluded.profile,
            holiday_calendar = excluded.holiday_calendar,
            do_not_contact = excluded.do_not_contact,
            statement_schedule = excluded.statement_schedule,
            sales_contact_email = excluded.sales_contact_email,
            updated_at = excluded.updated_at
      where (c.name, c.time_zone, c.locale, c.currency, c.credit_limit_minor, c.dunning_policy_id, c.sms_consent,
             c.assigned_collector_id, c.profile, c.holiday_calendar, c.do_not_contact, c.statement_schedule,
             c.sales_contact_email)
            is distinct from
            (excluded.name, excluded.time_zone, excluded.locale, excluded.currency, excluded.credit_limit_minor,
             excluded.dunning_policy_id, excluded.sms_consent, excluded.assigned_collector_id, excluded.profile,
             excluded.holiday_calendar, excluded.do_not_contact, excluded.statement_schedule, excluded.sales_contact_email)
     returning c.id, c.external_id as "externalId", (xmax = 0) as inserted`,
    [
      customers.map((c) => c.externalId),
      customers.map((c) => c.name),
      customers.map((c) => c.timeZone),
      customers.map((c) => c.locale),
      customers.map((c) => c.currency),
      customers.map((c) => c.creditLimitMinor),
      customers.map((c) => c.policyId),
      customers.map((c) => c.smsConsent),
      customers.map((c) => c.collectorId),
      customers.map((c) => c.profile),
      customers.map((c) => c.holidayCalendar),
      customers.map((c) => c.doNotContact),
      customers.map((c) => c.statementSchedule),
      customers.map((c) => c.salesContactEmail),
      now.toISOString(),
    ],
  );
}
