import type { Sql } from '../db/sql.js';
import type { BatchOutcome, BatchWriter, Candidate } from './batch.js';
import type { CustomerRow } from './rows.js';

interface ExistingCustomer {
  id: string;
  external_id: string;
  currency: string;
  credit_limit_minor: string | null;
  sms_consent: boolean;
  dunning_policy_id: string;
  assigned_collector_id: string | null;
  profile: 'business' | 'consumer';
  holiday_calendar: string | null;
  do_not_contact: boolean;
  statement_schedule: 'monthly' | 'weekly' | 'none';
  sales_contact_email: string | null;
  has_ledger: boolean;
}

/** What an accepted row writes: the file's values, else the stored ones, else the defaults. */
interface Settled {
  creditLimit: string | null;
  smsConsent: boolean;
  policyId: string;
  collectorId: string | null;
  profile: string;
  holidayCalendar: string | null;
  doNotContact: boolean;
  statementSchedule: string;
  salesContactEmail: string | null;
}

interface PrimaryContact {
  customer_id: string;
  kind: 'email' | 'phone';
  value: string;
  is_mobile: boolean;
}

/** One desired primary contact point of a customer. */
interface ContactPoint {
  kind: 'email' | 'phone';
  value: string;
  isMobile: boolean;
}

/**
 * Upserts customers by external id, with their primary email and phone in `contact_points`.
 * Empty optional columns keep what an existing customer has. A new email or phone replaces the
 * previous *primary* one of that kind; contact points a collector added with another role stay.
 * A customer with invoices or payments cannot change currency (its ledger would no longer add
 * up). The collector is named by a user's email; an unknown or inactive user rejects the row.
 */
