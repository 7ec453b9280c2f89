import { describe, expect, it } from 'vitest';
import { Lifecycle } from '../../../src/app/lifecycle.js';
import { createLogger } from '../../../src/logging/logger.js';

const logger = createLogger({ level: 'silent', format: 'json', production: true });

describe('Lifecycle.close', () => {
  it('closes in reverse order and reports nothing left open', async () => {
    const closed: string[] = [];
    const lifecycle = new Lifecycle(logger);
    for (const name of ['stack', 'pool', 'queues']) lifecycle.adopt(name, name, async (n) => closed.push(n));
    expect(await lifecycle.close()).toEqual({ unclosed: [] });
    expect(closed).toEqual(['queues', 'pool', 'stack']);
  });

  it('past the grace, drops what hangs and what is left, still closes what cannot be dropped, and names them', async () => {
    const events: string[] = [];
    const never = () => new Promise<never>(() => undefined);
    const lifecycle = new Lifecycle(logger, { graceSeconds: 0.05 });
    lifecycle.adopt('stack', 'stack', async () => events.push('stack closed'));
    lifecycle.adopt('failing', 'failing', async () => {
      throw new Error('boom');
    });
    lifecycle.adopt('redis', 'redis', never, () => events.push('redis dropped'));
    lifecycle.adopt('step worker', 'worker', never, () => events.push('step worker dropped'));
    lifecycle.adopt('tick worker', 'worker', never, () => events.push('tick worker dropped'));
    const outcome = await lifecycle.close();
    expect(outcome.unclosed).toEqual(['tick worker', 'step worker', 'redis', 'failing']);
    expect(events).toEqual(['tick worker dropped', 'step worker dropped', 'redis dropped', 'stack closed']);
  });
});
