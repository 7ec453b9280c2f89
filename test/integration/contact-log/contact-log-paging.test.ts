import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../../../src/db/client.js';
import { findContactLog, type ContactLogCursor, type ContactLogFilter } from '../../../src/db/contact-log.repository.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import { DEFAULT_SEED } from '../../support/generators.js';

// The contact log is keyset-paged, newest first, ties by id: following `next` from the first
// page must give every contact the filter matches exactly once, in that order, however many
// contacts share an instant and whatever the page size. The reference is the same sort in
// JavaScript over the generated rows.

const CHANNELS = ['email', 'sms', 'call'] as const;
const STATUSES = ['sent', 'delivered', 'logged'] as const;
const ACTORS = ['system', 'collector-a'] as const;
const BASE = Date.UTC(2026, 2, 1, 9);

const contactArb = fc.record({
  customer: fc.nat(1),
  channel: fc.constantFrom(...CHANNELS),
  status: fc.constantFrom(...STATUSES),
  actor: fc.constantFrom(...ACTORS),
  /** Few distinct instants (whole days and a few milliseconds apart), so many contacts tie. */
  minute: fc.constantFrom(0, 0, 1, 1440, 2880, 4320),
  millis: fc.constantFrom(0, 0, 1),
  events: fc.nat(2),
  invoices: fc.subarray([0, 1, 2]),
});

/** No filter, or one or two of them (most generated logs then still span several pages). */
const filterArb = fc.oneof(
  { weight: 2, arbitrary: fc.constant({}) },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        customer: fc.nat(1),
        channel: fc.constantFrom(...CHANNELS),
        status: fc.constantFrom(...STATUSES),
        actor: fc.constantFrom(...ACTORS),
        from: fc.constantFrom('2026-03-01', '2026-03-02'),
        to: fc.constantFrom('2026-03-03', '2026-03-04'),
      },
      { requiredKeys: [] },
    ),
  },
) as fc.Arbitrary<{
  customer?: number;
  channel?: (typeof CHANNELS)[number];
  status?: (typeof STATUSES)[number];
  actor?: (typeof ACTORS)[number];
  from?: string;
  to?: string;
}>;

let database: TestDatabase;
let prisma: PrismaClient;
let pool: pg.Pool;
const customers: Array<{ id: string; externalId: string }> = [];
const invoices: Array<{ id: string; number: string }> = [];

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = createPrisma(database.url);
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
  for (const externalId of ['LOG-A', 'LOG-B']) {
    const customer = await prisma.customer.create({
      data: { externalId, name: `Customer ${externalId}`, timeZone: 'Europe/Bucharest', locale: 'en', currency: 'EUR' },
    });
    customers.push({ id: customer.id, externalId });
  }
  for (const number of ['INV-3', 'INV-1', 'INV-2']) {
    const invoice = await prisma.invoice.create({
      data: {
        customerId: customers[0]!.id,
        externalId: `ERP-${number}`,
        number,
        currency: 'EUR',
        amountMinor: 1000n,
        openBalanceMinor: 1000n,
        issuedOn: new Date('2026-02-01'),
        dueOn: new Date('2026-02-15'),
      },
    });
    invoices.push({ id: invoice.id, number });
  }
});

afterAll(async () => {
  await prisma?.$disconnect();
  await pool?.end();
  await database?.drop();
});

describe('the contact log, keyset-paged', () => {
  it('gives every matching contact once, newest first with ties by id, whatever the page size and filter', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(contactArb, { minLength: 0, maxLength: 40 }),
        filterArb,
        fc.integer({ min: 1, max: 7 }),
        async (generated, filterSpec, limit) => {
          await pool.query('truncate contacts cascade');
          const rows = generated.map((g, n) => ({
            ...g,
            key: `log-${n}`,
            createdAt: new Date(BASE + g.minute * 60_000 + g.millis),
            customerId: customers[g.customer]!.id,
          }));
          const ids = new Map<string, string>();
          for (const row of rows) {
            const contact = await prisma.contact.create({
              data: {
                customerId: row.customerId,
                channel: row.channel,
                status: row.status,
                actor: row.actor,
                notes: row.key,
                idempotencyKey: row.key,
                createdAt: row.createdAt,
                statusEvents: {
                  create: Array.from({ length: row.events }, (_, e) => ({
                    status: row.status,
                    at: new Date(row.createdAt.getTime() + e * 1000),
                    actor: row.actor,
                  })),
                },
                invoices: { create: row.invoices.map((i) => ({ invoiceId: invoices[i]!.id, openBalanceMinor: 1000n })) },
              },
            });
            ids.set(row.key, contact.id);
          }

          const filter: ContactLogFilter = {
            ...(filterSpec.customer !== undefined ? { customerExternalId: customers[filterSpec.customer]!.externalId } : {}),
            ...(filterSpec.channel ? { channel: filterSpec.channel } : {}),
            ...(filterSpec.status ? { status: filterSpec.status } : {}),
            ...(filterSpec.actor ? { actor: filterSpec.actor } : {}),
            ...(filterSpec.from ? { from: new Date(`${filterSpec.from}T00:00:00Z`) } : {}),
            ...(filterSpec.to ? { to: new Date(`${filterSpec.to}T00:00:00Z`) } : {}),
          };
          const expected = rows
            .filter(
              (r) =>
                (filterSpec.customer === undefined || r.customer === filterSpec.customer) &&
                (!filterSpec.channel || r.channel === filterSpec.channel) &&
                (!filterSpec.status || r.status === filterSpec.status) &&
                (!filterSpec.actor || r.actor === filterSpec.actor) &&
                (!filter.from || r.createdAt >= filter.from) &&
                (!filter.to || r.createdAt < filter.to),
            )
            .map((r) => ({ ...r, id: ids.get(r.key)! }))
            .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));

          const seen: Array<{ id: string; notes: string | null; invoiceNumbers: string[]; history: number; customer: string }> = [];
          let cursor: ContactLogCursor | null = null;
          for (let pages = 0; pages <= expected.length + 1; pages += 1) {
            const page = await findContactLog(prisma, filter, { limit, cursor });
            expect(page.entries.length).toBeLessThanOrEqual(limit);
            seen.push(
              ...page.entries.map((e) => ({
                id: e.id,
                notes: e.notes,
                invoiceNumbers: e.invoiceNumbers,
                history: e.history.length,
                customer: e.customerExternalId,
              })),
            );
            if (page.next === null) break;
            cursor = page.next;
          }
          expect(seen).toEqual(
            expected.map((r) => ({
              id: r.id,
              notes: r.key,
              invoiceNumbers: r.invoices.map((i) => invoices[i]!.number).sort(),
              history: r.events,
              customer: customers[r.customer]!.externalId,
            })),
          );
        },
      ),
      { seed: DEFAULT_SEED, numRuns: 40 },
    );
  });
});
