import type { PrismaClient } from '../../db/client.js';
import { dashboardRefreshedAt, refreshDashboardAggregates, type AggregateView } from '../../db/dashboard.repository.js';

const DAY_MS = 86_400_000;

/**
 * How old the pre-aggregated views (src/db/dashboard.repository.ts) may be when the dashboard or
 * the API's CEI reads them. Older than `refreshSeconds` (DASHBOARD_REFRESH_SECONDS): refreshed in
 * the background, and this answer reads the previous contents; never computed, older than a day,
 * or `refreshSeconds` 0: refreshed first, and the answer waits for it.
 */
export interface AggregateFreshness {
  /** DASHBOARD_REFRESH_SECONDS. */
  readonly refreshSeconds: number;
  /** When `views` were computed (the oldest of them), after refreshing them as above. */
  ensure(views: readonly AggregateView[]): Promise<Date | null>;
}

export function aggregateFreshness(options: {
  prisma: PrismaClient;
  clock: () => Date;
  refreshSeconds: number;
  /**
   * false for a process that exits after answering (`arrears report`): a background refresh would
   * be cut off, so views less than a day old are read as they are.
   */
  background: boolean;
  /** Where a background refresh's failure is reported. */
  log?: (error: unknown) => void;
}): AggregateFreshness {
  const { prisma, clock, refreshSeconds } = options;
  // One refresh per set of views at a time in this process; other processes wait on the advisory lock.
  const running = new Map<string, Promise<unknown>>();
  const refresh = (views: readonly AggregateView[], wait: boolean) => {
    const key = `${views.join()} ${wait}`;
    let pending = running.get(key);
    if (pending === undefined) {
      const staleBefore = new Date(clock().getTime() - refreshSeconds * 1000);
      pending = refreshDashboardAggregates(prisma, clock, { views, staleBefore, wait }).finally(() => running.delete(key));
      running.set(key, pending);
    }
    return pending;
  };

  return {
    refreshSeconds,
    async ensure(views) {
      const computedAt = await dashboardRefreshedAt(prisma, views);
      const age = computedAt === null ? Infinity : clock().getTime() - computedAt.getTime();
      if (age <= refreshSeconds * 1000) return computedAt;
      if (refreshSeconds === 0 || age > DAY_MS) {
        await refresh(views, true);
        return dashboardRefreshedAt(prisma, views);
      }
      if (options.background) refresh(views, false).catch((error: unknown) => options.log?.(error));
      return computedAt;
    },
  };
}
