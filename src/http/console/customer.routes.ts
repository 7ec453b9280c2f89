import type { FastifyInstance } from 'fastify';
import { BadParameter } from '../query-params.js';
import { DateTime } from 'luxon';
import { bucketFor } from '../../core/aging.js';
import { daysBetween } from '../../core/dates.js';
import type { PrismaClient } from '../../db/client.js';
import {
  findCustomerHeader,
  findCustomerSections,
  findTimelinePage,
  TIMELINE_FILTERS,
  type CustomerHeader,
  type TimelineCursor,
  type TimelineFilter,
  type TimelineReply,
  type TimelineRow,
} from '../../db/customer-page.repository.js';
import type { CaseOutlook } from '../../dunning/standing.js';
import { loadPaymentPredictions, portfolioSampleCache } from '../../reports/sources/reports.source.js';
import type { ConsoleActions, ConsoleHelpers } from './console.plugin.js';
import { amount, twoZones, type TwoZoneTime } from './format.js';

// The customer page: what a collector needs on a call, top to bottom — who it is and what stops
// contact (banner), what is owed and where the case stands on the ladder (header), what is
// agreed (promises, disputes, plan, call tasks), what came in (payments and their allocations),
// the invoices, the timeline one event per entry, then the forms in disclosure sections.

/** The planner behind `arrears plan --explain`, for one case (built by the composition root). */
export type CustomerOutlook = (caseId: string, asOf: DateTime) => Promise<CaseOutlook | null>;

export interface CustomerRouteOptions {
  prisma: PrismaClient;
  clock: () => Date;
  outlook: CustomerOutlook | null;
  actions: ConsoleActions | undefined;
}

/** Timeline entries per page. */
export const TIMELINE_PAGE = 25;
const QUERY_KEYS = new Set(['show', 'before']);
const FILTER_LABELS: Readonly<Record<TimelineFilter, string>> = {
  all: 'Everything',
  messages: 'Messages',
  calls: 'Calls and notes',
  holds: 'Holds',
  payments: 'Payments',
  promises: 'Promises, plans and disputes',
};

export function encodeTimelineCursor(cursor: TimelineCursor): string {
  return Buffer.from(`${cursor.at.toISOString()}|${cursor.key}`, 'utf8').toString('base64url');
}

export function decodeTimelineCursor(value: string): TimelineCursor {
  const bad = () => new BadParameter('before', 'is not a position this page gave out');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) throw bad();
  const [iso, key, extra] = Buffer.from(value, 'base64url').toString('utf8').split('|');
  if (extra !== undefined || !iso || !key || !/^[cap]:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(key)) throw bad();
  const at = DateTime.fromISO(iso, { zone: 'utc' });
  if (!at.isValid) throw bad();
  return { at: at.toJSDate(), key };
}

