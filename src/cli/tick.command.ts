import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { openRuntime } from '../app/runtime.js';
import { startWorker } from '../app/worker.js';
import { runTickAndWait } from '../jobs/run-tick.js';
import type { CommandContext } from './main.js';

/** Parses an ISO 8601 instant with an offset (or Z), the way every `--as-of` reads it. */
export function parseInstant(value: string): DateTime {
  const parsed = DateTime.fromISO(value, { setZone: true });
  if (!parsed.isValid || !/([zZ]|[+-]\d\d:?\d\d)$/.test(value)) {
    throw new Error(`--as-of must be an ISO 8601 instant with an offset, e.g. 2026-03-02T09:00:00Z (got "${value}")`);
  }
  return parsed;
}

export function registerTickCommand(program: Command, context: CommandContext): void {
  program
    .command('tick')
    .description('Run one tick at an instant (default now) and wait until every job it caused has finished.')
    .option('--as-of <instant>', 'ISO 8601 instant with offset, e.g. 2026-03-02T09:00:00Z', parseInstant)
    .action(async (options: { asOf?: DateTime }) => {
      const runtime = await openRuntime(context.config(), context.logger());
      try {
        const { queues } = await startWorker(runtime, { schedule: false });
        await runTickAndWait(queues, options.asOf ?? runtime.clock.now());
      } finally {
        await runtime.lifecycle.close();
      }
    });
}
