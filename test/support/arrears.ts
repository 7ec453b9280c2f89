import { DateTime } from 'luxon';
import { inject } from 'vitest';
import { openRuntime, type Runtime } from '../../src/app/runtime.js';
import type { DunningServices } from '../../src/app/services.js';
import { startWorker } from '../../src/app/worker.js';
import { loadConfig } from '../../src/config/config.js';
import type { Queues } from '../../src/jobs/queues.js';
import type { WorkerOptions } from '../../src/jobs/workers.js';
import { runTickAndWait } from '../../src/jobs/run-tick.js';
import type { MailboxPoller } from '../../src/replies/mailbox-poller.js';
import { createLogger } from '../../src/logging/logger.js';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from './databases.js';
import { FAKE_TWILIO_CREDENTIALS, startFakeTwilio, type LocalTwilioServer } from './fake-twilio.js';
import { SmtpSink } from './smtp-sink.js';

/** An in-process Arrears (workers, no scheduler) wired to a test database, Redis, SMTP sink and fake Twilio. */
export interface TestArrears {
  runtime: Runtime;
  services: DunningServices;
  queues: Queues;
  /** The IMAP poller, when the role polls the mailbox and IMAP_URL is set. */
  poller: MailboxPoller | null;
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

/** `options`: the role's queues (default all) and whether it registers its job schedulers (default not). */
export async function startTestArrears(env: Record<string, string>, options: WorkerOptions = { schedule: false }): Promise<TestArrears> {
  const config = loadConfig(env, process.cwd());
  const logger = createLogger({ level: env.LOG_LEVEL ?? 'silent', format: 'json', production: true });
  const runtime = await openRuntime(config, logger);
  const { services, queues, poller } = await startWorker(runtime, options);
  return {
    runtime,
    services,
    queues,
    poller,
    tick: (asOf) => runTickAndWait(queues, DateTime.fromISO(asOf, { setZone: true })),
    close: async () => {
      await runtime.lifecycle.close();
    },
  };
}

/** A fresh database, an SMTP sink, a fake Twilio endpoint and an in-process Arrears wired to them. */
export interface TestPipeline {
  database: TestDatabase;
  sink: SmtpSink;
  twilio: LocalTwilioServer;
  arrears: TestArrears;
}

/** Starts a {@link TestPipeline}; `extra` adds to (or overrides) its environment. */
export async function startTestPipeline(extra: Record<string, string> = {}): Promise<TestPipeline> {
  const database = await createTestDatabase();
  const sink = await SmtpSink.start();
  const twilio = await startFakeTwilio();
  const arrears = await startTestArrears(testEnvironment(database.url, sink, twilio, extra));
  return { database, sink, twilio, arrears };
}

/** Closes what a {@link TestPipeline} started, Arrears first; parts that never started are skipped. */
export async function closeTestPipeline(parts: Partial<TestPipeline>): Promise<void> {
  await parts.arrears?.close();
  await parts.sink?.close();
  await parts.twilio?.close();
  await parts.database?.drop();
}
