import { DateTime } from 'luxon';
import { inject } from 'vitest';
import { openRuntime, type Runtime } from '../../src/app/runtime.js';
import { buildDunningServices, type DunningServices } from '../../src/app/services.js';
import { loadConfig } from '../../src/config/config.js';
import type { Queues } from '../../src/jobs/queues.js';
import { runTickAndWait } from '../../src/jobs/run-tick.js';
import { startWorkers } from '../../src/jobs/workers.js';
import { createLogger } from '../../src/logging/logger.js';
import { testQueuePrefix } from './databases.js';
import { FAKE_TWILIO_CREDENTIALS, type LocalTwilioServer } from './fake-twilio.js';
import type { SmtpSink } from './smtp-sink.js';

/** An in-process Arrears (workers, no scheduler) wired to a test database, Redis, SMTP sink and fake Twilio. */
export interface TestArrears {
  runtime: Runtime;
  services: DunningServices;
  queues: Queues;
  tick(asOf: string): Promise<void>;
  close(): Promise<void>;
}

export function testEnvironment(databaseUrl: string, sink: SmtpSink, twilio: LocalTwilioServer, extra: Record<string, string> = {}) {
  const smtp = sink.settings();
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: testQueuePrefix(),
    LOG_LEVEL: 'silent',
    EMAIL_TRANSPORT: 'smtp',
    SMTP_HOST: smtp.host,
    SMTP_PORT: String(smtp.port),
    SMS_TRANSPORT: 'twilio',
    TWILIO_ACCOUNT_SID: FAKE_TWILIO_CREDENTIALS.accountSid,
    TWILIO_AUTH_TOKEN: FAKE_TWILIO_CREDENTIALS.authToken,
    TWILIO_FROM: '+15005550006',
    TWILIO_API_BASE_URL: twilio.baseUrl,
    ...extra,
  };
}

export async function startTestArrears(env: Record<string, string>): Promise<TestArrears> {
  const config = loadConfig(env, process.cwd());
  const logger = createLogger({ level: env.LOG_LEVEL ?? 'silent', format: 'json', production: true });
  const runtime = await openRuntime(config, logger);
  const services = await buildDunningServices(runtime);
  const queues = await startWorkers(runtime, services, { schedule: false });
  return {
    runtime,
    services,
    queues,
    tick: (asOf) => runTickAndWait(queues, DateTime.fromISO(asOf, { setZone: true })),
    close: () => runtime.lifecycle.close(),
  };
}
