import type { ContactChannel, ContactStatus, Prisma, PrismaClient } from './client.js';

export interface ContactLogFilter {
  customerExternalId?: string;
  customerId?: string;
  channel?: ContactChannel;
  status?: ContactStatus;
  /** Inclusive lower bound on `created_at`. */
  from?: Date;
  /** Exclusive upper bound on `created_at`. */
  to?: Date;
  actor?: string;
}

/** Position after the last row of a page: newest first, ties by id. */
export interface ContactLogCursor {
  createdAt: Date;
  id: string;
}

export interface ContactLogEntry {
  id: string;
  customerId: string;
  customerExternalId: string;
  customerName: string;
  channel: ContactChannel;
  direction: string;
  status: ContactStatus;
  actor: string;
  recipient: string | null;
  subject: string | null;
  bodyText: string | null;
  templateId: string | null;
  stepId: string | null;
  outcome: string | null;
  notes: string | null;
  failureReason: string | null;
  createdAt: Date;
  sentAt: Date | null;
  invoiceNumbers: string[];
  history: Array<{ status: ContactStatus; at: Date; actor: string }>;
}

function where(filter: ContactLogFilter, cursor: ContactLogCursor | null): Prisma.ContactWhereInput {
  const and: Prisma.ContactWhereInput[] = [];
  if (filter.customerExternalId) and.push({ customer: { externalId: filter.customerExternalId } });
  if (filter.customerId) and.push({ customerId: filter.customerId });
  if (filter.channel) and.push({ channel: filter.channel });
  if (filter.status) and.push({ status: filter.status });
  if (filter.actor) and.push({ actor: filter.actor });
  if (filter.from) and.push({ createdAt: { gte: filter.from } });
  if (filter.to) and.push({ createdAt: { lt: filter.to } });
  if (cursor) and.push({ OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] });
  return { AND: and };
}

/** One page of the contact log, newest first, with each contact's invoices and status history. */
export async function findContactLog(
  prisma: PrismaClient,
  filter: ContactLogFilter,
  page: { limit: number; cursor: ContactLogCursor | null },
): Promise<{ entries: ContactLogEntry[]; next: ContactLogCursor | null }> {
  const rows = await prisma.contact.findMany({
    where: where(filter, page.cursor),
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: page.limit + 1,
    include: {
      customer: { select: { externalId: true, name: true } },
      invoices: { select: { invoice: { select: { number: true } } } },
      statusEvents: { select: { status: true, at: true, actor: true }, orderBy: { at: 'asc' } },
    },
  });
  const entries = rows.slice(0, page.limit).map((row) => ({
    id: row.id,
    customerId: row.customerId,
    customerExternalId: row.customer.externalId,
    customerName: row.customer.name,
    channel: row.channel,
    direction: row.direction,
    status: row.status,
    actor: row.actor,
    recipient: row.recipient,
    subject: row.subject,
    bodyText: row.bodyText,
    templateId: row.templateId,
    stepId: row.stepId,
    outcome: row.outcome,
    notes: row.notes,
    failureReason: row.failureReason,
    createdAt: row.createdAt,
    sentAt: row.sentAt,
    invoiceNumbers: row.invoices.map((i) => i.invoice.number).sort(),
    history: row.statusEvents,
  }));
  const last = entries.at(-1);
  return { entries, next: rows.length > page.limit && last ? { createdAt: last.createdAt, id: last.id } : null };
}
