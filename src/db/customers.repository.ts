import type { Sql } from './sql.js';
import type { Db } from './transaction.js';

/**
 * `customers` as the case actions see them. The ledger import writes the ERP's fields
 * (ingest), consent changes their opt-outs (consent.repository.ts); the fields the business owns
 * outside the ledger are written here.
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
}

/** The customer's settings, locked for the rest of the transaction. */
export async function lockCustomerSettings(sql: Sql, customerId: string): Promise<CustomerSettings> {
  const [row] = await sql.query<Omit<CustomerSettings, 'collector'> & { collectorId: string | null; collectorEmail: string | null }>(
    `select c.assigned_collector_id::text as "collectorId", u.email as "collectorEmail", c.profile::text as profile,
            c.holiday_calendar as "holidayCalendar", c.do_not_contact as "doNotContact",
            c.statement_schedule::text as "statementSchedule", c.sales_contact_email as "salesContactEmail"
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
