import type { PrismaClient, PrismaTransaction } from './client.js';
import { prismaSql, type Sql } from './sql.js';

/** What a read takes: the Prisma client, or the transaction's when the read must see its writes. */
export type Db = PrismaClient | PrismaTransaction;

/** One transaction seen two ways: Prisma for the reads, `Sql` for every write (see README.md). */
export interface Transaction {
  db: PrismaTransaction;
  sql: Sql;
}

/** Runs `work` in one Prisma interactive transaction; `timeout` and `maxWait` in ms (Prisma's defaults: 5 s and 2 s). */
export function inTransaction<T>(
  prisma: PrismaClient,
  work: (tx: Transaction) => Promise<T>,
  options: { timeout?: number; maxWait?: number } = {},
): Promise<T> {
  return prisma.$transaction((tx) => work({ db: tx, sql: prismaSql(tx) }), options);
}

/** `Sql` outside any transaction: each statement on its own (single-statement writes). */
export function autoCommit(prisma: PrismaClient): Sql {
  return prismaSql(prisma);
}
