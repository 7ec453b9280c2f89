// The one door to the generated Prisma client. Everything else imports PrismaClient, the
// `Prisma` namespace, model types and enums from here, never from src/generated (which is
// produced by `prisma generate` on install and not committed).
//
// The client uses Prisma's query compiler (no Rust engine) over @prisma/adapter-pg 7.x and a
// `pg` pool. 7.x rather than 6.19.3 because the 6.19.3 adapter breaks the migration engine; the
// 6.19.3 client is fine with it (create / find / nested writes / interactive transactions /
// P2002 are covered by test/integration/schema-drift.test.ts).
import { PrismaPg } from '@prisma/adapter-pg';
import { Prisma, PrismaClient } from '../generated/prisma/client.js';

export * from '../generated/prisma/client.js';

export interface CreatePrismaOptions {
  /** Maximum pool connections (pg default: 10). */
  maxConnections?: number;
  /** Prisma log levels, e.g. ['warn', 'error'] or ['query'] when debugging. */
  log?: Prisma.LogLevel[];
}

/** A PrismaClient on a fresh `pg` pool. Call `$disconnect()` to close the pool. */
export function createPrisma(databaseUrl: string, options: CreatePrismaOptions = {}): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    ...(options.maxConnections !== undefined ? { max: options.maxConnections } : {}),
  });
  return new PrismaClient({ adapter, ...(options.log ? { log: options.log } : {}) });
}

/** The transaction client handed to `prisma.$transaction(async (tx) => ...)`. */
export type PrismaTransaction = Prisma.TransactionClient;

/**
 * True when `error` is Prisma's P2002 unique-constraint violation, optionally only for one
 * constraint: pass its Postgres index name (e.g. 'contacts_idempotency_key_key') or a field name.
 * The outbox relies on this to tell "already recorded" from real failures.
 *
 * Quirk: through @prisma/adapter-pg 7.x, P2002 carries no `meta.target` (field list); only
 * `meta.driverAdapterError.cause.constraint.index` (the index name). Both shapes are handled.
 */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return false;
  if (constraint === undefined) return true;
  return uniqueViolationNames(error).includes(constraint);
}

function uniqueViolationNames(error: Prisma.PrismaClientKnownRequestError): string[] {
  const meta = error.meta as Record<string, unknown> | undefined;
  const names: string[] = [];
  const target = meta?.target;
  if (Array.isArray(target)) names.push(...target.map(String));
  else if (typeof target === 'string') names.push(target);
  const cause = (meta?.driverAdapterError as { cause?: { constraint?: { index?: unknown; fields?: unknown } } } | undefined)?.cause;
  const index = cause?.constraint?.index;
  if (typeof index === 'string') names.push(index);
  const fields = cause?.constraint?.fields;
  if (Array.isArray(fields)) names.push(...fields.map(String));
  return names;
}
