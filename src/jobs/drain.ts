import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';

/**
 * Resolves once none of the queues has a job waiting or running, and none of `countDelayed` has
 * a delayed one (two looks in a row). Queues with a job scheduler always hold their next run as a
 * delayed job, so only queues whose delayed jobs are retries should be in `countDelayed`.
 */
export async function waitUntilIdle(queues: readonly Queue[], countDelayed: readonly Queue[], pollMs = 20): Promise<void> {
  let quietLooks = 0;
  while (quietLooks < 2) {
    await sleep(pollMs);
    const counts = await Promise.all(
      queues.map((queue) =>
        countDelayed.includes(queue)
          ? queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children')
          : queue.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children'),
      ),
    );
    const pending = counts.reduce((sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0);
    quietLooks = pending === 0 ? quietLooks + 1 : 0;
  }
}
