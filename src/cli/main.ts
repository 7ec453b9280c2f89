import { Command } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config/config.js';
import { createLogger, type Logger } from '../logging/logger.js';
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

type Register = (program: Command, context: CommandContext) => void;

// Each command's module is loaded only when that command runs (all of them for help or an unknown
// command): a worker then does not carry the console, the API, the demo and the stack in memory
// (~16-20 MB of resident memory, issue 19's worker RSS target).
const COMMANDS: Record<string, () => Promise<Register>> = {
  demo: async () => (await import('./demo.command.js')).registerDemoCommand,
  worker: async () => (await import('./worker.command.js')).registerWorkerCommand,
  serve: async () => (await import('./serve.command.js')).registerServeCommand,
  migrate: async () => (await import('./migrate.command.js')).registerMigrateCommand,
  stack: async () => (await import('./stack.command.js')).registerStackCommand,
  import: async () => (await import('./import.command.js')).registerImportCommand,
  report: async () => (await import('./report.command.js')).registerReportCommand,
  tick: async () => (await import('./tick.command.js')).registerTickCommand,
  plan: async () => (await import('./plan.command.js')).registerPlanCommand,
  queues: async () => (await import('./queues.command.js')).registerQueuesCommand,
  templates: async () => (await import('./templates.command.js')).registerTemplatesCommand,
  case: async () => (await import('./case.command.js')).registerCaseCommand,
  alerts: async () => (await import('./alerts.command.js')).registerAlertsCommand,
  users: async () => (await import('./users.command.js')).registerUsersCommand,
  inbound: async () => (await import('./inbound.command.js')).registerInboundCommand,
  secrets: async () => {
    const { registerSecretsCommand } = await import('./secrets.command.js');
    return (program) => registerSecretsCommand(program);
  },
};

const context = contextFromEnvironment();
const asked = process.argv[2];
const names = asked !== undefined && Object.hasOwn(COMMANDS, asked) ? [asked] : Object.keys(COMMANDS);
for (const register of await Promise.all(names.map((name) => COMMANDS[name]!()))) register(program, context);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  context.logger().fatal({ err: error }, 'arrears stopped');
  process.exit(1);
});