export const writeCustomers: BatchWriter<CustomerRow> = async (sql, batch, now): Promise<BatchOutcome> => {
  const rejected: BatchOutcome['rejected'] = [];
  const existing = new Map(
    (
      await sql.query<ExistingCustomer>(
        `select c.id, c.external_id, c.currency, c.credit_limit_minor::text, c.sms_consent, c.dunning_policy_id,
                c.assigned_collector_id::text, c.profile::text, c.holiday_calendar, c.do_not_contact,
                c.statement_schedule::text, c.sales_contact_email,
                exists (select 1 from invoices i where i.customer_id = c.id)
                  or exists (select 1 from payments p where p.customer_id = c.id) as has_ledger
           from customers c
          where c.external_id = any($1::text[])
          order by c.id
            for update`,
        [batch.map((c) => c.row.externalId)],
      )
    ).map((row) => [row.external_id, row]),
  );
  const collectors = await findCollectors(
    sql,
    batch.flatMap((c) => (c.row.collectorEmail === undefined ? [] : [c.row.collectorEmail])),
  );
  const accepted: Array<Candidate<CustomerRow> & Settled> = [];
  for (const candidate of batch) {
    const { row } = candidate;
    const before = existing.get(row.externalId);
    const reject = (reason: string) => rejected.push({ line: candidate.line, raw: candidate.raw, reason });
    if (before !== undefined && before.currency !== row.currency && before.has_ledger) {
      reject(`currency: the customer has invoices or payments in ${before.currency}; it cannot change to ${row.currency}`);
      continue;
    }
    const collector = row.collectorEmail === undefined ? undefined : collectors.get(row.collectorEmail);
    if (row.collectorEmail !== undefined && collector === undefined) {
      reject(`collector: no user has the email ${row.collectorEmail}`);
      continue;
    }
    if (collector !== undefined && !collector.active) {
      reject(`collector: ${row.collectorEmail} is not an active user`);
      continue;
    }
    accepted.push({
      ...candidate,
      creditLimit: row.creditLimitMinor?.toString() ?? before?.credit_limit_minor ?? null,
      smsConsent: row.smsConsent ?? before?.sms_consent ?? false,
      policyId: row.policyId ?? before?.dunning_policy_id ?? 'default',
      collectorId: collector?.id ?? before?.assigned_collector_id ?? null,
      profile: row.profile ?? before?.profile ?? 'business',
      holidayCalendar: row.holidayCalendar ?? before?.holiday_calendar ?? null,
      doNotContact: row.doNotContact ?? before?.do_not_contact ?? false,
      statementSchedule: row.statementSchedule ?? before?.statement_schedule ?? 'monthly',
      salesContactEmail: row.salesContactEmail ?? before?.sales_contact_email ?? null,
    });
  }
  if (accepted.length === 0) return { created: 0, updated: 0, unchanged: 0, rejected, changedCustomerIds: [] };

  const returned = await sql.query<{ id: string; external_id: string; inserted: boolean }>(
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
     returning c.id, c.external_id, (xmax = 0) as inserted`,
    [
      accepted.map((a) => a.row.externalId),
      accepted.map((a) => a.row.name),
      accepted.map((a) => a.row.timeZone),
      accepted.map((a) => a.row.locale),
      accepted.map((a) => a.row.currency),
      accepted.map((a) => a.creditLimit),
      accepted.map((a) => a.policyId),
      accepted.map((a) => a.smsConsent),
      accepted.map((a) => a.collectorId),
      accepted.map((a) => a.profile),
      accepted.map((a) => a.holidayCalendar),
      accepted.map((a) => a.doNotContact),
      accepted.map((a) => a.statementSchedule),
      accepted.map((a) => a.salesContactEmail),
      now.toISOString(),
    ],
  );
  const written = new Map(returned.map((row) => [row.external_id, row]));
  const idOf = (externalId: string) => written.get(externalId)?.id ?? existing.get(externalId)!.id;

  const contactChanged = await writePrimaryContacts(
    sql,
    accepted.map((a) => ({ customerId: idOf(a.row.externalId), points: desiredContacts(a.row) })),
    now,
  );
  const created = returned.filter((row) => row.inserted).length;
  const updatedIds = new Set(returned.filter((row) => !row.inserted).map((row) => row.id));
  for (const a of accepted) {
    const id = idOf(a.row.externalId);
    if (contactChanged.has(id) && existing.has(a.row.externalId)) updatedIds.add(id);
  }
  return {
    created,
    updated: updatedIds.size,
    unchanged: accepted.length - created - updatedIds.size,
    rejected,
    changedCustomerIds: [...updatedIds],
  };
};

/** Users by lower-cased email, for the `collector` column. */
async function findCollectors(sql: Sql, emails: readonly string[]): Promise<Map<string, { id: string; active: boolean }>> {
  if (emails.length === 0) return new Map();
  const rows = await sql.query<{ id: string; email: string; active: boolean }>(
    `select id::text, lower(email) as email, active from users where lower(email) = any($1::text[])`,
    [[...new Set(emails)]],
  );
  return new Map(rows.map((row) => [row.email, { id: row.id, active: row.active }]));
}

function desiredContacts(row: CustomerRow): ContactPoint[] {
  const points: ContactPoint[] = [];
  if (row.email !== undefined) points.push({ kind: 'email', value: row.email, isMobile: false });
  if (row.phone !== undefined) points.push({ kind: 'phone', value: row.phone.e164, isMobile: row.phone.isMobile });
  return points;
}

/** Makes each given point the customer's only primary of its kind; returns the customers changed. */
async function writePrimaryContacts(
  sql: Parameters<BatchWriter<CustomerRow>>[0],
  wanted: ReadonlyArray<{ customerId: string; points: ContactPoint[] }>,
  now: Date,
): Promise<Set<string>> {
  const withPoints = wanted.filter((w) => w.points.length > 0);
  const changed = new Set<string>();
  if (withPoints.length === 0) return changed;
  const current = await sql.query<PrimaryContact>(
    `select customer_id, kind::text as kind, value, is_mobile from contact_points
      where customer_id = any($1::uuid[]) and role = 'primary'`,
    [withPoints.map((w) => w.customerId)],
  );
  const byCustomerKind = new Map<string, PrimaryContact[]>();
  for (const contact of current) {
    const key = `${contact.customer_id}\u0000${contact.kind}`;
    byCustomerKind.set(key, [...(byCustomerKind.get(key) ?? []), contact]);
  }
  const upserts: Array<{ customerId: string } & ContactPoint> = [];
  for (const { customerId, points } of withPoints) {
    for (const point of points) {
      const primaries = byCustomerKind.get(`${customerId}\u0000${point.kind}`) ?? [];
      const same = primaries.length === 1 && primaries[0]!.value === point.value && primaries[0]!.is_mobile === point.isMobile;
      if (same) continue;
      changed.add(customerId);
      upserts.push({ customerId, ...point });
    }
  }
  if (upserts.length === 0) return changed;
  await sql.query(
    `delete from contact_points cc
      using unnest($1::uuid[], $2::contact_point_kind[], $3::text[]) as t(customer_id, kind, value)
      where cc.customer_id = t.customer_id and cc.kind = t.kind and cc.role = 'primary' and cc.value <> t.value`,
    [upserts.map((u) => u.customerId), upserts.map((u) => u.kind), upserts.map((u) => u.value)],
  );
  await sql.query(
    `insert into contact_points (customer_id, kind, value, role, is_mobile, updated_at)
     select t.customer_id, t.kind, t.value, 'primary', t.is_mobile, $5::timestamptz
       from unnest($1::uuid[], $2::contact_point_kind[], $3::text[], $4::boolean[]) as t(customer_id, kind, value, is_mobile)
     on conflict (customer_id, kind, value) do update
        set role = 'primary', is_mobile = excluded.is_mobile, updated_at = excluded.updated_at`,
    [
      upserts.map((u) => u.customerId),
      upserts.map((u) => u.kind),
      upserts.map((u) => u.value),
      upserts.map((u) => u.isMobile),
      now.toISOString(),
    ],
  );
  return changed;
}
