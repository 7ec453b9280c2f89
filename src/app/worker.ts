import v8 from 'node:v8';
import type { CaseServices } from '../cases/case-services.js';
import type { Queues } from '../jobs/queues.js';
import { runWorkers, type WorkerOptions } from '../jobs/workers.js';
import type { Runtime } from './runtime.js';
import type { MailboxPoller } from '../replies/mailbox-poller.js';
import { buildDunningServices, caseServicesOn, openQueues, replyDependencies, type DunningServices } from './services.js';

/** A running worker process: what it was built from, for commands and tests that drive it. */
export interface WorkerProcess {
  services: DunningServices;
  cases: CaseServices;
  queues: Queues;
  /** The IMAP poller, when this process's role polls the mailbox and IMAP_URL is set. */
  poller: MailboxPoller | null;
}

/**
 * The composition root's last stage for a worker: the dunning and case services, the queues,
 * then a BullMQ worker per queue of its role (all by default; with `schedule`, the job schedulers of
 * those queues), all closed with the runtime. `services` replaces the dunning services built from config.
 */
export async function startWorker(runtime: Runtime, options: WorkerOptions & { services?: DunningServices }): Promise<WorkerProcess> {
  const services = options.services ?? (await buildDunningServices(runtime));
  const queues = openQueues(runtime);
  const cases = caseServicesOn(runtime, services, queues);
  const { redis, logger, lifecycle, clock, config } = runtime;
  const housekeeping = {
    db: runtime.db,
    webhookReceipts: { retentionDays: config.http.webhookReceiptRetentionDays, maxAgeSeconds: config.http.webhookMaxAgeSeconds },
  };
  await runWorkers({ ...services, redis, logger, lifecycle, clock, queues, cases, housekeeping, settings: config }, options);
  const poller = options.schedule && (options.mailbox ?? options.queues === undefined) ? await startMailbox(runtime) : null;
  return { services, cases, queues, poller };
}

/**
 * The IMAP mailbox poller onto the reply path, stopped with the runtime; null when IMAP_URL is
 * unset. Stopped before the database pools close (adopted after them), so the message in hand
 * is received and moved first.
 */
export async function startMailbox(runtime: Runtime, settings = runtime.config.imap): Promise<MailboxPoller | null> {
  if (!settings) return null;
  // Loaded here, not at the top: IMAP, MIME parsing and HTML sanitising are ~40 MB of resident
  // memory that a worker without a mailbox never needs.
  const [{ startMailboxPoller }, { receiveEmail }] = await Promise.all([
    import('../replies/mailbox-poller.js'),
    import('../replies/receive.js'),
  ]);
  const replies = await replyDependencies(runtime);
  const poller = startMailboxPoller({ settings, receive: (email) => receiveEmail(replies, email), logger: runtime.logger });
  return runtime.lifecycle.adopt('mailbox poller', poller, (p) => p.stop());
}

/**
 * Tightens V8's heap growth for a long-lived worker process (`WORKER_HEAP_GROWTH_PERCENT`). By
 * default V8 lets the old generation grow to up to four times what survived the last full
 * collection before collecting again; a worker's garbage is mostly messages that lived across a
 * few awaits, so its peak RSS was mostly garbage (see the README's Performance). Process-wide, so
 * only the `worker` command calls it, before anything is built.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
