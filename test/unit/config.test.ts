import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, envSchema, loadConfig } from '../../src/config/config.js';

describe('loadConfig', () => {
  it('runs on defaults alone: embedded stack, data under ./data', () => {
    const config = loadConfig({}, '/srv/arrears');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.dataDir).toBe('/srv/arrears/data');
    expect(config.queue).toEqual({
      prefix: '{arrears}',
      tickCron: '*/5 * * * *',
      tickTimeZone: 'UTC',
      statementsCron: '0 * * * *',
      staleSendingMs: 300_000,
    });
  });

  it('treats an empty URL as unset, as .env files write it', () => {
    expect(loadConfig({ DATABASE_URL: '', REDIS_URL: ' ' }, '/').databaseUrl).toBeUndefined();
  });

  it('names every bad variable at once', () => {
    const attempt = () =>
      loadConfig({ DATABASE_URL: 'mysql://x', TICK_TZ: 'Mars/Olympus', QUEUE_PREFIX: 'arrears', LOG_LEVEL: 'loud' }, '/');
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of ['DATABASE_URL', 'TICK_TZ', 'QUEUE_PREFIX', 'LOG_LEVEL']) {
        expect(problems).toContain(`${name}:`);
      }
    }
  });
});

describe('documentation of the environment', () => {
  const variables = Object.keys(envSchema.shape).sort();

  it('.env.example lists exactly the variables the schema reads', () => {
    const listed = readFileSync('.env.example', 'utf8')
      .split('\n')
      .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined)
      .sort();
    expect(listed).toEqual(variables);
  });

  it('the README configuration table lists exactly the same variables', () => {
    const readme = readFileSync('README.md', 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'));
    const listed = [...table.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(variables);
  });
});
