import type { Command } from 'commander';
import { acknowledgeAlert, listAlerts } from '../alerts/alert.service.js';
import { sendDigests } from '../alerts/digest.js';
import { runCaseSweep } from '../cases/sweep.js';
import { withCaseServices } from './case.command.js';
import type { CommandContext } from './main.js';

export function registerAlertsCommand(program: Command, context: CommandContext): void {
  const command = program.command('alerts').description('Manager alerts: list, acknowledge, send the digest, run the sweep.');
  command
    .command('list')
    .description('open alerts (or --all raised in the last --days)')
    .requiredOption('--actor <user>', 'a user email or id, or "system"')
    .option('--all', 'acknowledged ones too')
    .option('--days <n>', 'with --all: raised in the last n days', '7')
    .option('--json', 'one JSON object per alert')
    .action((options: { actor: string; all?: boolean; days: string; json?: boolean }) =>
      withCaseServices(context, async (services) => {
        const since = options.all ? new Date(services.cases.clock().getTime() - Number(options.days) * 86_400_000) : null;
        const alerts = await listAlerts(services.cases, options.actor, { mode: options.all ? 'all' : 'open', since });
        for (const alert of alerts) {
          process.stdout.write(
            options.json
              ? `${JSON.stringify(alert)}\n`
              : `${alert.id}  ${alert.kind.padEnd(20)} ${alert.customerExternalId ?? '-'}  ${alert.lastRaisedAt.toISOString()}  x${alert.reRaiseCount}  ${alert.acknowledgedAt ? 'acknowledged' : 'OPEN'}  ${alert.message}\n`,
          );
        }
      }),
    );
  command
    .command('ack <alertId>')
    .description('acknowledge an alert (manager)')
    .requiredOption('--actor <user>', 'a user email or id')
    .option('--note <text>', 'note kept in the audit trail')
    .action((alertId: string, options: { actor: string; note?: string }) =>
      withCaseServices(context, async (services) => {
        const result = await acknowledgeAlert(services.cases, options.actor, { alertId, ...(options.note && { note: options.note }) });
        process.stdout.write(`${JSON.stringify(result)}\n`);
      }),
    );
  command
    .command('digest')
    .description('send the digest of open alerts to every manager now')
    .action(() =>
      withCaseServices(context, async (services) => {
        process.stdout.write(`digest sent to ${await sendDigests(services.alertDelivery, services.digestZone)} recipient(s)\n`);
      }),
    );
  command
    .command('sweep')
    .description(
      'run the case sweep once (pauses, promises, plans, paid credit holds, alert detection, re-raise); a worker delivers what it enqueues',
    )
    .action(() =>
      withCaseServices(context, async (services) => {
        process.stdout.write(`${JSON.stringify(await runCaseSweep(services.cases, services.sweep))}\n`);
      }),
    );
}
