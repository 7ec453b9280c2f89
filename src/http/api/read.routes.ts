import { DateTime } from 'luxon';
import { z } from 'zod';
import type { PrismaClient } from '../../db/client.js';
import type { CopyOut } from '../../db/sql.js';
import { findContactLog, type ContactLogCursor, type ContactLogEntry, type ContactLogFilter } from '../../db/contact-log.repository.js';
import { findCase, findInvoice, listCases, listInvoices } from '../../db/ledger-read.repository.js';
import { parseIsoDate } from '../../ingest/fields.js';
import { parsePeriodLength } from '../../reports/periods.js';
import type { AggregateFreshness } from '../../reports/sources/aggregate-freshness.js';
import { answerCeiReport, loadAgingReportJson, loadDsoReport } from '../../reports/sources/reports.source.js';
import { renderCsv } from '../../reports/table.js';
import { decodeCursor, encodeCursor, instantCursor } from '../query-params.js';
import { ProblemError } from './problem.js';
import { defineRoute, type ApiRoute } from './route.js';

export interface ReadRouteDependencies {
  prisma: PrismaClient;
  /** Zone in which "today" is read for reports' default as-of date (TICK_TZ). */
  timeZone: string;
  clock: () => Date;
  /** The pre-aggregates' refresh policy (DASHBOARD_REFRESH_SECONDS), shared with the dashboard. */
  aggregates: AggregateFreshness;
  /** COPY through the plain `pg` pool, for the aging report; without it, through Prisma. */
  copy?: CopyOut;
}

const CHANNELS = ['email', 'sms', 'call', 'note', 'letter'] as const;
const STATUSES = ['queued', 'sending', 'sent', 'delivered', 'failed', 'bounced', 'undelivered', 'cancelled', 'logged'] as const;
const isoDate = z.string().refine((s) => parseIsoDate(s).ok, { message: 'must be a date YYYY-MM-DD' });
const limit = z.coerce.number().int().min(1).max(500).default(100).describe('page size (1–500)');
const cursor = z.string().max(200).optional().describe('the `next` value of the previous page');

/** A list of rows by external id resumes after one. */
const externalIdCursor = z.string().min(1).max(200);

const contactLogQuery = z.strictObject({
  customer: z.string().optional().describe('customer external id'),
  channel: z.enum(CHANNELS).optional(),
  status: z.enum(STATUSES).optional(),
  from: isoDate.optional().describe('first day (UTC), inclusive'),
  to: isoDate.optional().describe('last day (UTC), inclusive'),
  actor: z.string().optional().describe('user id, "system", or a provider such as "webhook:twilio"'),
  format: z.enum(['json', 'csv']).default('json').describe('csv: every matching row as a download (no paging)'),
  limit,
  cursor,
});

const dayAfter = (date: string) => DateTime.fromISO(date, { zone: 'utc' }).plus({ days: 1 }).toJSDate();

export function contactLogFilter(query: {
  customer?: string | undefined;
  channel?: ContactLogFilter['channel'] | undefined;
  status?: ContactLogFilter['status'] | undefined;
  from?: string | undefined;
  to?: string | undefined;
  actor?: string | undefined;
}): ContactLogFilter {
  return {
    ...(query.customer ? { customerExternalId: query.customer } : {}),
    ...(query.channel ? { channel: query.channel } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.from ? { from: new Date(`${query.from}T00:00:00Z`) } : {}),
    ...(query.to ? { to: dayAfter(query.to) } : {}),
    ...(query.actor ? { actor: query.actor } : {}),
  };
}

function contactJson(entry: ContactLogEntry) {
  return {
    id: entry.id,
    customer_external_id: entry.customerExternalId,
    channel: entry.channel,
    direction: entry.direction,
    status: entry.status,
    actor: entry.actor,
    recipient: entry.recipient,
    subject: entry.subject,
    body_text: entry.bodyText,
    template_id: entry.templateId,
    step_id: entry.stepId,
    outcome: entry.outcome,
    notes: entry.notes,
    failure_reason: entry.failureReason,
    created_at: entry.createdAt.toISOString(),
    sent_at: entry.sentAt?.toISOString() ?? null,
    invoice_numbers: entry.invoiceNumbers,
    history: entry.history.map((h) => ({ status: h.status, at: h.at.toISOString(), actor: h.actor })),
  };
}

