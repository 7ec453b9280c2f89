import type { PrismaClient } from './client.js';
import { toMajorString } from '../core/money.js';
import { findContactLog, type ContactLogEntry } from './contact-log.repository.js';

/** One customer with open, unpaid invoices, with what the worklist ranks it by. */
export interface WorklistRow {
  customerId: string;
  externalId: string;
  name: string;
  currency: string;
  timeZone: string;
  collectorId: string | null;
  collectorName: string | null;
  caseState: string | null;
  step: string | null;
  pauseReason: string | null;
  balanceMinor: bigint;
  openInvoices: number;
  /** Days past due of the oldest open invoice, in the customer's zone (negative: not yet due). */
  maxDaysPastDue: number;
  /** Σ balance × days past due, minor units × days. */
  weightedMinorDays: bigint;
  openTasks: number;
  /** Promises broken in the last 30 days. */
  brokenPromises: number;
  openPromises: number;
  legalHold: boolean;
}

/** Customers with an open balance, optionally of one collector (`unassigned` = none) or step. */
export async function findWorklist(
  prisma: PrismaClient,
  filter: { collectorId?: string | 'unassigned'; step?: string },
  now: Date,
): Promise<WorklistRow[]> {
  const rows = await prisma.$queryRawUnsafe<Array<Record<string, unknown>>>(
    `select c.id, c.external_id, c.name, c.currency, c.time_zone, u.id as collector_id, u.name as collector_name,
            cc.state::text as case_state, cc.current_step, cc.pause_reason::text as pause_reason,
            inv.balance::text as balance, inv.n::int as open_invoices, inv.max_dpd::int as max_dpd, inv.weighted::text as weighted,
            (select count(*) from call_tasks t where t.customer_id = c.id and t.status = 'open')::int as open_tasks,
            (select count(*) from promises_to_pay p where p.customer_id = c.id and p.status = 'broken'
                and p.updated_at > $1::timestamptz - interval '30 days')::int as broken_promises,
            (select count(*) from promises_to_pay p where p.customer_id = c.id and p.status = 'open')::int as open_promises,
            exists (select 1 from legal_holds h where h.customer_id = c.id and h.released_at is null) as legal_hold
       from customers c
       join lateral (
             select count(*) as n, sum(i.open_balance_minor) as balance,
                    max((($1::timestamptz at time zone c.time_zone)::date - i.due_date)) as max_dpd,
                    sum(i.open_balance_minor * greatest(($1::timestamptz at time zone c.time_zone)::date - i.due_date, 0)) as weighted
               from invoices i
              where i.customer_id = c.id and i.status = 'open' and i.open_balance_minor > 0
            ) inv on inv.n > 0
       left join collection_cases cc on cc.customer_id = c.id
       left join users u on u.id = c.assigned_collector_id
      where ($2::text is null or ($2 = 'unassigned' and c.assigned_collector_id is null) or c.assigned_collector_id::text = $2)
        and ($3::text is null or cc.current_step = $3)`,
    now.toISOString(),
    filter.collectorId ?? null,
    filter.step ?? null,
  );
  return rows.map((r) => ({
    customerId: String(r.id),
    externalId: String(r.external_id),
    name: String(r.name),
    currency: String(r.currency),
    timeZone: String(r.time_zone),
    collectorId: (r.collector_id as string | null) ?? null,
    collectorName: (r.collector_name as string | null) ?? null,
    caseState: (r.case_state as string | null) ?? null,
    step: (r.current_step as string | null) ?? null,
    pauseReason: (r.pause_reason as string | null) ?? null,
    balanceMinor: BigInt(String(r.balance)),
    openInvoices: Number(r.open_invoices),
    maxDaysPastDue: Number(r.max_dpd),
    weightedMinorDays: BigInt(String(r.weighted ?? '0')),
    openTasks: Number(r.open_tasks),
    brokenPromises: Number(r.broken_promises),
    openPromises: Number(r.open_promises),
    legalHold: Boolean(r.legal_hold),
  }));
}

/** The steps cases are in, for the worklist's filter. */
export async function findSteps(prisma: PrismaClient): Promise<string[]> {
  const rows = await prisma.collectionCase.findMany({
    where: { currentStep: { not: null } },
    distinct: ['currentStep'],
    select: { currentStep: true },
    orderBy: { currentStep: 'asc' },
  });
  return rows.map((r) => r.currentStep!).filter((s) => s !== '');
}

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
    where: { acknowledgedAt: null },
    orderBy: { lastRaisedAt: 'desc' },
    take: limit,
    include: { customer: { select: { externalId: true, name: true } } },
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
