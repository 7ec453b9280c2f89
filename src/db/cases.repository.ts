import type { PrismaClient } from './client.js';

/** Ids of the collection cases whose next-look time has come, oldest first. */
export async function findDueCaseIds(
  prisma: PrismaClient,
  now: Date,
  limit: number,
): Promise<string[]> {
  const rows = await prisma.collectionCase.findMany({
    where: { nextLookAt: { lte: now } },
    orderBy: { nextLookAt: 'asc' },
    select: { id: true },
    take: limit,
  });
  return rows.map((row) => row.id);
}
