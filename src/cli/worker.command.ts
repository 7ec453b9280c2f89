import type { Command } from 'commander';
import { closeOnSignals } from '../app/lifecycle.js';
import { openRuntime } from '../app/runtime.js';
import { startWorker } from '../app/worker.js';
import type { CommandContext } from './main.js';

export function registerWorkerCommand(program: Command, context: CommandContext): void {
  program
    .command('worker')
    .description('Run the long-lived workers and the tick scheduler until SIGTERM / Ctrl-C.')
    .action(async () => {
      const runtime = await openRuntime(context.config(), context.logger());
      closeOnSignals(runtime.logger, () => runtime.lifecycle.close());
      await startWorker(runtime, { schedule: true });
    });
}
