import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { httpDependencies } from '../../src/app/http.js';
import { openRuntime, type Runtime } from '../../src/app/runtime.js';
import { openCaseServices } from '../../src/app/services.js';
import type { Clock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/config/config.js';
import { buildHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/logging/logger.js';
import { parseScopes } from '../../src/users/scopes.js';
import { addUser, createApiToken } from '../../src/users/user.service.js';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from './databases.js';

export const PASSWORD = 'correct horse battery staple';

/** `arrears serve` (console, API with the case actions, probes) on a fresh test database, not listening: use `app.inject`. */
export interface TestHttpApp {
  database: TestDatabase;
  runtime: Runtime;
  app: FastifyInstance;
  /** A user per role (email `<role>@example.com`, password PASSWORD), created at start. */
  users: Record<'collector' | 'manager' | 'admin', { id: string; email: string }>;
  token(role: 'collector' | 'manager' | 'admin', scopes?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTestHttpApp(extraEnv: Record<string, string> = {}, options: { clock?: Clock } = {}): Promise<TestHttpApp> {
  const database = await createTestDatabase();
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: testQueuePrefix(),
    LOG_LEVEL: 'silent',
    SESSION_SECRET: 'session-secret-for-tests-'.padEnd(40, 'x'),
    TICK_TZ: 'Europe/Bucharest',
    ...extraEnv,
  };
  const config = loadConfig(env, process.cwd());
  const runtime = await openRuntime(config, createLogger({ level: 'silent', format: 'json', production: true }), {
    ...(options.clock ? { clock: options.clock } : {}),
  });
  // As `arrears serve` composes it: the case services hand their jobs to the (test-prefixed) queues.
  const cases = await openCaseServices(runtime);
  const app = await buildHttpServer(await httpDependencies(runtime, { cases: cases.cases }));
  const users = {} as TestHttpApp['users'];
  for (const role of ['collector', 'manager', 'admin'] as const) {
    const { user } = await addUser(runtime, { email: `${role}@example.com`, name: `Ana ${role}`, role, password: PASSWORD }, 'test');
    users[role] = { id: user.id, email: user.email };
  }
  return {
    database,
    runtime,
    app,
    users,
    token: async (role, scopes = 'all') =>
      (await createApiToken(runtime, { userEmail: `${role}@example.com`, name: 'test', scopes: parseScopes(scopes).scopes })).token,
    close: async () => {
      await app.close();
      await runtime.lifecycle.close();
      await database.drop();
    },
  };
}
