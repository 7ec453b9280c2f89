import v8 from 'node:v8';
import type { CaseServices } from '../cases/case-services.js';
import type { Queues } from '../jobs/queues.js';
import { runWorkers, type WorkerOptions } from '../jobs/workers.js';
import type { Runtime } from './runtime.js';
import { buildDunningServices, caseServicesOn, openQueues, type DunningServices } from './services.js';

/** A running worker process: what it was built from, for commands and tests that drive it. */
export interface WorkerProcess {
  services: DunningServices;
  cases: CaseServices;
  queues: Queues;
}

/**
 * The composition root's last stage for a worker: the dunning and case services, the queues,
 * then a BullMQ worker per queue of its role (all by default; with `schedule`, the job schedulers of
 * those queues), all closed with the runtime. `services` replaces the dunning services built from config.
 */
export async function startWorker(runtime: Runtime, options: WorkerOptions & { services?: DunningServices }): Promise<WorkerProcess> {
  const services = options.services ?? (await buildDunningServices(runtime));
  const queues = openQueues(runtime);
  const cases = caseServicesOn(runtime, services, queues);
  const { redis, logger, lifecycle, clock, config } = runtime;
  await runWorkers({ ...services, redis, logger, lifecycle, clock, queues, cases, settings: config }, options);
  return { services, cases, queues };
}

/**
 * Tightens V8's heap growth for a long-lived worker process (`WORKER_HEAP_GROWTH_PERCENT`). By
 * default V8 lets the old generation grow to up to four times what survived the last full
 * collection before collecting again; a worker's garbage is mostly messages that lived across a
 * few awaits, so its peak RSS was mostly garbage (see the README's Performance). Process-wide, so
 * only the `worker` command calls it, before anything is built.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
