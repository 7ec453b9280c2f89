import type { Command } from 'commander';
import { applyMigrations } from '../db/migrate.js';
import { provideStack } from '../dev/embedded-stack.js';
import type { CommandContext } from './main.js';

export function registerMigrateCommand(program: Command, context: CommandContext): void {
  program
    .command('migrate')
    .description('Apply the committed database migrations (to DATABASE_URL, or the embedded Postgres).')
    .action(async () => {
      const logger = context.logger();
      const stack = await provideStack(context.config(), logger);
      try {
        await applyMigrations(stack.databaseUrl);
        logger.info('database is up to date');
      } finally {
        await stack.stop();
      }
    });
}
