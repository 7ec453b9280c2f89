// Two worker processes on separate roles, as on two machines: `arrears worker --queues tick,step`
// decides, `arrears worker --queues deliver-email,deliver-sms` delivers. Runs one reminder set to
// completion and compares the contact log with what the SMTP sink and the Twilio endpoint received.
import type { DateTime } from 'luxon';
import type pg from 'pg';
import type { LocalTwilioServer } from '../../src/channels/sms/local-twilio-server.js';
import { jobCatalog, jobId } from '../../src/jobs/catalog.js';
import { waitUntilIdle } from '../../src/jobs/drain.js';
import type { Queues } from '../../src/jobs/queues.js';
import { makeDue, type GeneratedSet } from './ledger.js';
import { startArrears, stopArrears, type ArrearsProcess } from './processes.js';
import type { RecordingSmtpSink } from './recording-smtp-sink.js';

export const ROLES = { decisions: 'tick,step', deliveries: 'deliver-email,deliver-sms' } as const;

export interface RolesRun {
  seconds: number;
  reminders: number;
  perSecond: number;
  /** Contacts the decisions recorded for the set (email + SMS). */
  contacts: number;
  /** Contacts missing, not `sent`, or `sent` but never received. */
  lost: number;
  /** Messages received more than once for one contact (by X-Arrears-Contact / provider id), or received for no contact. */
  duplicated: number;
}

export interface RolesContext {
  pool: pg.Pool;
  sink: RecordingSmtpSink;
  twilio: LocalTwilioServer;
  /** The workers' queues (same Redis and prefix as `env`). */
  queues: Queues;
  env: Record<string, string>;
  /** Where started processes are recorded, so the bench stops them if it fails midway. */
  processes: ArrearsProcess[];
}

export async function runSplitRoles(context: RolesContext, set: GeneratedSet, asOf: DateTime): Promise<RolesRun> {
  const { pool, sink, twilio, queues, env } = context;
  await makeDue(pool, set.customerIds, asOf.toJSDate());
  const procs = [startArrears(['worker', '--queues', ROLES.decisions], env), startArrears(['worker', '--queues', ROLES.deliveries], env)];
  context.processes.push(...procs);
  await Promise.all(procs.map((p) => p.waitFor(/worker started/, 90_000)));
  const before = { email: sink.messages.length, sms: twilio.messages.length };
  const t0 = performance.now();
  const tick = await queues
    .queue('tick')
    .add('tick', { asOf: asOf.toISO()! }, { ...jobCatalog.tick.options, jobId: jobId('bench-roles-tick', asOf.toMillis()) });
  for (let state = ''; state !== 'completed'; state = await tick.getState()) {
    if (state === 'failed') throw new Error(`tick failed: ${(await queues.queue('tick').getJob(tick.id!))?.failedReason}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const pipeline = (['step', 'deliver-email', 'deliver-sms'] as const).map((name) => queues.queue(name));
  await waitUntilIdle(pipeline, pipeline);
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(procs.map((p) => stopArrears(p)));

  const emails = sink.messages.slice(before.email);
  const sms = twilio.messages.slice(before.sms);
  const { rows } = await pool.query<{ id: string; channel: string; status: string; provider_message_id: string | null }>(
    `select id, channel::text, status::text, provider_message_id from contacts where customer_id = any($1::uuid[])`,
    [set.customerIds],
  );
  const received = new Map<string, number>();
  for (const email of emails) received.set(`email:${email.contactId}`, (received.get(`email:${email.contactId}`) ?? 0) + 1);
  for (const message of sms) received.set(`sms:${message.sid}`, (received.get(`sms:${message.sid}`) ?? 0) + 1);
  // A case never decided has no contacts at all: count what the set should have produced.
  let lost = Math.max(0, set.customerIds.length + set.smsCustomerIds.size - rows.length);
  let matched = 0;
  for (const contact of rows) {
    const key = contact.channel === 'email' ? `email:${contact.id}` : `sms:${contact.provider_message_id}`;
    const times = received.get(key) ?? 0;
    if (contact.status !== 'sent' || times === 0) lost += 1;
    matched += Math.min(times, 1);
  }
  // Every message received beyond one per contact is a duplicate (an SMS sent twice gets a second sid
  // that no contact records, so it counts here too).
  const duplicated = emails.length + sms.length - matched;
  const reminders = emails.length + sms.length;
  return { seconds, reminders, perSecond: reminders / seconds, contacts: rows.length, lost, duplicated };
}
