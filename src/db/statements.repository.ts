import type { PrismaClient } from './client.js';
import { recordContacts } from './contact-log.repository.js';
import { inTransaction } from './transaction.js';

/** A customer who may be sent a statement now: owes something, can be emailed, not on hold. */
export interface StatementCandidate {
  id: string;
  externalId: string;
  timeZone: string;
  holidayCalendar: string | null;
  schedule: 'weekly' | 'monthly';
  email: string;
  profile: 'business' | 'consumer';
}

/** Customers with a statement schedule, an open balance, a usable email and nothing stopping contact. */
export async function findStatementCandidates(prisma: PrismaClient): Promise<StatementCandidate[]> {
  return prisma.$queryRaw<StatementCandidate[]>`
    select c.id, c.external_id as "externalId", c.time_zone as "timeZone", c.holiday_calendar as "holidayCalendar",
           c.statement_schedule::text as schedule, c.profile::text as profile, e.value as email
      from customers c
      cross join lateral (
        select value from contact_points
         where customer_id = c.id and kind = 'email' and bounced_at is null and invalid_at is null
         order by case role when 'billing' then 0 when 'primary' then 1 else 2 end
         limit 1) e
     where c.statement_schedule <> 'none' and not c.do_not_contact and c.email_opted_out_at is null
       and exists (select 1 from invoices i where i.customer_id = c.id and i.status = 'open' and i.open_balance_minor > 0)
       and not exists (select 1 from legal_holds h where h.customer_id = c.id and h.released_at is null)
       and not exists (select 1 from bankruptcy_filings b where b.customer_id = c.id
                        and b.discharged_at is null and b.dismissed_at is null)`;
}

/** Which of these idempotency keys already have a contact. */
export async function existingContactKeys(prisma: PrismaClient, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await prisma.contact.findMany({ where: { idempotencyKey: { in: [...keys] } }, select: { idempotencyKey: true } });
  return new Set(rows.map((row) => row.idempotencyKey));
}

export interface StatementContactDraft {
  customerId: string;
  recipient: string;
  locale: string;
  subject: string;
  text: string;
  html: string;
  idempotencyKey: string;
  at: Date;
}

/** Writes a statement email as a `queued` contact (with the open invoices it lists); null if it exists. */
export async function recordStatementContact(
  prisma: PrismaClient,
  draft: StatementContactDraft,
): Promise<{ id: string; channel: 'email'; idempotencyKey: string } | null> {
  return inTransaction(prisma, async ({ sql }) => {
    const invoices = await sql.query<{ id: string }>(
      `select id::text from invoices where customer_id = $1::uuid and status = 'open' and open_balance_minor > 0`,
      [draft.customerId],
    );
    const ids = await recordContacts(sql, [
      {
        ...draft,
        caseId: null,
        channel: 'email',
        status: 'queued',
        stepId: STATEMENT_TEMPLATE,
        templateId: STATEMENT_TEMPLATE,
        actor: 'system',
        invoiceIds: invoices.map((invoice) => invoice.id),
      },
    ]);
    const id = ids.get(draft.idempotencyKey);
    return id ? { id, channel: 'email' as const, idempotencyKey: draft.idempotencyKey } : null;
  });
}

const STATEMENT_TEMPLATE = 'statement-of-account';