function parseQuery(query: Record<string, unknown>): { show: TimelineFilter; cursor: TimelineCursor | null } {
  for (const key of Object.keys(query)) {
    if (!QUERY_KEYS.has(key)) throw new BadParameter(key, 'is not known here (use show or before)');
  }
  const one = (key: string) => {
    const value = query[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new BadParameter(key, 'is given more than once');
    return value;
  };
  const show = one('show') ?? 'all';
  if (!(TIMELINE_FILTERS as readonly string[]).includes(show)) {
    throw new BadParameter('show', `must be one of ${TIMELINE_FILTERS.join(', ')}`);
  }
  const before = one('before');
  return { show: show as TimelineFilter, cursor: before ? decodeTimelineCursor(before) : null };
}

const customerUrl = (externalId: string) => `/console/customers/${encodeURIComponent(externalId)}`;
const humanize = (value: string) => value.replaceAll('_', ' ');

/** The banner a collector must read before calling: legal hold, bankruptcy, written off. */
function warningOf(header: CustomerHeader): string[] {
  const lines: string[] = [];
  if (header.legalHold) {
    lines.push(
      `Legal hold since ${header.legalHold.placedAt.toISOString().slice(0, 10)}${header.legalHold.agency ? ` (with ${header.legalHold.agency})` : ''}: do not contact the customer about the debt; refer them to legal.`,
    );
  }
  if (header.bankruptcy) {
    lines.push(
      `Bankruptcy filed on ${header.bankruptcy.filedOn} (chapter ${header.bankruptcy.chapter}${header.bankruptcy.caseNumber ? `, case ${header.bankruptcy.caseNumber}` : ''}): collection is stayed; do not ask for payment.`,
    );
  }
  for (const w of header.writtenOff) {
    lines.push(`Written off: ${amount(w.amountMinor, w.currency)} on ${w.invoices} invoice${w.invoices === 1 ? '' : 's'}.`);
  }
  return lines;
}

/** What a timeline entry says: its title, its detail, its class (colour) on the page. */
function describe(row: TimelineRow): { title: string; detail: string | null; kind: string } {
  if (row.contact) {
    const c = row.contact;
    if (c.channel === 'call') return { title: `Call${c.outcome ? ` — ${humanize(c.outcome)}` : ''}`, detail: c.notes, kind: 'call' };
    if (c.channel === 'note') return { title: 'Note', detail: c.notes, kind: 'note' };
    if (c.reply) return { title: replyTitle(c.channel, c.reply.sender), detail: null, kind: 'reply' };
    const inbound = c.direction === 'inbound' ? 'Inbound ' : '';
    return { title: `${inbound}${c.channel.toUpperCase()}${c.subject ? `: ${c.subject}` : ''}`, detail: c.notes, kind: c.channel };
  }
  if (row.payment) {
    const p = row.payment;
    return {
      title: `Payment received: ${amount(p.amountMinor, p.currency)} on ${p.receivedOn}`,
      detail: p.reference ? `Reference ${p.reference}` : null,
      kind: 'payment',
    };
  }
  const a = row.audit!;
  const after = (a.after ?? {}) as Record<string, unknown>;
  const money = (minor: unknown, currency: unknown) =>
    (typeof minor === 'number' || typeof minor === 'string') && typeof currency === 'string' ? amount(BigInt(minor), currency) : null;
  const family = a.action.split('.')[0]!;
  const kind = ['legal_hold', 'credit_hold', 'bankruptcy', 'case'].includes(family)
    ? 'hold'
    : family === 'promise_to_pay' || family === 'promise' || family === 'payment_plan'
      ? 'promise'
      : family === 'invoice' || family === 'payment'
        ? 'payment'
        : family;
  switch (a.action) {
    case 'promise.recorded':
      return {
        title: `Promise to pay ${money(after.amountMinor, after.currency) ?? ''} by ${String(after.promisedOn ?? '')}`.trim(),
        detail: after.replaces ? 'Replaces the open promise.' : after.channel ? `Made by ${String(after.channel)}.` : null,
        kind,
      };
    case 'promise.kept':
      return { title: 'Promise kept', detail: 'Payments received cover it.', kind };
    case 'payment_plan.created': {
      const count = Array.isArray(after.instalments) ? after.instalments.length : 0;
      return {
        title: `Payment plan agreed: ${money(after.totalMinor, after.currency) ?? ''} in ${count} instalment${count === 1 ? '' : 's'}`,
        detail: a.reason,
        kind,
      };
    }
    case 'invoice.written_off':
      return {
        title: `Written off: ${String(after.invoice ?? '')} ${money(after.writtenOffMinor, after.currency) ?? ''}`.trim(),
        detail: a.reason,
        kind,
      };
    case 'dispute.opened':
      return {
        title: `Dispute opened on ${String(after.invoice ?? '')}: ${humanize(String(after.reasonCode ?? a.reason ?? ''))}`,
        detail: typeof after.notes === 'string' ? after.notes : null,
        kind: 'dispute',
      };
    default: {
      const [subject = '', verb = ''] = a.action.split('.');
      const title = `${humanize(subject).replace(/^./, (c) => c.toUpperCase())} ${humanize(verb)}`.trim();
      return { title, detail: a.reason, kind };
    }
  }
}

const replyTitle = (channel: string, sender: string | null) =>
  `${channel === 'sms' ? 'SMS reply' : 'Reply'} from ${sender ?? 'an unknown sender'}`;

/**
 * A reply in the timeline: what it was read as and why, the message of ours it answers, its text
 * as plain text, and the promise or dispute suggested from it (an open one links to the Replies
 * page, where it is confirmed).
 */
function replyEntry(r: TimelineReply, when: (at: Date) => TwoZoneTime) {
  const day = (d: Date | null) => (d ? DateTime.fromJSDate(d, { zone: 'utc' }).toISODate() : null);
  const answered = r.answers && when(r.answers.at);
  return {
    id: r.id,
    subject: r.subject,
    inReplyTo: r.answers && {
      what: r.answers.subject ? `“${r.answers.subject}”` : `our ${r.answers.channel === 'sms' ? 'SMS' : r.answers.channel}`,
      when: answered!,
    },
    text: r.bodyText.trim(),
    classification: humanize(r.classification),
    reason: r.reason,
    suggestions: r.suggestions.map((s) => ({
      label:
        s.kind === 'promise'
          ? `Suggested promise to pay${s.amountMinor !== null && s.currency ? ` ${amount(s.amountMinor, s.currency)}` : ''}${s.promisedOn ? ` by ${day(s.promisedOn)}` : ''}`
          : 'Suggested dispute',
      status: s.status,
      url: s.status === 'open' ? `/console/replies#suggestion-${s.id}` : null,
    })),
  };
}

function timelineEntry(row: TimelineRow, zones: { customer: string; user: string }) {
  const { title, detail, kind } = describe(row);
  const when = (at: Date): TwoZoneTime => twoZones(at, zones.customer, zones.user);
  return {
    key: row.key,
    title,
    detail,
    kind,
    actor: row.actorName,
    // A payment is received on a day, not at an instant.
    day: row.payment ? row.payment.receivedOn : null,
    when: when(row.at),
    contact: row.contact && {
      status: row.contact.status,
      recipient: row.contact.recipient,
      invoiceNumbers: row.contact.invoiceNumbers,
      failureReason: row.contact.failureReason,
      template: row.contact.templateId,
      bodyText: row.contact.bodyText,
      history: row.contact.history.map((h) => ({ status: h.status, when: when(h.at) })),
      reply: row.contact.reply && replyEntry(row.contact.reply, when),
      answered: row.contact.answeredAt.map((at) => when(at)),
    },
  };
}

/** GET /console/customers/:externalId — the customer page. */
/** How long a page server keeps the predictions' portfolio sample (see `portfolioSampleCache`). */
const PORTFOLIO_SAMPLE_MAX_AGE_MS = 10 * 60 * 1000;

export function registerCustomerRoutes(app: FastifyInstance, helpers: ConsoleHelpers, options: CustomerRouteOptions): void {
  const { prisma } = options;
  const portfolio = portfolioSampleCache(() => options.clock().getTime(), PORTFOLIO_SAMPLE_MAX_AGE_MS);

  app.get<{ Params: { externalId: string }; Querystring: Record<string, unknown> }>(
    '/customers/:externalId',
    { config: { role: 'collector' } },
    async (request, reply) => {
      let query: ReturnType<typeof parseQuery>;
      try {
        query = parseQuery(request.query);
      } catch (error) {
        if (error instanceof BadParameter) return helpers.errorPage(request, reply, 400, error.message);
        throw error;
      }
      const now = options.clock();
      const header = await findCustomerHeader(prisma, request.params.externalId, now);
      if (header === null) return helpers.errorPage(request, reply, 404, `No customer ${request.params.externalId}.`);
      const zones = { customer: header.timeZone, user: helpers.readerZone(request) };
      const [sections, timeline, outlook, forms, predictions] = await Promise.all([
        findCustomerSections(prisma, header.id),
        findTimelinePage(prisma, header, { filter: query.show, cursor: query.cursor, limit: TIMELINE_PAGE }),
        header.caseId && options.outlook ? options.outlook(header.caseId, DateTime.fromJSDate(now, { zone: 'utc' })) : null,
        options.actions ? options.actions.formsFor(request, { id: header.id, externalId: header.externalId }) : null,
        header.balances.length > 0 ? loadPaymentPredictions(prisma, { asOf: header.today, customerIds: [header.id], portfolio }) : [],
      ]);
      const expected = new Map((predictions[0]?.invoices ?? []).map((i) => [i.invoiceId, i.expectedOn]));
      const base = customerUrl(header.externalId);
      const filterUrl = (show: TimelineFilter) => (show === 'all' ? `${base}#timeline-h` : `${base}?show=${show}#timeline-h`);
      const warning = warningOf(header);
      return helpers.page(request, reply, 'customer', {
        title: header.name,
        nav: 'worklist',
        customer: header,
        warning,
        zones,
        sameZone: zones.customer === zones.user,
        header: headerView(header, outlook, zones),
        sections: sectionsView(sections, header.today, expected, zones, now),
        timeline: {
          entries: timeline.rows.map((row) => timelineEntry(row, zones)),
          filters: TIMELINE_FILTERS.map((value) => ({
            value,
            label: FILTER_LABELS[value],
            url: filterUrl(value),
            current: value === query.show,
          })),
          show: query.show,
          filtered: query.show !== 'all',
          paged: query.cursor !== null,
          firstUrl: filterUrl(query.show),
          nextUrl: timeline.next
            ? `${base}?${new URLSearchParams({ ...(query.show === 'all' ? {} : { show: query.show }), before: encodeTimelineCursor(timeline.next) }).toString()}#timeline-h`
            : null,
        },
        actions: forms,
      });
    },
  );
}

function headerView(header: CustomerHeader, outlook: CaseOutlook | null, zones: { customer: string; user: string }) {
  const ladder = outlook?.standing.ladder ?? null;
  return {
    balances: header.balances.map((b) => ({
      currency: b.currency,
      balance: amount(b.balanceMinor, b.currency),
      overdue: amount(b.overdueMinor, b.currency),
      oldest: b.oldestDaysOverdue,
      openInvoices: b.openInvoices,
    })),
    oldestDaysOverdue: Math.max(0, ...header.balances.map((b) => b.oldestDaysOverdue)),
    caseState: header.caseState ? humanize(header.caseState) : 'no case yet',
    pauseReason: header.pauseReason ? humanize(header.pauseReason) : null,
    pausedUntil: header.pausedUntil ? twoZones(header.pausedUntil, zones.customer, zones.user) : null,
    ladder: ladder
      ? {
          inCycle: ladder.open,
          cycle: ladder.cycle,
          step: ladder.step ?? header.currentStep,
          nextStep: ladder.next,
          waiting: ladder.waiting.map((w) => ({ ...w, type: humanize(w.type), reason: humanize(w.reason) })),
        }
      : {
          inCycle: header.ladderOpen,
          cycle: header.ladderCycle,
          step: header.currentStep,
          nextStep: null,
          waiting: [],
        },
    planned: outlook !== null,
    next: outlook?.next
      ? {
          type: humanize(outlook.next.type),
          step: outlook.next.step,
          template: outlook.next.template,
          when: twoZones(outlook.next.at.toJSDate(), zones.customer, zones.user),
        }
      : null,
    collector: header.collector,
    legalHold: header.legalHold,
    creditHold: header.creditHold,
    bankruptcy: header.bankruptcy,
    doNotContact: header.doNotContact,
    email: header.emailOptedOutAt ? 'opted out' : 'allowed',
    sms: header.smsOptedOutAt ? 'opted out (STOP)' : header.smsConsent ? 'consented' : 'no consent',
  };
}

function sectionsView(
  sections: Awaited<ReturnType<typeof findCustomerSections>>,
  today: string,
  expected: ReadonlyMap<string, string>,
  zones: { customer: string; user: string },
  now: Date,
) {
  return {
    contactPoints: sections.contactPoints,
    invoices: sections.invoices.map((invoice) => {
      const daysPastDue = daysBetween(invoice.dueOn, today);
      return {
        number: invoice.number,
        issuedOn: invoice.issuedOn,
        dueOn: invoice.dueOn,
        daysPastDue,
        bucket: daysPastDue <= 0 ? 'current' : bucketFor(daysPastDue).label,
        amount: amount(invoice.amountMinor, invoice.currency),
        balance: amount(invoice.balanceMinor, invoice.currency),
        expectedOn: expected.get(invoice.id) ?? '',
        dispute: invoice.dispute ? humanize(invoice.dispute) : null,
      };
    }),
    moreInvoices: sections.moreInvoices,
    payments: sections.payments.map((p) => ({
      externalId: p.externalId,
      receivedOn: p.receivedOn,
      amount: amount(p.amountMinor, p.currency),
      reference: p.reference,
      unapplied: p.unappliedMinor > 0n ? amount(p.unappliedMinor, p.currency) : null,
      allocations: p.allocations.map((a) => ({
        invoice: a.invoiceNumber,
        amount: amount(a.amountMinor, p.currency),
        reversed: a.reversed,
      })),
    })),
    promises: sections.promises.map((p) => ({
      id: p.id,
      amount: amount(p.amountMinor, p.currency),
      promisedOn: p.promisedOn,
      overdue: p.promisedOn < today,
    })),
    disputes: sections.disputes.map((d) => ({
      ...d,
      reasonCode: humanize(d.reasonCode),
      opened: twoZones(d.openedAt, zones.customer, zones.user),
    })),
    plan: sections.plan && {
      total: amount(sections.plan.totalMinor, sections.plan.currency),
      instalments: sections.plan.instalments.map((s) => ({
        sequence: s.sequence,
        dueOn: s.dueOn,
        amount: amount(s.amountMinor, sections.plan!.currency),
        paid: amount(s.paidMinor, sections.plan!.currency),
        status: humanize(s.status),
      })),
    },
    tasks: sections.tasks.map((t) => ({
      id: t.id,
      due: twoZones(t.dueAt, zones.customer, zones.user),
      overdue: t.dueAt < now,
      step: t.stepId,
      assignedTo: t.assignedToName ?? 'unassigned',
    })),
  };
}
