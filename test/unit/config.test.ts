import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, envSchema, loadConfig } from '../../src/config/config.js';

describe('loadConfig', () => {
  it('runs on defaults alone: embedded stack, data under ./data', () => {
    const config = loadConfig({}, '/srv/arrears');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redis).toBeUndefined();
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

  it('reads a Redis Cluster from REDIS_CLUSTER_NODES, with its credentials and TLS', () => {
    const config = loadConfig(
      {
        REDIS_CLUSTER_NODES: ' redis-1:6379, 10.0.0.2:7000,[::1]:7001 ',
        REDIS_PASSWORD: 'pw',
        REDIS_USERNAME: 'arrears',
        REDIS_TLS: 'true',
      },
      '/',
    );
    expect(config.redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'redis-1', port: 6379 },
        { host: '10.0.0.2', port: 7000 },
        { host: '::1', port: 7001 },
      ],
      username: 'arrears',
      password: 'pw',
      tls: true,
    });
    expect(loadConfig({ REDIS_URL: 'rediss://:pw@redis:6380' }, '/').redis).toEqual({ kind: 'server', url: 'rediss://:pw@redis:6380' });
  });

  it.each([
    [
      { REDIS_CLUSTER_NODES: 'redis-1:6379,redis-2' },
      'REDIS_CLUSTER_NODES: must be comma-separated host:port pairs such as redis-1:6379,redis-2:6379 (bad: "redis-2")',
    ],
    [{ REDIS_CLUSTER_NODES: 'redis://redis-1:6379' }, 'REDIS_CLUSTER_NODES: must be comma-separated host:port pairs'],
    [{ REDIS_CLUSTER_NODES: 'redis-1:70000,,' }, '(bad: "redis-1:70000", "", "")'],
    [{ REDIS_URL: 'redis://a:6379,b:6379' }, 'REDIS_URL: names one server; for a Redis Cluster set REDIS_CLUSTER_NODES'],
    [
      { REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'b:6379' },
      'REDIS_CLUSTER_NODES: set either REDIS_URL (one server) or REDIS_CLUSTER_NODES (a Redis Cluster), not both',
    ],
    [{ REDIS_URL: 'redis://a:6379', REDIS_PASSWORD: 'pw' }, 'REDIS_PASSWORD: applies to REDIS_CLUSTER_NODES only'],
    [{ REDIS_TLS: 'yes' }, 'REDIS_TLS: applies to REDIS_CLUSTER_NODES only'],
  ])('refuses a bad Redis setting, naming it: %j', (env, message) => {
    expect(() => loadConfig(env, '/')).toThrow(message);
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
