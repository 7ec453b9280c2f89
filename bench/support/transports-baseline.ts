// The yardstick for Arrears' end-to-end rate: what the transports alone do with the same
// messages. The reminders a set of due cases will get are rendered once here, with the worker's
// own decision core and templates (`decideCase`, `composeMessage`); a separate process
// (`send-transports.ts`, so the sending client does not share an event loop with the sinks, just
// as the worker does not) then sends them with pooled nodemailer to the SMTP sink and with the
// official twilio client to the local Twilio-API endpoint, at the worker's concurrencies, and
// nothing else: no queue, no database, no decisions.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DateTime } from 'luxon';
import type pg from 'pg';
import type { Config } from '../../src/config/config.js';
import { isMessage } from '../../src/core/decision.js';
import { loadCaseSnapshots } from '../../src/db/case-snapshot.repository.js';
import { pgSql } from '../../src/db/sql.js';
import { composeMessage } from '../../src/dunning/compose-message.js';
import { decideCase } from '../../src/dunning/evaluate-cases.js';
import { unsubscribeUrlBuilder } from '../../src/dunning/unsubscribe-token.js';
import { createTemplateCatalog } from '../../src/templates/index.js';
import { loadPolicies } from '../../src/workflows/load-policies.js';
import { loadDunningRules } from '../../src/workflows/load-rules.js';

/** One rendered reminder, as the delivery job would hand it to its transport. */
export interface RenderedReminder {
  channel: 'email' | 'sms';
  to: string;
  subject: string | null;
  text: string;
  html: string | null;
  idempotencyKey: string;
}

/** What `send-transports.ts` is given: where to send, how many at once, and the messages. */
export interface TransportsJob {
  smtp: { host: string; port: number; maxConnections: number };
  twilio: { accountSid: string; authToken: string; baseUrl: string; from: string };
  emailFrom: string;
  unsubscribeMailto: string;
  emailConcurrency: number;
  smsConcurrency: number;
  messages: RenderedReminder[];
}

/** What it reports back (one JSON line). */
export interface TransportsResult {
  seconds: number;
  emails: number;
  sms: number;
  /** CPU (user + system) the sending process spent while sending. */
  cpuSeconds: number;
  /** The sending process's peak RSS (VmHWM). */
  rssMb: number;
}

/**
 * Renders, without writing anything, the reminders the worker will send for these customers'
 * cases at `asOf`: the same decisions and templates, configured as the worker is by `config`.
 */
export async function renderReminders(
  pool: pg.Pool,
  config: Config,
  customerIds: readonly string[],
  asOf: DateTime,
): Promise<RenderedReminder[]> {
  const policies = await loadPolicies(config.policiesDir);
  const rules = await loadDunningRules(config.rulesFile);
  const catalog = createTemplateCatalog(config.templatesDir ? { overrideDir: config.templatesDir } : {});
  // The bench's worker has no PUBLIC_BASE_URL, so its reminders carry no one-click link either.
  const compose = { catalog, company: config.company, unsubscribeUrl: unsubscribeUrlBuilder(null, null) };
  const { rows } = await pool.query<{ id: string }>('select id::text from collection_cases where customer_id = any($1::uuid[])', [
    customerIds,
  ]);
  const reminders: RenderedReminder[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    const snapshots = await loadCaseSnapshots(
      pgSql(pool),
      rows.slice(i, i + 500).map((row) => row.id),
      asOf,
    );
    for (const snapshot of snapshots) {
      for (const action of decideCase({ policies, rules }, snapshot).actions) {
        if (!isMessage(action)) continue;
        const draft = composeMessage(snapshot, action, compose);
        if (!draft) continue;
        reminders.push({
          channel: draft.channel,
          to: draft.recipient,
          subject: draft.subject,
          text: draft.text,
          html: draft.html,
          idempotencyKey: action.idempotencyKey,
        });
      }
    }
  }
  return reminders;
}

const SENDER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'send-transports.ts');

/** Sends `job.messages` from a fresh process (`send-transports.ts`) and returns what it measured. */
export async function sendWithTransports(job: TransportsJob, scratchDir: string): Promise<TransportsResult> {
  const file = path.join(scratchDir, 'transports-job.json');
  await writeFile(file, JSON.stringify(job));
  const child = spawn(process.execPath, ['--import', 'tsx', SENDER, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`send-transports exited with ${code}: ${output}`);
  return JSON.parse(output.trim().split('\n').at(-1)!) as TransportsResult;
}
