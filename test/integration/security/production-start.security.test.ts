import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KNOWN_PLACEHOLDERS } from '../../../src/config/production-checks.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import { startCli, type CliProcess } from '../../support/processes.js';

// Finding 1: `arrears serve` in production accepted the compose file's example
// UNSUBSCRIBE_SECRET, so anyone who had read the compose file could forge unsubscribe links. Now
// `serve` and `worker` stop at once, exit non-zero, and name the setting (never its value).
const COMPOSE_EXAMPLE_SECRET = 'change-me-to-a-long-random-string-of-32-chars-or-more';
const FRESH = 'f'.repeat(8) + '3a9c0d6e1b7f2a8c4d0e5f1a6b2c7d3e8f4a9b0c5d1e6f2a7b3c8d4e9f0a';

/** The process's exit, or a failure when it starts serving instead. */
async function refusedStart(cli: CliProcess): Promise<{ code: number | null; output: string }> {
  const started = cli.waitFor(/serving webhooks|worker started/, 120_000).then(
    () => 'started' as const,
    () => 'ended' as const,
  );
  const outcome = await Promise.race([cli.exit.then(() => 'ended' as const), started]);
  if (outcome === 'started') {
    cli.child.kill('SIGTERM');
    await cli.exit;
    throw new Error(`started with a placeholder secret:\n${cli.output()}`);
  }
  return { code: (await cli.exit).code, output: cli.output() };
}

describe('production start checks', () => {
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    env = {
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      REDIS_URL: inject('redisUrl'),
      HTTP_PORT: '0',
      SESSION_SECRET: FRESH,
    };
  });
  afterAll(async () => database?.drop());

  it('the example secret is still what an old compose file carries', () => {
    // The value the compose file shipped before issue 18 stays refused.
    expect(KNOWN_PLACEHOLDERS).toContain(COMPOSE_EXAMPLE_SECRET);
  });

  it.each([['serve'], ['worker']])('`arrears %s` exits non-zero naming UNSUBSCRIBE_SECRET', async (command) => {
    const { code, output } = await refusedStart(startCli([command], { ...env, UNSUBSCRIBE_SECRET: COMPOSE_EXAMPLE_SECRET }));
    expect(code).not.toBe(0);
    expect(output).toContain('UNSUBSCRIBE_SECRET');
    expect(output).not.toContain(COMPOSE_EXAMPLE_SECRET);
  });

  it('`arrears serve` exits naming a short EMAIL_WEBHOOK_SECRET', async () => {
    const { code, output } = await refusedStart(
      startCli(['serve'], { ...env, UNSUBSCRIBE_SECRET: FRESH, EMAIL_WEBHOOK_SECRET: 'k7Qp2Zr9vX4mB8nL1tY6' }),
    );
    expect(code).not.toBe(0);
    expect(output).toContain('EMAIL_WEBHOOK_SECRET: must be at least 32 characters');
  });
});
