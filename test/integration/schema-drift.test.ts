import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, isUniqueViolation, type PrismaClient } from '../../src/db/client.js';
import { applyMigrations, runPrismaCli } from '../../src/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

// schema.prisma and prisma/migrations must describe the same database. Prisma's usual check
// (`migrate diff --from-url` / `--from-migrations`) is unavailable offline here: with a driver
// adapter in prisma.config.ts the CLI refuses --from-url, and --from-migrations needs a shadow
// database the adapter mishandles. So: build one database from the migrations and one from the
// schema (`migrate diff --from-empty --script`, which needs no shadow), and compare the two
// Postgres catalogs. Only what schema.prisma can express is compared (tables, columns, enums,
// keys, foreign keys, indexes); hand-written extras Prisma cannot express (CHECK constraints,
// triggers, functions, views and their indexes) are ignored, as Prisma's own diff ignores them.

/** Indexes created by hand in a migration that schema.prisma cannot express (e.g. partial). */
const MIGRATION_ONLY_INDEXES = new Set<string>([
  // pg_trgm indexes for the worklist's search (one on an expression), which schema.prisma cannot express without the extension.
  'customers_name_trgm_idx',
  'customers_external_id_trgm_idx',
  'invoices_number_trgm_idx',
  'contact_points_value_trgm_idx',
  // The reports' partial, covering and expression indexes (migration 20261206160000_report_indexes).
  'invoices_open_report_idx',
  'invoices_sales_idx',
  'payment_allocations_reversed_at_idx',
  'invoices_written_off_at_idx',
  'invoices_known_at_idx',
  'payments_unapplied_idx',
  // The aging pre-aggregate in the report's order (an index with a collation, migration 20261206190000_customer_aging_report_rows).
  'customer_aging_report_order_idx',
]);

let fromMigrations: TestDatabase;
let fromSchema: TestDatabase;

beforeAll(async () => {
  [fromMigrations, fromSchema] = await Promise.all([createTestDatabase({ migrate: false }), createTestDatabase({ migrate: false })]);
  // How long this takes is measured by `npm run bench` (migrate_s), not asserted here: a timing
  // assertion fails on a busy machine.
  await applyMigrations(fromMigrations.url);
});

afterAll(async () => {
  await Promise.all([fromMigrations?.drop(), fromSchema?.drop()]);
});

describe('migrations', () => {
  it('match schema.prisma (no drift)', async () => {
    const script = await runPrismaCli(['migrate', 'diff', '--from-empty', '--to-schema-datamodel', 'prisma/schema.prisma', '--script'], {
      databaseUrl: fromSchema.url,
    });
    expect(script.exitCode, script.stderr).toBe(0);
    await withClient(fromSchema.url, (client) => client.query(script.stdout));

    const [migrated, declared] = await Promise.all([catalog(fromMigrations.url), catalog(fromSchema.url)]);
    // Guard against comparing two empty catalogs.
    expect(migrated).toContain('column contacts.idempotency_key text not null default -');
    expect([...migrated].some((line) => line.startsWith('index collection_cases_next_look_at_idx:'))).toBe(true);
    const onlyInMigrations = [...migrated].filter((line) => !declared.has(line) && !isMigrationOnly(line));
    const onlyInSchema = [...declared].filter((line) => !migrated.has(line));
    const report = [
      'schema.prisma and prisma/migrations disagree. Author a migration for the change',
      '(README, "Database and migrations"), or fix schema.prisma.',
      ...onlyInSchema.map((line) => `  only in schema.prisma: ${line}`),
      ...onlyInMigrations.map((line) => `  only in migrations:    ${line}`),
    ].join('\n');
    expect({ onlyInSchema, onlyInMigrations }, report).toEqual({ onlyInSchema: [], onlyInMigrations: [] });
  });
});

