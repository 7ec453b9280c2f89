import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { openRuntime } from '../app/runtime.js';
import { buildDunningServices } from '../app/services.js';
import { loadConfig } from '../config/config.js';
import { DEMO_PASSWORD, DEMO_USERS, runDemo, type DemoSummary } from '../demo/run-demo.js';
import { startWorkers } from '../jobs/workers.js';
import type { CommandContext } from './main.js';

interface DemoOptions {
  days: number;
  customers: number;
  start: string;
  reset?: boolean;
}

const integer = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max}`);
  return n;
};

function printSummary(summary: DemoSummary, config: ReturnType<typeof loadConfig>, seconds: number): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out();
  out(`Demo finished: ${summary.ticks} ticks in ${seconds.toFixed(1)} s.`);
  for (const i of summary.imports) {
    out(`  imported ${i.kind.padEnd(9)} ${i.rows} rows: ${i.created} created, ${i.updated} updated, ${i.rejected} rejected`);
  }
  out();
  out('Contacts by step and channel (status: count):');
  const rows = new Map<string, string[]>();
  for (const c of summary.contacts) {
    const key = `${c.step.padEnd(22)} ${c.channel.padEnd(6)}`;
    rows.set(key, [...(rows.get(key) ?? []), `${c.status} ${c.count}`]);
  }
  for (const [key, counts] of rows) out(`  ${key} ${counts.join(', ')}`);
  out();
  out(`Call tasks created: ${summary.callTasks}   credit holds: ${summary.creditHolds}   legal holds: ${summary.legalHolds}   manager alerts: ${summary.alerts}`);
  out();
  const email = config.email.transport;
  const sms = config.sms.transport;
  out(`Emails: ${email.kind === 'capture' ? `${email.dir} (.eml files; open one in any mail client)` : 'sent over SMTP'}`);
  out(`SMS:    ${sms.kind === 'capture' ? path.join(sms.dir, 'sms.jsonl') : 'sent through Twilio'}`);
  out(`Ledger: ${summary.ledgerDir} (the CSV files that were imported)`);
  out();
  out(`The demo keeps its own database; point commands at it with ARREARS_DATA_DIR=${config.dataDir}:`);
  out(`  ARREARS_DATA_DIR=${config.dataDir} npx arrears serve     # console at http://${config.http.host}:${config.http.port}/console`);
  out(`    log in as ${DEMO_USERS.map((u) => u.email).join(', ')} — password ${DEMO_PASSWORD}`);
  out(`  ARREARS_DATA_DIR=${config.dataDir} npx arrears plan --days 30 --explain`);
  out(`  ARREARS_DATA_DIR=${config.dataDir} npx arrears report aging`);
}

export function registerDemoCommand(program: Command, context: CommandContext): void {
  program
    .command('demo')
    .description(
      'Load a sample ledger (a few hundred customers in en, zh-CN, ro, tr) into a demo database and ' +
        'run ~100 simulated days of dunning through the real queues; emails and SMS are captured locally.',
    )
    .option('--days <n>', 'simulated days', integer('--days', 1, 366), 100)
    .option('--customers <n>', 'customers in the sample ledger', integer('--customers', 1, 100_000), 300)
    .option('--start <date>', 'first simulated day (UTC midnight)', '2026-03-02')
    .option('--reset', 'allowed to empty DATABASE_URL\'s database (the demo owns its database)')
    .action(async (options: DemoOptions) => {
      const base = context.config();
      const demoDir = path.join(base.dataDir, 'demo');
      const config = loadConfig({ ...process.env, ARREARS_DATA_DIR: demoDir }, process.cwd());
      if (config.databaseUrl && !options.reset) {
        throw new Error('the demo empties its database: unset DATABASE_URL to use a private one, or pass --reset');
      }
      const start = DateTime.fromISO(options.start, { zone: 'utc' });
      if (!start.isValid) throw new Error(`--start must be a date such as 2026-03-02 (got "${options.start}")`);
      for (const transport of [config.email.transport, config.sms.transport]) {
        if (transport.kind === 'capture') await rm(transport.dir, { recursive: true, force: true });
      }

      // The demo prints its own progress and summary; routine worker logs would drown them.
      const logger = process.env.LOG_LEVEL ? context.logger() : context.logger().child({}, { level: 'warn' });
      const runtime = await openRuntime(config, logger);
      try {
        const services = await buildDunningServices(runtime);
        const queues = await startWorkers(runtime, services, { schedule: false });
        const began = Date.now();
        const summary = await runDemo(runtime, queues, services.evaluation.policies, {
          start,
          days: options.days,
          customers: options.customers,
          onTick: (at, ticks) => {
            const line = `simulated ${at.toISODate()} (${ticks} ticks)`;
            if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
            else if (ticks % 50 === 0) process.stderr.write(`${line}\n`);
          },
        });
        printSummary(summary, config, (Date.now() - began) / 1000);
      } finally {
        await runtime.lifecycle.close();
      }
    });
}
