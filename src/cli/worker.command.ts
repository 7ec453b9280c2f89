import { InvalidArgumentError, type Command } from 'commander';
import { closeOnSignals } from '../app/lifecycle.js';
import { openRuntime } from '../app/runtime.js';
import { limitHeapGrowth, startWorker } from '../app/worker.js';
import { ALL_QUEUES, parseQueueNames, type JobName } from '../jobs/catalog.js';
import type { CommandContext } from './main.js';

export function registerWorkerCommand(program: Command, context: CommandContext): void {
  program
    .command('worker')
    .description('Run the long-lived workers and the job schedulers of their queues until SIGTERM / Ctrl-C.')
    .option(
      '--queues <names>',
      `the queues this process works, comma-separated (its role, e.g. tick,step or deliver-email,deliver-sms); default all: ${ALL_QUEUES.join(',')}`,
      (list: string) => {
        try {
          return parseQueueNames(list);
        } catch (error) {
          throw new InvalidArgumentError((error as Error).message);
        }
      },
    )
    .action(async (options: { queues?: JobName[] }) => {
      limitHeapGrowth(context.config().worker.heapGrowthPercent);
      const runtime = await openRuntime(context.config(), context.logger());
      closeOnSignals(runtime.logger, () => runtime.lifecycle.close());
      await startWorker(runtime, { schedule: true, ...(options.queues && { queues: options.queues }) });
    });
}
