import { z } from 'zod';
import type { PrismaClient } from '../../db/client.js';
import { requestReview } from '../../db/cases.repository.js';
import { upsertContactPoints, type ContactPointToUpsert } from '../../db/contact-points.repository.js';
import { findCustomersByExternalIds } from '../../db/customers.repository.js';
import type { Sql } from '../../db/sql.js';
import { inTransaction } from '../../db/transaction.js';
import type { BatchOutcome, BatchWriter, Candidate, Rejection } from '../../ingest/batch.js';
import { writeCustomers } from '../../ingest/customers.writer.js';
import { parseEmail } from '../../ingest/fields.js';
import { writeInvoices } from '../../ingest/invoices.writer.js';
import { writePayments } from '../../ingest/payments.writer.js';
import { parsePhone, regionOfLocale } from '../../ingest/phone.js';
import {
  CUSTOMER_PROFILES,
  STATEMENT_SCHEDULES,
  parseCustomerRow,
  parseInvoiceRow,
  parsePaymentRow,
  type RowResult,
} from '../../ingest/rows.js';
import { ProblemError, type FieldProblem } from './problem.js';
import { defineRoute, type ApiRoute } from './route.js';

// Bulk upserts by external id. Each item goes through the CSV import's own row parser (the same
// rules, the same messages) and batch writer, in ONE transaction: any bad item — malformed,
// unknown customer, duplicate number, changed payment … — answers 400 naming the item's index
// and the field, and nothing is written.

/** Most items in one request. */
export const MAX_ITEMS = 1000;
const BODY_LIMIT = 4 * 1024 * 1024;

const text = z.string().trim().min(1);
const optional = z.string().nullish();
/** Amounts are decimals in major units, as text (`"1234.56"`) so no float is ever involved; a JSON number is read as its text. */
const amount = z.union([z.string(), z.number()]).transform(String).describe('decimal in major units, e.g. "1234.56"');
const date = z.string().describe('YYYY-MM-DD');

const customerItem = z.strictObject({
  external_id: text,
  name: text,
  email: optional,
  phone: optional.describe('E.164, or national with the locale region; "(landline)" suffix for a landline'),
  timezone: text.describe('IANA zone'),
  locale: text.describe('BCP 47 tag'),
  currency: text.describe('ISO 4217'),
  credit_limit: amount.nullish(),
  sms_consent: z.boolean().nullish(),
  policy: optional.describe('dunning policy id'),
  collector: optional.describe('email of the assigned collector (a user)'),
  profile: z.enum(CUSTOMER_PROFILES).nullish().describe('contact profile; consumer applies the stricter consumer rules'),
  holiday_calendar: optional.describe('holiday calendar code of the dunning rules, e.g. DE or US-NY'),
  do_not_contact: z.boolean().nullish().describe('blocks every automated contact'),
  statement_schedule: z.enum(STATEMENT_SCHEDULES).nullish().describe('how often a statement of account is emailed'),
  sales_contact_email: optional.describe('told when a credit hold is placed or released'),
});
const invoiceItem = z.strictObject({
  external_id: text,
  customer_external_id: text,
  number: text,
  currency: text,
  amount,
  balance: amount.nullish().describe('ERP balance before payments applied in Arrears; default = amount'),
  issued_on: date,
  due_on: date,
});
const paymentItem = z.strictObject({
  external_id: text,
  customer_external_id: text,
  amount,
  currency: text,
  received_on: date,
  reference: optional,
});
const contactPointItem = z.strictObject({
  customer_external_id: text,
  kind: z.enum(['email', 'phone']),
  value: text,
  role: z.enum(['primary', 'billing', 'sales', 'other']).default('billing'),
  mobile: z.boolean().nullish().describe('phones only; default: mobile unless the value ends in "(landline)"'),
});

const bulk = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item).min(1).max(MAX_ITEMS) });

const counts = z.object({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int() });
const paymentCounts = counts.extend({
  applied: z.array(
    z.object({
      payment_id: z.string(),
      rule: z.string(),
      applied_minor: z.string(),
      unapplied_minor: z.string(),
      paid_invoice_ids: z.array(z.string()),
    }),
  ),
});

