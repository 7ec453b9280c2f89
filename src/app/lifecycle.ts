import type { Logger } from '../logging/logger.js';

/**
 * Closes what a process opened, in reverse order of opening, each step logged and isolated so
 * one failing close does not leave the rest open.
 */
export class Lifecycle {
  private readonly closers: Array<{ name: string; close: () => Promise<unknown> }> = [];

  constructor(private readonly logger: Logger) {}

  /** Registers `close` to run at shutdown; returns `resource` for chaining. */
  adopt<T>(name: string, resource: T, close: (resource: T) => Promise<unknown>): T {
    this.closers.push({ name, close: () => close(resource) });
    return resource;
  }

  async close(): Promise<void> {
    for (const { name, close } of this.closers.splice(0).reverse()) {
      try {
        await close();
        this.logger.debug({ resource: name }, 'closed');
      } catch (error) {
        this.logger.error({ err: error, resource: name }, 'failed to close');
      }
    }
  }
}

/**
 * Runs `close` once on the first SIGTERM or SIGINT, then exits; a second signal exits at once
 * (an operator pressing Ctrl-C twice means it).
 */
export function closeOnSignals(logger: Logger, close: () => Promise<void>): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(130);
    }
    closing = true;
    logger.info({ signal }, 'shutting down: finishing in-flight work');
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
