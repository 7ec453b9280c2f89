import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

/**
 * Every job Arrears runs: its queue, its payload schema and its retry policy, in one place so
 * the code that enqueues a job and the processor that runs it cannot drift apart.
 */
export const jobCatalog = {
  tick: {
    queue: 'tick',
    payload: z.object({
      /** Simulated instant (ISO 8601) for `arrears tick --as-of`; absent = the wall clock. */
      asOf: z.iso.datetime({ offset: true }).optional(),
    }),
    options: { attempts: 1, removeOnComplete: 100, removeOnFail: 500 } satisfies JobsOptions,
  },
} as const;

export type JobName = keyof typeof jobCatalog;
export type JobPayload<N extends JobName> = z.infer<(typeof jobCatalog)[N]['payload']>;

/** Validates a payload against its schema; a bad payload is a bug, never retried. */
export function parsePayload<N extends JobName>(name: N, data: unknown): JobPayload<N> {
  return jobCatalog[name].payload.parse(data) as JobPayload<N>;
}
