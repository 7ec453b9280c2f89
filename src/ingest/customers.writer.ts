import { upsertContactPoints, type ContactPointToUpsert } from '../db/contact-points.repository.js';
import { lockCustomersByExternalIds, upsertCustomers, type CustomerToUpsert } from '../db/customers.repository.js';
import { findUsersByEmails } from '../db/users.repository.js';
import type { BatchOutcome, BatchWriter, Candidate } from './batch.js';
import type { CustomerRow } from './rows.js';

/**
 * Upserts customers by external id, with their primary email and phone in `contact_points`.
 * Empty optional columns keep what an existing customer has. A new email or phone becomes the
 * primary one of that kind, and the previous primary is kept as `other`; contact points a
 * collector added with another role stay. A customer with invoices or payments cannot change
 * currency (its ledger would no longer add up). The collector is named by a user's email; an
 * unknown or inactive user rejects the row.
 */
export const writeCustomers: BatchWriter<CustomerRow> = async (sql, batch, now): Promise<BatchOutcome> => {
  const rejected: BatchOutcome['rejected'] = [];
  const existing = await lockCustomersByExternalIds(
    sql,
    batch.map((c) => c.row.externalId),
  );
  const collectors = await findUsersByEmails(
    sql,
    batch.flatMap((c) => (c.row.collectorEmail === undefined ? [] : [c.row.collectorEmail])),
  );
  const accepted: Array<Candidate<CustomerRow> & { customer: CustomerToUpsert }> = [];
  for (const candidate of batch) {
    const { row } = candidate;
    const before = existing.get(row.externalId);
    const reject = (reason: string) => rejected.push({ line: candidate.line, raw: candidate.raw, reason });
    if (before !== undefined && before.currency !== row.currency && before.hasLedger) {
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
    // What an accepted row writes: the file's values, else the stored ones, else the defaults.
    accepted.push({
      ...candidate,
      customer: {
        externalId: row.externalId,
        name: row.name,
        timeZone: row.timeZone,
        locale: row.locale,
        currency: row.currency,
        creditLimitMinor: row.creditLimitMinor?.toString() ?? before?.creditLimitMinor ?? null,
        smsConsent: row.smsConsent ?? before?.smsConsent ?? false,
        policyId: row.policyId ?? before?.policyId ?? 'default',
        collectorId: collector?.id ?? before?.collectorId ?? null,
        profile: row.profile ?? before?.profile ?? 'business',
        holidayCalendar: row.holidayCalendar ?? before?.holidayCalendar ?? null,
        doNotContact: row.doNotContact ?? before?.doNotContact ?? false,
        statementSchedule: row.statementSchedule ?? before?.statementSchedule ?? 'monthly',
        salesContactEmail: row.salesContactEmail ?? before?.salesContactEmail ?? null,
      },
    });
  }
  if (accepted.length === 0) return { created: 0, updated: 0, unchanged: 0, rejected, changedCustomerIds: [] };

  const returned = await upsertCustomers(
    sql,
    accepted.map((a) => a.customer),
    now,
  );
  const written = new Map(returned.map((row) => [row.externalId, row]));
  const idOf = (externalId: string) => written.get(externalId)?.id ?? existing.get(externalId)!.id;

  const { changedCustomerIds: contactChanged } = await upsertContactPoints(
    sql,
    accepted.flatMap((a) => primaryContactPoints(idOf(a.row.externalId), a.row)),
    now,
  );
  const created = returned.filter((row) => row.inserted).length;
  const updatedIds = new Set(returned.filter((row) => !row.inserted).map((row) => row.id));
  const changedContacts = new Set(contactChanged);
  for (const a of accepted) {
    const id = idOf(a.row.externalId);
    if (changedContacts.has(id) && existing.has(a.row.externalId)) updatedIds.add(id);
  }
  return {
    created,
    updated: updatedIds.size,
    unchanged: accepted.length - created - updatedIds.size,
    rejected,
    changedCustomerIds: [...updatedIds],
  };
};

function primaryContactPoints(customerId: string, row: CustomerRow): ContactPointToUpsert[] {
  const points: ContactPointToUpsert[] = [];
  if (row.email !== undefined) points.push({ customerId, kind: 'email', value: row.email, role: 'primary', isMobile: false });
  if (row.phone !== undefined)
    points.push({ customerId, kind: 'phone', value: row.phone.e164, role: 'primary', isMobile: row.phone.isMobile });
  return points;
}