const CSV_COLUMNS = [
  'id',
  'created_at',
  'customer_external_id',
  'channel',
  'direction',
  'status',
  'actor',
  'recipient',
  'subject',
  'template_id',
  'outcome',
  'notes',
  'sent_at',
  'failure_reason',
  'invoice_numbers',
];
const csvRow = (e: ContactLogEntry) => [
  e.id,
  e.createdAt.toISOString(),
  e.customerExternalId,
  e.channel,
  e.direction,
  e.status,
  e.actor,
  e.recipient,
  e.subject,
  e.templateId,
  e.outcome,
  e.notes,
  e.sentAt?.toISOString() ?? null,
  e.failureReason,
  e.invoiceNumbers.join(' '),
];

const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next: z.string().nullable() });
const anyObject = z.record(z.string(), z.unknown());

export function readRoutes(deps: ReadRouteDependencies): ApiRoute<any, any, any>[] {
  const { prisma } = deps;
  const today = () => DateTime.fromJSDate(deps.clock()).setZone(deps.timeZone).toISODate()!;
  const asOf = isoDate.optional().describe('end of this day; default today');

  return [
    defineRoute({
      method: 'GET',
      url: '/cases',
      operationId: 'listCases',
      tag: 'cases',
      scope: 'ledger:read',
      role: 'collector',
      summary: 'List collection cases (by customer external id)',
      query: z.strictObject({
        state: z.enum(['active', 'paused', 'legal_hold', 'closed']).optional(),
        collector: z.uuid().optional().describe('assigned collector user id'),
        limit,
        cursor,
      }),
      responses: { 200: { description: 'A page of cases', schema: page(anyObject) } },
      handler: async ({ query }) => {
        const result = await listCases(
          prisma,
          { ...(query.state ? { state: query.state } : {}), ...(query.collector ? { collectorId: query.collector } : {}) },
          {
            limit: query.limit,
            after: decodeCursor('cursor', query.cursor, externalIdCursor),
          },
        );
        return { items: result.items, next: result.next === null ? null : encodeCursor(result.next) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/cases/:customer',
      operationId: 'getCase',
      tag: 'cases',
      scope: 'ledger:read',
      role: 'collector',
      summary: "A customer's case: state, holds, open promises and disputes, balance",
      params: z.strictObject({ customer: z.string().min(1).describe('customer external id') }),
      responses: { 200: { description: 'The case', schema: anyObject }, 404: { description: 'No such customer or case' } },
      handler: async ({ params }) => {
        const found = await findCase(prisma, params.customer);
        if (found === null) throw new ProblemError(404, `no case for customer ${params.customer}`);
        return found;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/invoices',
      operationId: 'listInvoices',
      tag: 'ledger',
      scope: 'ledger:read',
      role: 'collector',
      summary: 'List invoices (by external id)',
      query: z.strictObject({
        customer: z.string().optional().describe('customer external id'),
        status: z.enum(['open', 'paid', 'void', 'written_off']).optional(),
        due_before: isoDate.optional(),
        limit,
        cursor,
      }),
      responses: { 200: { description: 'A page of invoices', schema: page(anyObject) } },
      handler: async ({ query }) => {
        const result = await listInvoices(
          prisma,
          {
            ...(query.customer ? { customerExternalId: query.customer } : {}),
            ...(query.status ? { status: query.status } : {}),
            ...(query.due_before ? { dueBefore: query.due_before } : {}),
          },
          { limit: query.limit, after: decodeCursor('cursor', query.cursor, externalIdCursor) },
        );
        return { items: result.items, next: result.next === null ? null : encodeCursor(result.next) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/invoices/:externalId',
      operationId: 'getInvoice',
      tag: 'ledger',
      scope: 'ledger:read',
      role: 'collector',
      summary: 'One invoice',
      params: z.strictObject({ externalId: z.string().min(1) }),
      responses: { 200: { description: 'The invoice', schema: anyObject }, 404: { description: 'No such invoice' } },
      handler: async ({ params }) => {
        const found = await findInvoice(prisma, params.externalId);
        if (found === null) throw new ProblemError(404, `no invoice ${params.externalId}`);
        return found;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/contact-log',
      operationId: 'listContactLog',
      tag: 'contact log',
      scope: 'contacts:read',
      role: 'collector',
      summary: 'The contact log: every message, call and note, with delivery status history',
      description: 'Newest first, cursor-paged. `format=csv` (or `Accept: text/csv`) downloads every matching row as CSV.',
      query: contactLogQuery,
      responses: {
        200: { description: 'A page of contacts (or CSV)', schema: page(anyObject) },
      },
      handler: async ({ query, request, reply }) => {
        const filter = contactLogFilter(query);
        const start = decodeCursor('cursor', query.cursor, instantCursor);
        let position: ContactLogCursor | null = start ? { createdAt: new Date(start.t), id: start.id } : null;
        const csv = query.format === 'csv' || (request.headers.accept ?? '').startsWith('text/csv');
        if (!csv) {
          const result = await findContactLog(prisma, filter, { limit: query.limit, cursor: position });
          return {
            items: result.entries.map(contactJson),
            next: result.next ? encodeCursor({ t: result.next.createdAt.toISOString(), id: result.next.id }) : null,
          };
        }
        const rows: ReturnType<typeof csvRow>[] = [];
        for (;;) {
          const result = await findContactLog(prisma, filter, { limit: 1000, cursor: position });
          rows.push(...result.entries.map(csvRow));
          if (result.next === null) break;
          position = result.next;
        }
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="contact-log.csv"')
          .send(renderCsv({ columns: CSV_COLUMNS, rows }));
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/reports/aging',
      operationId: 'agingReport',
      tag: 'reports',
      scope: 'reports:read',
      role: 'manager',
      summary: 'Aging by bucket, per currency and per customer, with allowance',
      query: z.strictObject({ as_of: asOf }),
      responses: { 200: { description: 'The aging report (money in integer minor units)', schema: anyObject } },
      // The report's JSON text as built (at 100k customers, 28 MB passed through rather than re-serialised).
      handler: async ({ query, reply }) =>
        reply
          .type('application/json; charset=utf-8')
          .send(
            await loadAgingReportJson(prisma, { asOf: query.as_of ?? today(), today: today(), ...(deps.copy ? { copy: deps.copy } : {}) }),
          ),
    }),
    defineRoute({
      method: 'GET',
      url: '/reports/dso',
      operationId: 'dsoReport',
      tag: 'reports',
      scope: 'reports:read',
      role: 'manager',
      summary: 'DSO, countback DSO, best-possible DSO, ADD and percent current per currency',
      query: z.strictObject({
        as_of: asOf,
        period: z
          .string()
          .regex(/^\d+[dm]$/, 'must look like 90d or 3m')
          .default('90d'),
      }),
      responses: { 200: { description: 'The DSO report', schema: anyObject } },
      handler: ({ query }) => loadDsoReport(prisma, { asOf: query.as_of ?? today(), period: parsePeriodLength(query.period) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/reports/cei',
      operationId: 'ceiReport',
      tag: 'reports',
      scope: 'reports:read',
      role: 'manager',
      summary: 'Collection effectiveness index per month and over the span',
      description:
        'From the same pre-aggregate as the dashboard, as of `computedAt` (refreshed when older than DASHBOARD_REFRESH_SECONDS, in the background; ' +
        'waited for when older than a day). `fresh=true` computes it from the ledger now: one pass over it, seconds at a million invoices.',
      query: z.strictObject({
        as_of: asOf,
        months: z.coerce.number().int().min(1).max(36).default(6),
        fresh: z.enum(['true', 'false']).default('false').describe('true: computed from the ledger now instead of the pre-aggregate'),
      }),
      responses: { 200: { description: 'The CEI report, with `computedAt` and `source` (preaggregate or live)', schema: anyObject } },
      handler: ({ query }) =>
        answerCeiReport(prisma, deps.aggregates, {
          asOf: query.as_of ?? today(),
          months: query.months,
          fresh: query.fresh === 'true',
          clock: deps.clock,
        }),
    }),
  ];
}