/** `amount: bad; currency: bad` → one problem per column, at this item. */
function reasonProblems(index: number, reason: string): FieldProblem[] {
  return reason.split(/; (?=[a-z_]+: )/).map((part) => {
    const match = /^([a-z_]+): (.*)$/s.exec(part);
    return { field: `items[${index}].${match?.[1] ?? '(item)'}`, index, message: match?.[2] ?? part };
  });
}

/** Parses every item; throws 400 with every problem (and repeated external ids) before any write. */
function parseItems<Row extends { externalId: string }>(
  items: readonly unknown[],
  parse: (index: number) => RowResult<Row>,
): Candidate<Row>[] {
  const problems: FieldProblem[] = [];
  const candidates: Candidate<Row>[] = [];
  const seen = new Map<string, number>();
  items.forEach((_item, index) => {
    const parsed = parse(index);
    if (!parsed.ok) return problems.push(...reasonProblems(index, parsed.reason));
    const earlier = seen.get(parsed.row.externalId);
    if (earlier !== undefined) {
      return problems.push({
        field: `items[${index}].external_id`,
        index,
        message: `${parsed.row.externalId} already appears at items[${earlier}]`,
      });
    }
    seen.set(parsed.row.externalId, index);
    candidates.push({ line: index, raw: '', row: parsed.row });
  });
  if (problems.length > 0)
    throw new ProblemError(400, `${new Set(problems.map((p) => p.index)).size} item(s) are invalid; nothing was written`, problems);
  return candidates;
}

function rejectionProblems(rejected: readonly Rejection[]): ProblemError {
  const problems = [...rejected].sort((a, b) => a.line - b.line).flatMap((r) => reasonProblems(r.line, r.reason));
  return new ProblemError(400, `${rejected.length} item(s) were refused; nothing was written`, problems);
}

