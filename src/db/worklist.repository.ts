import type { PrismaClient } from './client.js';

/** Open alerts for the dashboard, newest first. */
export function findOpenAlerts(prisma: PrismaClient, limit = 50) {
  return prisma.managerAlert.findMany({
    where: { acknowledgedAt: null, resolvedAt: null },
    orderBy: { lastRaisedAt: 'desc' },
    take: limit,
    include: { customer: { select: { externalId: true, name: true } } },
  });
}
