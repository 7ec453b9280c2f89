import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bullmq';

/** Resolves once none of the queues has a job waiting, delayed or running (two looks in a row). */
export async function waitUntilIdle(queues: readonly Queue[], pollMs = 20): Promise<void> {
  let quietLooks = 0;
  while (quietLooks < 2) {
    await sleep(pollMs);
    const counts = await Promise.all(
      queues.map((queue) => queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children')),
    );
    const pending = counts.reduce((sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0);
    quietLooks = pending === 0 ? quietLooks + 1 : 0;
  }
}