describe('the Prisma client on the migrated database', () => {
  let prisma: PrismaClient;
  beforeAll(() => {
    prisma = createPrisma(fromMigrations.url);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
  });

  it('writes and reads a customer, an invoice and a contact-log row', async () => {
    const customer = await prisma.customer.create({
      data: {
        externalId: 'ERP-1',
        name: 'Acme GmbH',
        timeZone: 'Europe/Berlin',
        locale: 'de-DE',
        currency: 'EUR',
        creditLimitMinor: 5_000_000n,
        collectionCase: { create: { nextLookAt: new Date('2026-03-10T08:00:00Z') } },
        invoices: {
          create: {
            externalId: 'ERP-INV-1',
            number: 'INV-1',
            currency: 'EUR',
            amountMinor: 123_456_789_012n,
            openBalanceMinor: 123_456_789_012n,
            issuedOn: new Date('2026-02-01'),
            dueOn: new Date('2026-03-03'),
          },
        },
      },
      include: { invoices: true, collectionCase: true },
    });
    const invoice = customer.invoices[0]!;

    const contact = await prisma.contact.create({
      data: {
        customerId: customer.id,
        caseId: customer.collectionCase!.id,
        channel: 'email',
        policyId: 'default',
        stepId: 'overdue-7',
        templateId: 'reminder',
        templateLocale: 'de',
        recipient: 'ap@acme.example',
        subject: 'Zahlungserinnerung',
        bodyText: 'Bitte zahlen Sie INV-1.',
        idempotencyKey: `${customer.id}:overdue-7:1`,
        invoices: { create: { invoiceId: invoice.id, openBalanceMinor: invoice.openBalanceMinor } },
        statusEvents: { create: { status: 'queued' } },
      },
    });

    const log = await prisma.contact.findMany({
      where: { customerId: customer.id },
      orderBy: { createdAt: 'desc' },
      include: { invoices: { include: { invoice: true } }, statusEvents: true },
    });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ id: contact.id, status: 'queued', actor: 'system', attempts: 0 });
    expect(log[0]!.invoices[0]!.invoice).toMatchObject({
      number: 'INV-1',
      amountMinor: 123_456_789_012n, // BigInt survives the round trip, beyond 2^32
      status: 'open',
      dunningCycle: 1,
    });
    expect(log[0]!.invoices[0]!.invoice.dueOn.toISOString()).toBe('2026-03-03T00:00:00.000Z');
    expect(log[0]!.statusEvents.map((event) => event.status)).toEqual(['queued']);

    const due = await prisma.collectionCase.findMany({ where: { nextLookAt: { lte: new Date('2026-03-10T09:00:00Z') } } });
    expect(due.map((row) => row.customerId)).toEqual([customer.id]);
  });

  it('rejects a second contact with the same idempotency key (P2002), rolling back its transaction', async () => {
    const customer = await prisma.customer.create({
      data: { externalId: 'ERP-2', name: 'Beta', timeZone: 'America/New_York', locale: 'en-US', currency: 'USD' },
    });
    const key = `${customer.id}:pre-due:1`;
    await prisma.contact.create({ data: { customerId: customer.id, channel: 'sms', idempotencyKey: key } });

    const duplicate = prisma.$transaction(async (tx) => {
      await tx.auditEvent.create({
        data: { entityType: 'customer', entityId: customer.id, action: 'step', actor: 'system' },
      });
      await tx.contact.create({ data: { customerId: customer.id, channel: 'sms', idempotencyKey: key } });
    });
    const error = await duplicate.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(isUniqueViolation(error)).toBe(true);
    expect(isUniqueViolation(error, 'contacts_idempotency_key_key')).toBe(true);
    expect(isUniqueViolation(error, 'invoices_external_id_key')).toBe(false);
    expect(await prisma.contact.count({ where: { idempotencyKey: key } })).toBe(1);
    expect(await prisma.auditEvent.count({ where: { entityId: customer.id } })).toBe(0);
  });
});

function isMigrationOnly(line: string): boolean {
  const index = /^index (\S+):/.exec(line)?.[1];
  return index !== undefined && MIGRATION_ONLY_INDEXES.has(index);
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The parts of the `public` schema that schema.prisma describes, one line per fact. */
async function catalog(url: string): Promise<Set<string>> {
  const skip = `'_prisma_migrations'`;
  return withClient(url, async (client) => {
    const lines: string[] = [];
    const rows = async (sql: string) => (await client.query<Record<string, string | boolean | null>>(sql)).rows;

    for (const row of await rows(`
      select t.typname as name, string_agg(e.enumlabel, ', ' order by e.enumlabel) as labels
      from pg_type t join pg_enum e on e.enumtypid = t.oid join pg_namespace n on n.oid = t.typnamespace
      where n.nspname = 'public' group by t.typname`)) {
      // Label order is not compared: `ALTER TYPE ... ADD VALUE` appends, the schema may not.
      lines.push(`enum ${row.name}: ${row.labels}`);
    }
    for (const row of await rows(`
      select c.relname as name, c.relkind as kind
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p', 'S') and c.relname <> ${skip}`)) {
      lines.push(`${row.kind === 'S' ? 'sequence' : 'table'} ${row.name}`);
    }
    for (const row of await rows(`
      select c.relname as tbl, a.attname as col, format_type(a.atttypid, a.atttypmod) as type,
             a.attnotnull as not_null, pg_get_expr(d.adbin, d.adrelid) as dflt, a.attidentity as ident
      from pg_attribute a
      join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where n.nspname = 'public' and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
        and c.relname <> ${skip}`)) {
      // Column order is not compared: a migration appends columns, the schema may not.
      const nullability = row.not_null ? 'not null' : 'null';
      lines.push(
        `column ${row.tbl}.${row.col} ${row.type} ${nullability} default ${row.dflt ?? '-'}${row.ident ? ` identity ${row.ident}` : ''}`,
      );
    }
    for (const row of await rows(`
      select c.relname as tbl, con.conname as name, pg_get_constraintdef(con.oid) as def
      from pg_constraint con join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and con.contype in ('p', 'f', 'u') and c.relname <> ${skip}`)) {
      lines.push(`constraint ${row.tbl}.${row.name}: ${row.def}`);
    }
    for (const row of await rows(`
      select indexname as name, indexdef as def from pg_indexes
      where schemaname = 'public' and tablename <> ${skip}
        and tablename not in (select matviewname from pg_matviews)`)) {
      lines.push(`index ${row.name}: ${row.def}`);
    }
    return new Set(lines);
  });
}
