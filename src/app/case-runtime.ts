import { buildCaseServices, type CaseServices } from '../cases/case-services.js';
import { queueCaseEffects } from '../jobs/alert.job.js';
import { Queues } from '../jobs/queues.js';
import type { Runtime } from './runtime.js';
import { buildDunningServices } from './services.js';

/**
 * The case services of a process that performs case actions but runs no workers (the CLI,
 * `arrears serve`): the dunning services (templates for the promise confirmation, transports),
 * and queues that jobs are handed to; a running worker does them.
 */
export async function openCaseServices(runtime: Runtime): Promise<CaseServices> {
  const dunning = await buildDunningServices(runtime);
  const queues = new Queues(runtime.redis, runtime.lifecycle);
  return buildCaseServices(runtime, dunning, queueCaseEffects(queues));
}
