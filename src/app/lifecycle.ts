import type { Logger } from '../logging/logger.js';

/** SHUTDOWN_GRACE_SECONDS' default. */
export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 10;
/** How long each step may take once the grace has run out (forced, or a last plain close). */
const FORCED_STEP_MS = 3_000;

/** What a shutdown left open: the resources that did not close in time, or whose close failed. */
export interface ShutdownOutcome {
  unclosed: string[];
}

interface Closer {
  name: string;
  close: () => Promise<unknown>;
  force: (() => unknown) | undefined;
}

type Settled = { done: true; error?: unknown } | { done: false };

/**
 * Closes what a process opened, in reverse order of opening, each step logged and isolated so
 * one failing close does not leave the rest open.
 *
 * Bounded: a close that waits on a server that will not answer (a Redis refusing the password,
 * or gone) would otherwise wait for ever, and the process would ignore SIGTERM. The closes share
 * `graceSeconds` (SHUTDOWN_GRACE_SECONDS); the step still waiting when it runs out is forced (its
 * `force`: a socket dropped, not quit), and every later step gets a few seconds, forced where it
 * can be. Later steps still run, so the embedded Postgres and Redis are stopped either way.
 */
export class Lifecycle {
  private readonly closers: Closer[] = [];
  private readonly graceMs: number;

  constructor(
    private readonly logger: Logger,
    options: { graceSeconds?: number } = {},
  ) {
    this.graceMs = (options.graceSeconds ?? DEFAULT_SHUTDOWN_GRACE_SECONDS) * 1_000;
  }

  /**
   * Registers `close` to run at shutdown; returns `resource` for chaining. `force`, when given,
   * drops the resource's connections at once, for when `close` did not finish within the grace.
   */
  adopt<T>(name: string, resource: T, close: (resource: T) => Promise<unknown>, force?: (resource: T) => unknown): T {
    this.closers.push({ name, close: () => close(resource), force: force && (() => force(resource)) });
    return resource;
  }

  async close(): Promise<ShutdownOutcome> {
    const unclosed: string[] = [];
    const forced: string[] = [];
    let graceOver = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      graceTimer = setTimeout(() => {
        graceOver = true;
        resolve();
      }, this.graceMs);
    });
    try {
      for (const closer of this.closers.splice(0).reverse()) {
        if (!graceOver) {
          const outcome = await settle(closer.close(), grace);
          if (outcome.done) {
            this.report(closer.name, outcome, unclosed);
            continue;
          }
        } else if (!closer.force) {
          // Past the grace, what cannot be dropped (database pools, embedded servers) still gets a short close.
          const outcome = await within(closer.close(), FORCED_STEP_MS);
          if (outcome.done) this.report(closer.name, outcome, unclosed);
          else unclosed.push(closer.name);
          continue;
        }
        unclosed.push(closer.name);
        if (closer.force) {
          forced.push(closer.name);
          // Not awaited: dropping a socket is immediate, but BullMQ's disconnect also waits for a
          // connection that never came up.
          run(closer.force).catch(() => undefined);
        }
      }
    } finally {
      clearTimeout(graceTimer);
    }
    if (graceOver) {
      const seconds = this.graceMs / 1_000;
      this.logger.error(
        { unclosed, forced, graceSeconds: seconds },
        `shutdown: not closed within SHUTDOWN_GRACE_SECONDS (${seconds} s): ${unclosed.join(', ')}; dropping their connections`,
      );
    }
    return { unclosed };
  }

  private report(name: string, outcome: Settled & { done: true }, unclosed: string[]): void {
    if (!('error' in outcome)) {
      this.logger.debug({ resource: name }, 'closed');
      return;
    }
    unclosed.push(name);
    this.logger.error({ err: outcome.error, resource: name }, 'failed to close');
  }
}

/** Whether `step` settled before `limit` did (and its error, if it failed). */
async function settle(step: Promise<unknown>, limit: Promise<void>): Promise<Settled> {
  return Promise.race([
    step.then(
      (): Settled => ({ done: true }),
      (error: unknown): Settled => ({ done: true, error }),
    ),
    limit.then((): Settled => ({ done: false })),
  ]);
}

async function run(step: () => unknown): Promise<unknown> {
  return step();
}

/** {@link settle} with a limit of `ms` (a timer that holds the process open until then, so it cannot end mid-shutdown). */
async function within(step: Promise<unknown>, ms: number): Promise<Settled> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await settle(step, new Promise((resolve) => (timer = setTimeout(resolve, ms))));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `close` once on the first SIGTERM or SIGINT, then exits: 0 when everything closed, 1 when
 * something did not (the lifecycle has logged what). A second signal exits at once (an operator
 * pressing Ctrl-C twice means it).
 */
export function closeOnSignals(logger: Logger, close: () => Promise<ShutdownOutcome | void>): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(130);
    }
    closing = true;
    logger.info({ signal }, 'shutting down: finishing in-flight work');
    close().then(
      (outcome) => process.exit(outcome && outcome.unclosed.length > 0 ? 1 : 0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
