import type { PrismaClient } from './client.js';

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
           c.statement_schedule::text as schedule, c.contact_profile::text as profile, e.value as email
      from customers c
      cross join lateral (
        select value from customer_contacts
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
  return prisma.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<Array<{ id: string }>>`
      insert into contacts (customer_id, case_id, channel, step_id, template_id, template_locale, recipient, subject,
                            body_text, body_html, status, idempotency_key, created_at, updated_at)
      select ${draft.customerId}::uuid, cs.id, 'email', 'statement-of-account', 'statement-of-account', ${draft.locale},
             ${draft.recipient}, ${draft.subject}, ${draft.text}, ${draft.html}, 'queued', ${draft.idempotencyKey}, ${draft.at}, now()
        from customers c left join collection_cases cs on cs.customer_id = c.id
       where c.id = ${draft.customerId}::uuid
      on conflict (idempotency_key) do nothing
      returning id`;
    if (!row) return null;
    await tx.$executeRaw`
      insert into contact_invoices (contact_id, invoice_id, open_balance_minor)
      select ${row.id}::uuid, id, open_balance_minor from invoices
       where customer_id = ${draft.customerId}::uuid and status = 'open' and open_balance_minor > 0`;
    await tx.$executeRaw`
      insert into contact_status_events (contact_id, status, at, actor) values (${row.id}::uuid, 'queued', ${draft.at}, 'system')`;
    return { id: row.id, channel: 'email' as const, idempotencyKey: draft.idempotencyKey };
  });
}
