import { Command } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { registerAlertsCommand } from './alerts.command.js';
import { registerCaseCommand } from './case.command.js';
import { registerImportCommand } from './import.command.js';
import { registerInboundCommand } from './inbound.command.js';
import { registerDemoCommand } from './demo.command.js';
import { registerMigrateCommand } from './migrate.command.js';
import { registerReportCommand } from './report.command.js';
import { registerSecretsCommand } from './secrets.command.js';
import { registerServeCommand } from './serve.command.js';
import { registerPlanCommand } from './plan.command.js';
import { registerQueuesCommand } from './queues.command.js';
import { registerStackCommand } from './stack.command.js';
import { registerTickCommand } from './tick.command.js';
import { registerTemplatesCommand } from './templates.command.js';
import { registerWorkerCommand } from './worker.command.js';
import { registerUsersCommand } from './users.command.js';

/** Parses config and builds the logger once, for whichever command runs. */
export interface CommandContext {
  config(): Config;
  logger(): Logger;
}

function contextFromEnvironment(): CommandContext {
  let config: Config | undefined;
  let logger: Logger | undefined;
  const context: CommandContext = {
    config: () => (config ??= loadConfig(process.env, process.cwd())),
    logger: () => {
      const { log, env } = context.config();
      return (logger ??= createLogger({ ...log, production: env === 'production' }, process.stderr));
    },
  };
  return context;
}

const program = new Command()
  .name('arrears')
  .description('Collections workflow worker for accounts-receivable teams.')
  .showHelpAfterError();

const context = contextFromEnvironment();
registerDemoCommand(program, context);
registerWorkerCommand(program, context);
registerServeCommand(program, context);
registerMigrateCommand(program, context);
registerStackCommand(program, context);
registerImportCommand(program, context);
registerReportCommand(program, context);
registerTickCommand(program, context);
registerPlanCommand(program, context);
registerQueuesCommand(program, context);
registerTemplatesCommand(program, context);
registerCaseCommand(program, context);
registerAlertsCommand(program, context);
registerUsersCommand(program, context);
registerInboundCommand(program, context);
registerSecretsCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  context.logger().fatal({ err: error }, 'arrears stopped');
  process.exit(1);
});
