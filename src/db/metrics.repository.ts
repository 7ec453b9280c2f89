import type { PrismaClient } from './client.js';

export async function pingDatabase(prisma: PrismaClient): Promise<void> {
  await prisma.$queryRawUnsafe('select 1');
}

/** Contacts by channel and current status (sends, calls and notes alike). */
export async function countSendsByChannelAndStatus(
  prisma: PrismaClient,
): Promise<Array<{ channel: string; status: string; count: number }>> {
  const rows = await prisma.contact.groupBy({ by: ['channel', 'status'], _count: { _all: true } });
  return rows
    .map((r) => ({ channel: r.channel, status: r.status, count: r._count._all }))
    .sort((a, b) => `${a.channel}${a.status}`.localeCompare(`${b.channel}${b.status}`));
}