/** One transaction: write, refuse the whole request on any rejection, request the affected cases' review. */
async function writeAll<Outcome extends BatchOutcome>(
  prisma: PrismaClient,
  write: (sql: Sql) => Promise<Outcome>,
  now: Date,
): Promise<Outcome> {
  return inTransaction(
    prisma,
    async ({ sql }) => {
      const outcome = await write(sql);
      if (outcome.rejected.length > 0) throw rejectionProblems(outcome.rejected);
      await requestReview(sql, outcome.changedCustomerIds, now);
      return outcome;
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}

const summary = (o: BatchOutcome) => ({ created: o.created, updated: o.updated, unchanged: o.unchanged });
const str = (value: string | number | boolean | null | undefined) => (value === null || value === undefined ? '' : String(value));

export interface LedgerRouteDependencies {
  prisma: PrismaClient;
  knownPolicies: ReadonlySet<string>;
  clock: () => Date;
}

function upsertRoute<Item, Row extends { externalId: string }>(
  deps: LedgerRouteDependencies,
  spec: {
    path: string;
    operationId: string;
    noun: string;
    item: z.ZodType<Item>;
    parse(item: Item): RowResult<Row>;
    write: BatchWriter<Row>;
  },
) {
  return defineRoute({
    method: 'POST',
    url: spec.path,
    operationId: spec.operationId,
    tag: 'ledger',
    scope: 'ledger:write',
    role: 'manager',
    summary: `Upsert ${spec.noun} by external id (bulk, idempotent)`,
    description: `Up to ${MAX_ITEMS} items; the same rules as \`arrears import\`. All or nothing: one bad item answers 400 naming its index and field, and nothing is written. An item identical to what is stored counts as unchanged.`,
    body: bulk(spec.item),
    bodyLimit: BODY_LIMIT,
    responses: { 200: { description: 'Counts of created, updated and unchanged items', schema: counts } },
    handler: async ({ body }) => {
      const candidates = parseItems(body.items, (index) => spec.parse(body.items[index]!));
      const now = deps.clock();
      return summary(await writeAll(deps.prisma, (sql) => spec.write(sql, candidates, now), now));
    },
  });
}

export function ledgerRoutes(deps: LedgerRouteDependencies): ApiRoute<any, any, any>[] {
  const customers = upsertRoute(deps, {
    path: '/customers',
    operationId: 'upsertCustomers',
    noun: 'customers',
    item: customerItem,
    write: writeCustomers,
    parse: (i) =>
      parseCustomerRow(
        [
          i.external_id,
          i.name,
          str(i.email),
          str(i.phone),
          i.timezone,
          i.locale,
          i.currency,
          str(i.credit_limit),
          str(i.sms_consent),
          str(i.policy),
          str(i.collector),
          str(i.profile),
          str(i.holiday_calendar),
          str(i.do_not_contact),
          str(i.statement_schedule),
          str(i.sales_contact_email),
        ],
        deps.knownPolicies,
      ),
  });
  const invoices = upsertRoute(deps, {
    path: '/invoices',
    operationId: 'upsertInvoices',
    noun: 'invoices',
    item: invoiceItem,
    write: writeInvoices,
    parse: (i) =>
      parseInvoiceRow([i.external_id, i.customer_external_id, i.number, i.currency, i.amount, str(i.balance), i.issued_on, i.due_on]),
  });
  const payments = defineRoute({
    method: 'POST',
    url: '/payments',
    operationId: 'upsertPayments',
    tag: 'ledger',
    scope: 'ledger:write',
    role: 'manager',
    summary: 'Record payments by external id and apply them to invoices (bulk, idempotent)',
    description: `Up to ${MAX_ITEMS} items. New payments are applied in the same transaction (by reference, else oldest first); a payment already recorded is never applied again. All or nothing, like the other upserts.`,
    body: bulk(paymentItem),
    bodyLimit: BODY_LIMIT,
    responses: { 200: { description: 'Counts, and what each new payment was applied to', schema: paymentCounts } },
    handler: async ({ body }) => {
      const candidates = parseItems(body.items, (index) => {
        const i = body.items[index]!;
        return parsePaymentRow([i.external_id, i.customer_external_id, i.amount, i.currency, i.received_on, str(i.reference)]);
      });
      const now = deps.clock();
      const outcome = await writeAll(deps.prisma, (sql) => writePayments(sql, candidates, now), now);
      return {
        ...summary(outcome),
        applied: outcome.applied.map((a) => ({
          payment_id: a.paymentId,
          rule: a.rule,
          applied_minor: a.appliedMinor.toString(),
          unapplied_minor: a.unappliedMinor.toString(),
          paid_invoice_ids: a.paidInvoiceIds,
        })),
      };
    },
  });
  const contactPoints = defineRoute({
    method: 'POST',
    url: '/contact-points',
    operationId: 'upsertContactPoints',
    tag: 'ledger',
    scope: 'ledger:write',
    role: 'manager',
    summary: "Upsert customers' email addresses and phone numbers (bulk, idempotent)",
    description: `Keyed by customer external id, kind and value; up to ${MAX_ITEMS} items. Emails and phones are checked like the import's; a \`primary\` point demotes the customer's previous primary of that kind. All or nothing.`,
    body: bulk(contactPointItem),
    bodyLimit: BODY_LIMIT,
    responses: { 200: { description: 'Counts of created, updated and unchanged points', schema: counts } },
    handler: async ({ body }) => {
      const now = deps.clock();
      const outcome = await writeAll(
        deps.prisma,
        async (sql) => {
          const customers = await findCustomersByExternalIds(
            sql,
            body.items.map((i) => i.customer_external_id),
          );
          const problems: FieldProblem[] = [];
          const points: ContactPointToUpsert[] = [];
          const seen = new Set<string>();
          body.items.forEach((item, index) => {
            const customer = customers.get(item.customer_external_id);
            const fail = (field: string, message: string) => problems.push({ field: `items[${index}].${field}`, index, message });
            if (customer === undefined) return fail('customer_external_id', `no customer "${item.customer_external_id}"`);
            const parsed = item.kind === 'email' ? parseEmail(item.value) : parsePhone(item.value, regionOfLocale(customer.locale));
            if (!parsed.ok) return fail('value', parsed.reason);
            const value = typeof parsed.value === 'string' ? parsed.value : parsed.value.e164;
            const key = `${customer.id}\u0000${item.kind}\u0000${value}`;
            if (seen.has(key)) return fail('value', `${value} already appears earlier in this request`);
            seen.add(key);
            const isMobile = typeof parsed.value === 'string' ? false : (item.mobile ?? parsed.value.isMobile);
            points.push({ customerId: customer.id, kind: item.kind, value, role: item.role, isMobile });
          });
          if (problems.length > 0) throw new ProblemError(400, 'some items are invalid; nothing was written', problems);
          return { ...(await upsertContactPoints(sql, points, now)), rejected: [] };
        },
        now,
      );
      return summary(outcome);
    },
  });
  return [customers, contactPoints, invoices, payments];
}
