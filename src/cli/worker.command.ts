import { InvalidArgumentError, type Command } from 'commander';
import { closeOnSignals } from '../app/lifecycle.js';
import { openRuntime } from '../app/runtime.js';
import { limitHeapGrowth, startWorker } from '../app/worker.js';
import { ALL_QUEUES, MAILBOX_ROLE, parseWorkerRole, type WorkerRole } from '../jobs/catalog.js';
import type { CommandContext } from './main.js';

export function registerWorkerCommand(program: Command, context: CommandContext): void {
  program
    .command('worker')
    .description('Run the long-lived workers and the job schedulers of their queues until SIGTERM / Ctrl-C.')
    .option(
      '--queues <names>',
      `the queues this process works, comma-separated (its role, e.g. tick,step or deliver-email,deliver-sms), and ${MAILBOX_ROLE} for the process that polls the IMAP mailbox (IMAP_URL); default all: ${[...ALL_QUEUES, MAILBOX_ROLE].join(',')}`,
      (list: string) => {
        try {
          return parseWorkerRole(list);
        } catch (error) {
          throw new InvalidArgumentError((error as Error).message);
        }
      },
    )
    .action(async (options: { queues?: WorkerRole }) => {
      limitHeapGrowth(context.config().worker.heapGrowthPercent);
      const runtime = await openRuntime(context.config(), context.logger());
      closeOnSignals(runtime.logger, () => runtime.lifecycle.close());
      await startWorker(runtime, {
        schedule: true,
        ...(options.queues && { queues: options.queues.queues, mailbox: options.queues.mailbox }),
      });
    });
}
