import type { Command } from 'commander';
import { closeOnSignals } from '../app/lifecycle.js';
import { applyMigrations } from '../db/migrate.js';
import { provideStack } from '../dev/embedded-stack.js';
import { redisEnvironment } from '../config/config.js';
import type { CommandContext } from './main.js';

export function registerStackCommand(program: Command, context: CommandContext): void {
  program
    .command('stack')
    .description(
      'Start the embedded Postgres and redis-server, apply migrations and print their URLs ' +
        '(for psql, redis-cli or another arrears process); stops on Ctrl-C.',
    )
    .option('--redis-cluster', 'start a 3-master Redis Cluster instead of one redis-server')
    .action(async (options: { redisCluster?: boolean }) => {
      const logger = context.logger();
      const stack = await provideStack(context.config(), logger, { redis: true, redisCluster: options.redisCluster === true });
      closeOnSignals(logger, () => stack.stop());
      await applyMigrations(stack.databaseUrl);
      // Printed to stdout on purpose: these are for the operator to copy, not for the log.
      const redis = stack.redis ? Object.entries(redisEnvironment(stack.redis)).map(([name, value]) => `${name}=${value}\n`) : [];
      process.stdout.write(`DATABASE_URL=${stack.databaseUrl}\n${redis.join('')}`);
      logger.info('embedded stack running; press Ctrl-C to stop');
    });
}
