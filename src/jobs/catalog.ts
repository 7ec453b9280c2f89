import { UnrecoverableError, type JobsOptions } from 'bullmq';
import { z } from 'zod';

const instant = z.iso.datetime({ offset: true });

/** Retries for a delivery: exponential backoff with jitter, so a provider outage is ridden out. */
const deliveryOptions = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
  removeOnComplete: true,
  removeOnFail: 1_000,
} satisfies JobsOptions;

/**
 * Every job Arrears runs: its queue, its payload schema and its retry policy, in one place so
 * the code that enqueues a job and the processor that runs it cannot drift apart.
 */
export const jobCatalog = {
  /** Finds the cases due for a decision and the contacts that have no delivery job. */
  tick: {
    queue: 'tick',
    payload: z.object({
      /** Simulated instant for `arrears tick --as-of` and the demo; absent = the wall clock. */
      asOf: instant.optional(),
    }),
    options: { attempts: 1, removeOnComplete: 100, removeOnFail: 500 } satisfies JobsOptions,
  },
  /** Queues this period's statement of account for customers whose window is open (hourly). */
  statements: {
    queue: 'statements',
    payload: z.object({ asOf: instant.optional() }),
    options: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: 100,
      removeOnFail: 500,
    } satisfies JobsOptions,
  },
  /** Decides a batch of cases and records the decisions. */
  step: {
    queue: 'step',
    payload: z.object({ caseIds: z.array(z.uuid()).min(1), asOf: instant }),
    options: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
      removeOnComplete: true,
      removeOnFail: 1_000,
    } satisfies JobsOptions,
  },
  'deliver-email': {
    queue: 'deliver-email',
    payload: z.object({ contactId: z.uuid() }),
    options: deliveryOptions,
  },
  'deliver-sms': {
    queue: 'deliver-sms',
    payload: z.object({ contactId: z.uuid() }),
    options: deliveryOptions,
  },
  /** One round of a manager alert: email to each manager and the optional webhook. */
  'alert-deliver': {
    queue: 'alert-deliver',
    payload: z.object({ alertId: z.uuid(), round: z.number().int().min(0) }),
    options: deliveryOptions,
  },
  /** The daily digest of open alerts to each manager. */
  'alert-digest': {
    queue: 'alert-digest',
    payload: z.object({ asOf: instant.optional() }),
    options: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: 100,
      removeOnFail: 100,
    } satisfies JobsOptions,
  },
  /** The case lifecycle's sweep: pauses, promises, plans, paid credit holds, alert detection and re-raise. */
  'case-sweep': {
    queue: 'case-sweep',
    payload: z.object({ asOf: instant.optional() }),
    options: { attempts: 1, removeOnComplete: 100, removeOnFail: 500 } satisfies JobsOptions,
  },
  /** A credit hold placed or released, told to the ERP (signed webhook) and the sales contact. */
  'credit-hold-event': {
    queue: 'credit-hold-event',
    payload: z.object({ holdId: z.uuid(), event: z.enum(['placed', 'released']) }),
    options: deliveryOptions,
  },
  /** Hourly: deletes webhook receipts past their replay window and retention, and long-ended console sessions. */
  housekeeping: {
    queue: 'housekeeping',
    payload: z.object({ asOf: instant.optional() }),
    options: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: 100,
      removeOnFail: 100,
    } satisfies JobsOptions,
  },
} as const;

export type JobName = keyof typeof jobCatalog;

/** Every queue, in catalog order. */
export const ALL_QUEUES = Object.keys(jobCatalog) as JobName[];

/**
 * Reads a worker role's queues, `tick,step` or `deliver-email,deliver-sms`: comma-separated
 * catalog names, at least one. Throws naming each unknown name and the known ones.
 */
export function parseQueueNames(list: string): JobName[] {
  const names = [...new Set(list.split(',').map((name) => name.trim()))].filter((name) => name !== '');
  const unknown = names.filter((name) => !(name in jobCatalog));
  if (unknown.length > 0) {
    throw new Error(`unknown queue ${unknown.map((name) => `"${name}"`).join(', ')}; the queues are ${ALL_QUEUES.join(', ')}`);
  }
  if (names.length === 0) throw new Error(`name at least one queue: ${ALL_QUEUES.join(', ')}`);
  return names as JobName[];
}
/** Not a queue: the IMAP mailbox poller (IMAP_URL), which a worker role takes on by naming it. */
export const MAILBOX_ROLE = 'mailbox';

/** What one `arrears worker` process does: its queues, and whether it polls the mailbox. */
export interface WorkerRole {
  queues: JobName[];
  mailbox: boolean;
}

/**
 * Reads `--queues`: queue names as {@link parseQueueNames} reads them, plus `mailbox` for the
 * process that polls the IMAP mailbox (`--queues mailbox` alone: a process that only polls).
 */
export function parseWorkerRole(list: string): WorkerRole {
  const names = list.split(',').map((name) => name.trim());
  const mailbox = names.includes(MAILBOX_ROLE);
  const queues = names.filter((name) => name !== MAILBOX_ROLE && name !== '');
  return { queues: mailbox && queues.length === 0 ? [] : parseQueueNames(queues.join(',')), mailbox };
}

export type JobPayload<N extends JobName> = z.infer<(typeof jobCatalog)[N]['payload']>;

/**
 * Validates a payload against its schema. A bad payload is a bug, not an outage: it would fail
 * the same way on every attempt, so it throws BullMQ's `UnrecoverableError` (the job fails at
 * once, whatever its `attempts`), naming each bad field: `invalid step payload: caseIds.0: …`.
 */
export function parsePayload<N extends JobName>(name: N, data: unknown): JobPayload<N> {
  const result = jobCatalog[name].payload.safeParse(data);
  if (!result.success) throw new UnrecoverableError(`invalid ${name} payload: ${describeIssues(result.error.issues)}`);
  return result.data as JobPayload<N>;
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `${issue.path.map(String).join('.') || '(payload)'}: ${issue.message}`).join('; ');
}

/** BullMQ job ids may not contain `:`; idempotency keys never do, this keeps it so for others. */
export function jobId(...parts: Array<string | number>): string {
  return parts.join('-').replace(/:/g, '_');
}
