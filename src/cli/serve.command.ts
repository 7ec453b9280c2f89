import type { Command } from 'commander';
import { closeOnSignals } from '../app/lifecycle.js';
import { httpDependencies } from '../app/http.js';
import { openRuntime } from '../app/runtime.js';
import { openCaseServices } from '../app/services.js';
import { buildHttpServer } from '../http/server.js';
import type { CommandContext } from './main.js';

export function registerServeCommand(program: Command, context: CommandContext): void {
  program
    .command('serve')
    .description(
      'Serve the console, the REST API (case actions included), the webhooks (Twilio, email bounces) and one-click unsubscribe on HTTP_HOST:HTTP_PORT until SIGTERM / Ctrl-C.',
    )
    .action(async () => {
      const runtime = await openRuntime(context.config(), context.logger());
      closeOnSignals(runtime.logger, () => runtime.lifecycle.close());
      const cases = await openCaseServices(runtime);
      const app = runtime.lifecycle.adopt(
        'http server',
        await buildHttpServer(await httpDependencies(runtime, { cases: cases.cases })),
        (a) => a.close(),
        (a) => a.server.closeAllConnections(),
      );
      const { host, port, publicBaseUrl } = runtime.config.http;
      const address = await app.listen({ host, port });
      runtime.logger.info({ address, publicBaseUrl }, 'serving webhooks and unsubscribe links');
    });
}
