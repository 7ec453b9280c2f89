import type { PrismaClient } from './client.js';

// Reads for the console's Replies page: what waits for a person. Each list is bounded (the
// newest first); the indexes on replies (customer_id, handled_at), (received_at) and
// reply_suggestions (status, created_at) serve them.

const LIMIT = 100;

/** One reply as the Replies page shows it. */
export interface ReplyRow {
  id: string;
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
  reply: ReplyRow;
}

const replySelect = {
  id: true,
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
export function findOpenSuggestions(prisma: PrismaClient): Promise<SuggestionRow[]> {
  return prisma.replySuggestion.findMany({
    where: { status: 'open' },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: LIMIT,
    select: { id: true, kind: true, promisedOn: true, amountMinor: true, currency: true, reply: { select: replySelect } },
  });
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
