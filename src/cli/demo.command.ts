import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { DateTime } from 'luxon';
import { openRuntime } from '../app/runtime.js';
import { loadConfig } from '../config/config.js';
import { toMajorString } from '../core/money.js';
import type { ConversationMessage } from '../demo/conversation.js';
import { DEMO_PASSWORD, DEMO_USERS, runDemo, type DemoSummary } from '../demo/run-demo.js';
import type { CommandContext } from './main.js';

interface DemoOptions {
  days: number;
  customers: number;
  end?: string;
  reset?: boolean;
}

const integer = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max}`);
  return n;
};

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const money = (amounts: ConversationMessage['amounts']) =>
  amounts
    .map((a) => `${a.currency} ${toMajorString(a.minor, a.currency)} (${a.invoices} invoice${a.invoices === 1 ? '' : 's'})`)
    .join(' + ');

function printSummary(summary: DemoSummary, config: ReturnType<typeof loadConfig>, seconds: number): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const { activity, figures } = summary;
  out();
  out(`Demo finished: ${summary.firstDay} to ${summary.lastDay} (today), ${summary.ticks} ticks in ${seconds.toFixed(1)} s.`);
  for (const i of summary.imports) {
    out(
      `  imported ${i.kind.padEnd(9)} ${String(i.files).padStart(3)} files, ${i.rows} rows: ${i.created} created, ${i.updated} updated, ${i.rejected} rejected`,
    );
  }
  out(
    `  customers: ${activity.payments} payments, ${activity.disputesOpened} disputes (${activity.disputesResolved} resolved), ` +
      `${activity.promises} promises, ${activity.bounces} bounced addresses, ${activity.smsStops} STOP replies; ` +
      `collector: ${activity.calls} calls, ${activity.notes} notes`,
  );
  out();
  out("Replies (through the reply path, as from the mailbox; see the console's Replies page):");
  for (const r of summary.replies)
    out(`  ${r.what}: ${r.classification}${r.customer ? '' : ' (unmatched)'} → ${r.actions.join(', ') || 'logged'}`);
  out();
  out('Contacts by step and channel (status: count):');
  const rows = new Map<string, string[]>();
  for (const c of summary.contacts) {
    const key = `${c.step.padEnd(22)} ${c.channel.padEnd(6)}`;
    rows.set(key, [...(rows.get(key) ?? []), `${c.status} ${c.count}`]);
  }
  for (const [key, counts] of rows) out(`  ${key} ${counts.join(', ')}`);
  out();
  out(
    `Call tasks created: ${summary.callTasks}   credit holds: ${summary.creditHolds}   legal holds: ${summary.legalHolds}   manager alerts: ${summary.alerts}`,
  );
  out();

  for (const story of figures.conversations) {
    out(`${story.externalId} ${story.name} (${story.why}), as the customer saw it, in ${story.timeZone}:`);
    for (const m of story.messages) {
      const at = DateTime.fromJSDate(m.at, { zone: story.timeZone }).toFormat('yyyy-MM-dd HH:mm');
      const step = m.stepId ?? m.templateId ?? '-';
      out(
        `  ${at}  ${m.channel.padEnd(5)} ${step.padEnd(20)} ${m.headline.slice(0, 90)}${m.amounts.length > 0 ? `  [${money(m.amounts)}]` : ''}`,
      );
    }
    out();
  }

  const e = figures.emails;
  out(`At the end (${summary.lastDay}), ${figures.customers} customers:`);
  out(
    `  emails per customer per 30 days: reminders mean ${e.reminders.mean} (${e.reminders.meanContacted} per customer reminded), max ${e.reminders.max} in any 30 days;`,
  );
  out(
    `    all emails (with statements, confirmations) mean ${e.all.mean}, max ${e.all.max}; SMS mean ${figures.sms.mean}, max ${figures.sms.max}`,
  );
  out('  aging mix (share of balance):');
  for (const c of figures.aging) {
    out(
      `    ${c.currency} ${toMajorString(c.totalMinor, c.currency).padStart(14)}  ${c.buckets.map((b) => `${b.bucket} ${percent(b.share)}`).join('  ')}`,
    );
  }
  out(
    `  customers with a balance, by oldest bucket: ${figures.customersByOldestBucket.map((b) => `${b.bucket} ${b.customers}`).join(', ')}`,
  );
  out(`  DSO (90 days): ${figures.dso.map((d) => `${d.currency} ${d.dso ?? '-'} (best possible ${d.bestPossibleDso ?? '-'})`).join(', ')}`);
  out(`  legal holds standing: ${figures.legalHoldsOpen}   credit holds standing: ${figures.creditHoldsOpen}`);
  const p = figures.problems;
  out(
    `  conversation checks: ${p['step-back'].count} step backs (${p['step-back'].customers} customers), ` +
      `${p['repeated-hold-notice'].count} repeated hold notices (${p['repeated-hold-notice'].customers}), ` +
      `${p['after-legal-hold'].count} sent after a legal hold (${p['after-legal-hold'].customers})`,
  );
  for (const problem of figures.problemExamples) {
    const at = (m: ConversationMessage) => `${m.at.toISOString().slice(0, 16)} ${m.channel} ${m.stepId}`;
    out(`    ${problem.kind}: ${problem.externalId} ${at(problem.message)}${problem.earlier ? ` after ${at(problem.earlier)}` : ''}`);
  }
  out();
  const email = config.email.transport;
  const sms = config.sms.transport;
  out(`Emails: ${email.kind === 'capture' ? `${email.dir} (.eml files; open one in any mail client)` : 'sent over SMTP'}`);
  out(`SMS:    ${sms.kind === 'capture' ? path.join(sms.dir, 'sms.jsonl') : 'sent through Twilio'}`);
  out(`Ledger: ${summary.ledgerDir} (the CSV files that were imported, one per day and kind)`);
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
      'Load a sample business (a few hundred customers in en, zh-CN, ro, tr) into a demo database and run the ~100 days ' +
        'that end today through the real queues: invoices issued, customers paying, disputing, promising; emails and SMS captured locally.',
    )
    .option('--days <n>', 'simulated days, ending today', integer('--days', 1, 366), 100)
    .option('--customers <n>', 'customers in the sample ledger', integer('--customers', 1, 100_000), 300)
    .option('--end <instant>', 'last simulated instant instead of now (ISO, UTC unless it has an offset)')
    .option('--reset', "allowed to empty DATABASE_URL's database (the demo owns its database)")
    .action(async (options: DemoOptions) => {
      const base = context.config();
      const demoDir = path.join(base.dataDir, 'demo');
      const config = loadConfig({ ...process.env, ARREARS_DATA_DIR: demoDir }, process.cwd());
      if (config.databaseUrl && !options.reset) {
        throw new Error('the demo empties its database: unset DATABASE_URL to use a private one, or pass --reset');
      }
      const end = options.end ? DateTime.fromISO(options.end, { zone: 'utc' }) : DateTime.utc();
      if (!end.isValid) throw new Error(`--end must be an instant such as 2026-06-09T12:00:00Z (got "${options.end}")`);
      for (const transport of [config.email.transport, config.sms.transport]) {
        if (transport.kind === 'capture') await rm(transport.dir, { recursive: true, force: true });
      }

      // The demo prints its own progress and summary; routine worker logs would drown them.
      const logger = process.env.LOG_LEVEL ? context.logger() : context.logger().child({}, { level: 'warn' });
      const runtime = await openRuntime(config, logger);
      try {
        const began = Date.now();
        const summary = await runDemo(runtime, {
          end,
          days: options.days,
          customers: options.customers,
          onTick: (at, ticks) => {
            const line = `simulated ${at.toISODate()} (${ticks} ticks)`;
            if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
            else if (ticks % 100 === 0) process.stderr.write(`${line}\n`);
          },
        });
        printSummary(summary, config, (Date.now() - began) / 1000);
      } finally {
        await runtime.lifecycle.close();
      }
    });
}
