import type { PrismaClient } from './client.js';

// Reads for the console's Replies page: what waits for a person. Each list is bounded (the
// newest first); the indexes on replies (customer_id, handled_at), (received_at) and
// reply_suggestions (status, created_at) serve them.

const LIMIT = 100;

/** One reply as the Replies page shows it. */
export interface ReplyRow {
  id: string;
  channel: string;
  receivedAt: Date;
  sender: string | null;
  subject: string | null;
  bodyText: string;
  classification: string;
  reason: string;
  customer: { externalId: string; name: string; timeZone: string } | null;
  pausedThrough: Date | null;
}

/** An open suggestion with the reply it was drawn from. */
export interface SuggestionRow {
  id: string;
  kind: 'promise' | 'dispute';
  promisedOn: Date | null;
  amountMinor: bigint | null;
  currency: string | null;
  /** What confirming records unless corrected: the customer's open balance in `currency` (a promise stating no amount). */
  openBalanceMinor: bigint;
  /** A dispute's invoices, as named in the reply (numbers). */
  invoiceNumbers: string[];
  reply: ReplyRow;
}

const replySelect = {
  id: true,
  channel: true,
  receivedAt: true,
  sender: true,
  subject: true,
  bodyText: true,
  classification: true,
  reason: true,
  pausedThrough: true,
  customer: { select: { externalId: true, name: true, timeZone: true } },
} as const;

/** Replies from a person, matched to a customer, not yet marked handled (newest first). */
export function findRepliesAwaiting(prisma: PrismaClient): Promise<ReplyRow[]> {
  return prisma.reply.findMany({
    where: { customerId: { not: null }, fromPerson: true, handledAt: null },
    orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
    take: LIMIT,
    select: replySelect,
  });
}

/** Suggested promises and disputes waiting for a collector to confirm or dismiss (newest first). */
export async function findOpenSuggestions(prisma: PrismaClient): Promise<SuggestionRow[]> {
  const rows = await prisma.replySuggestion.findMany({
    where: { status: 'open' },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: LIMIT,
    select: {
      id: true,
      kind: true,
      customerId: true,
      promisedOn: true,
      amountMinor: true,
      currency: true,
      invoiceIds: true,
      reply: { select: replySelect },
    },
  });
  if (rows.length === 0) return [];
  const [balances, invoices] = await Promise.all([
    prisma.$queryRaw<Array<{ customerId: string; currency: string; total: bigint }>>`
      select customer_id::text as "customerId", currency, sum(open_balance_minor)::bigint as total from invoices
       where customer_id = any(${[...new Set(rows.map((r) => r.customerId))]}::uuid[]) and status = 'open' and open_balance_minor > 0
       group by customer_id, currency`,
    prisma.invoice.findMany({ where: { id: { in: rows.flatMap((r) => r.invoiceIds) } }, select: { id: true, number: true } }),
  ]);
  const balance = new Map(balances.map((b) => [`${b.customerId}|${b.currency}`, b.total]));
  const number = new Map(invoices.map((i) => [i.id, i.number]));
  return rows.map(({ customerId, invoiceIds, ...row }) => ({
    ...row,
    openBalanceMinor: balance.get(`${customerId}|${row.currency}`) ?? 0n,
    invoiceNumbers: invoiceIds.map((id) => number.get(id)).filter((n): n is string => n !== undefined),
  }));
}

/** Replies no customer could be found for, waiting for a person to assign them (newest first). */
export function findUnmatchedReplies(prisma: PrismaClient): Promise<ReplyRow[]> {
  return prisma.reply.findMany({
    where: { customerId: null, handledAt: null },
    orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
    take: LIMIT,
    select: replySelect,
  });
}
