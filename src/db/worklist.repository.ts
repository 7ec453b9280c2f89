import type { PrismaClient } from './client.js';
import { toMajorString } from '../core/money.js';
import { findContactLog, type ContactLogEntry } from './contact-log.repository.js';

/** One event of a customer's story, newest first on the page. */
export interface TimelineItem {
  at: Date;
  kind: string;
  title: string;
  detail: string | null;
  actor: string | null;
  contact?: ContactLogEntry;
}

/** Everything the customer page shows. */
export async function findCustomerPage(prisma: PrismaClient, externalId: string) {
  const customer = await prisma.customer.findUnique({
    where: { externalId },
    include: {
      assignedCollector: { select: { id: true, name: true, email: true } },
      contactPoints: { orderBy: [{ kind: 'asc' }, { role: 'asc' }] },
      collectionCase: true,
      invoices: {
        where: { status: 'open', openBalanceMinor: { gt: 0 } },
        orderBy: [{ dueOn: 'asc' }, { number: 'asc' }],
        include: { disputes: { where: { resolvedAt: null }, select: { id: true, reasonCode: true } } },
      },
      promises: { orderBy: { createdAt: 'desc' } },
      disputes: { orderBy: { openedAt: 'desc' }, include: { invoice: { select: { number: true } } } },
      legalHolds: { orderBy: { placedAt: 'desc' } },
      creditHolds: { orderBy: { placedAt: 'desc' } },
      bankruptcyFilings: { orderBy: { recordedAt: 'desc' } },
      paymentPlans: { orderBy: { createdAt: 'desc' } },
      callTasks: { where: { status: 'open' }, orderBy: { dueAt: 'asc' } },
      alerts: { orderBy: { raisedAt: 'desc' }, take: 20 },
    },
  });
  if (customer === null) return null;
  const { entries } = await findContactLog(prisma, { customerId: customer.id }, { limit: 500, cursor: null });
  const relatedIds = [
    customer.id,
    ...(customer.collectionCase ? [customer.collectionCase.id] : []),
    ...customer.promises.map((p) => p.id),
    ...customer.disputes.map((d) => d.id),
    ...customer.legalHolds.map((h) => h.id),
    ...customer.creditHolds.map((h) => h.id),
    ...customer.bankruptcyFilings.map((b) => b.id),
    ...customer.paymentPlans.map((p) => p.id),
  ];
  const audits = await prisma.auditEvent.findMany({ where: { entityId: { in: relatedIds } }, orderBy: { at: 'desc' }, take: 500 });
  const actorIds = [...new Set([...entries.map((e) => e.actor), ...audits.map((a) => a.actor)])].filter((id) => UUID.test(id));
  const users = new Map(
    (await prisma.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true } })).map((u) => [u.id, u.name]),
  );
  const who = (actor: string | null) => (actor === null ? null : (users.get(actor) ?? actor));

  const timeline: TimelineItem[] = [];
  for (const entry of entries) {
    const title =
      entry.channel === 'call'
        ? `Call${entry.outcome ? ` — ${entry.outcome.replaceAll('_', ' ')}` : ''}`
        : entry.channel === 'note'
          ? 'Note'
          : `${entry.direction === 'inbound' ? 'Inbound' : ''} ${entry.channel.toUpperCase()}${entry.subject ? `: ${entry.subject}` : ''}`.trim();
    timeline.push({
      at: entry.createdAt,
      kind: entry.channel,
      title,
      detail: entry.notes,
      actor: who(entry.actor),
      contact: { ...entry, actor: who(entry.actor) ?? entry.actor },
    });
  }
  const dateOnly = (d: Date) => d.toISOString().slice(0, 10);
  for (const p of customer.promises) {
    timeline.push({
      at: p.createdAt,
      kind: 'promise',
      title: `Promise to pay ${toMajorString(p.amountMinor, p.currency)} ${p.currency} by ${dateOnly(p.promisedOn)} (${p.status})`,
      detail: null,
      actor: who(p.createdBy),
    });
  }
  for (const d of customer.disputes) {
    timeline.push({
      at: d.openedAt,
      kind: 'dispute',
      title: `Dispute opened on ${d.invoice.number}: ${d.reasonCode}`,
      detail: d.notes,
      actor: who(d.openedBy),
    });
    if (d.resolvedAt)
      timeline.push({
        at: d.resolvedAt,
        kind: 'dispute',
        title: `Dispute on ${d.invoice.number} resolved`,
        detail: d.resolution,
        actor: who(d.resolvedBy),
      });
  }
  for (const [label, holds] of [
    ['Legal hold', customer.legalHolds],
    ['Credit hold', customer.creditHolds],
  ] as const) {
    for (const h of holds) {
      timeline.push({ at: h.placedAt, kind: 'hold', title: `${label} placed`, detail: h.reason, actor: who(h.placedBy) });
      if (h.releasedAt)
        timeline.push({ at: h.releasedAt, kind: 'hold', title: `${label} released`, detail: h.releaseReason, actor: who(h.releasedBy) });
    }
  }
  for (const b of customer.bankruptcyFilings) {
    timeline.push({
      at: b.recordedAt,
      kind: 'hold',
      title: `Bankruptcy filing recorded (chapter ${b.chapter})`,
      detail: b.caseNumber,
      actor: who(b.recordedBy),
    });
  }
  for (const a of audits) {
    timeline.push({ at: a.at, kind: 'audit', title: a.action.replaceAll('_', ' '), detail: a.reason, actor: who(a.actor) });
  }
  timeline.sort((x, y) => y.at.getTime() - x.at.getTime());
  return { customer, timeline };
}

export type CustomerPage = NonNullable<Awaited<ReturnType<typeof findCustomerPage>>>;

/** Open alerts for the dashboard, newest first. */
export function findOpenAlerts(prisma: PrismaClient, limit = 50) {
  return prisma.managerAlert.findMany({
    where: { acknowledgedAt: null, resolvedAt: null },
    orderBy: { lastRaisedAt: 'desc' },
    take: limit,
    include: { customer: { select: { externalId: true, name: true } } },
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
