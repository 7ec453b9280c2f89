import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { findOpenSuggestions, findRepliesAwaiting, findUnmatchedReplies, type ReplyRow } from '../../db/replies-page.repository.js';
import type { PrismaClient } from '../../db/client.js';
import { amount, twoZones } from './format.js';
import type { ConsoleHelpers } from './console.plugin.js';

// The Replies page (/console/replies): what customers wrote back that waits for a person —
// replies from a person not yet handled (their customer's automated contact is paused), the
// promises and disputes suggested from replies, and replies no customer could be found for.
// Replies are shown as their plain text: the sanitised HTML is kept for the case file, and
// nothing a sender wrote can load remote content here (the CSP allows images from self only).

const EXCERPT = 600;

export function registerReplyRoutes(app: FastifyInstance, helpers: ConsoleHelpers, deps: { prisma: PrismaClient }): void {
  app.get('/replies', { config: { role: 'collector' } }, async (request, reply) => {
    const zone = helpers.readerZone(request);
    const [awaiting, suggestions, unmatched] = await Promise.all([
      findRepliesAwaiting(deps.prisma),
      findOpenSuggestions(deps.prisma),
      findUnmatchedReplies(deps.prisma),
    ]);
    const show = (row: ReplyRow) => ({
      id: row.id,
      received: twoZones(row.receivedAt, row.customer?.timeZone ?? zone, zone),
      sender: row.sender ?? 'unknown sender',
      subject: row.subject ?? '(no subject)',
      excerpt: row.bodyText.trim().length > EXCERPT ? `${row.bodyText.trim().slice(0, EXCERPT)}…` : row.bodyText.trim(),
      classification: row.classification.replace('_', ' '),
      reason: row.reason,
      customer: row.customer && { ...row.customer, url: `/console/customers/${encodeURIComponent(row.customer.externalId)}` },
      pausedThrough: row.pausedThrough ? DateTime.fromJSDate(row.pausedThrough, { zone: 'utc' }).toISODate() : null,
    });
    return helpers.page(request, reply, 'replies', {
      title: 'Replies',
      nav: 'replies',
      timeZone: zone,
      awaiting: awaiting.map(show),
      suggestions: suggestions.map((s) => ({
        id: s.id,
        kind: s.kind,
        isPromise: s.kind === 'promise',
        promisedOn: s.promisedOn ? DateTime.fromJSDate(s.promisedOn, { zone: 'utc' }).toISODate() : null,
        amount: s.amountMinor !== null && s.currency ? amount(s.amountMinor, s.currency) : null,
        reply: show(s.reply),
      })),
      unmatched: unmatched.map(show),
    });
  });
}
