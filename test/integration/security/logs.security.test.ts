import { Writable } from 'node:stream';
import { DateTime } from 'luxon';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpDependencies } from '../../../src/app/http.js';
import { openRuntime, type Runtime } from '../../../src/app/runtime.js';
import { startWorker } from '../../../src/app/worker.js';
import { twilioSignature } from '../../../src/channels/sms/local-twilio-server.js';
import { loadConfig } from '../../../src/config/config.js';
import { buildHttpServer } from '../../../src/http/server.js';
import { signBounceReport } from '../../../src/http/webhooks/email-bounce.routes.js';
import { runTickAndWait } from '../../../src/jobs/run-tick.js';
import { createLogger } from '../../../src/logging/logger.js';
import { parseScopes } from '../../../src/users/scopes.js';
import { addUser, createApiToken } from '../../../src/users/user.service.js';
import { testEnvironment } from '../../support/arrears.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import { FAKE_TWILIO_CREDENTIALS, startFakeTwilio, type LocalTwilioServer } from '../../support/fake-twilio.js';
import { SmtpSink } from '../../support/smtp-sink.js';
import { importCsv } from '../ingest/import-helpers.js';

// One run at debug level with every log line captured: import customers with emails and phones,
// send their reminders through the real pipeline, post webhooks whose bodies carry numbers and
// addresses, sign in, call the API. No address, number, token, cookie, password or message body
// may appear in what was logged.

const BASE = 'https://arrears.example.test';
const PASSWORD = 'log-test-password-Zebra-42';
const BOUNCE_SECRET = 'bounce-secret-0123456789abcdef';
const PHONES = ['+40721555101', '+40721555102'];
const IMPORTED_AT = new Date('2026-03-09T08:00:00Z');

describe('no personal data or secrets in logs', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let twilio: LocalTwilioServer;
  let runtime: Runtime;
  let pool: pg.Pool;
  let logs = '';
  const secrets: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    sink = await SmtpSink.start();
    twilio = await startFakeTwilio();
    const env = testEnvironment(database.url, sink, twilio, {
      LOG_LEVEL: 'debug',
      PUBLIC_BASE_URL: BASE,
      UNSUBSCRIBE_SECRET: 'unsubscribe-secret-'.padEnd(40, 'u'),
      EMAIL_WEBHOOK_SECRET: BOUNCE_SECRET,
      SESSION_SECRET: 'session-secret-for-log-tests-'.padEnd(40, 's'),
    });
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs += chunk.toString('utf8');
        done();
      },
    });
    runtime = await openRuntime(
      loadConfig(env, process.cwd()),
      createLogger({ level: 'debug', format: 'json', production: true }, capture),
    );
    const { queues } = await startWorker(runtime, { schedule: false });
    pool = new pg.Pool({ connectionString: database.url, max: 2 });

    await importCsv(
      { pool, prisma: runtime.prisma },
      'customers',
      `external_id,name,email,phone,timezone,locale,currency,credit_limit,sms_consent,policy
LOG-1,Ana Popescu SRL,ana.popescu@client.example,${PHONES[0]},Europe/Bucharest,ro-RO,RON,,yes,default
LOG-2,Ion Ionescu PFA,ion.ionescu@client.example,0721 555 102,Europe/Bucharest,ro-RO,RON,,yes,default
`,
      { now: IMPORTED_AT },
    );
    await importCsv(
      { pool, prisma: runtime.prisma },
      'invoices',
      `external_id,customer_external_id,number,currency,amount,balance,issued_on,due_on
L-1,LOG-1,F-100,RON,500.00,,2026-02-01,2026-03-01
L-2,LOG-2,F-200,RON,700.00,,2026-02-01,2026-03-01
`,
      { now: IMPORTED_AT },
    );
    // Day 8 after the due date: the overdue-7 step sends an email and an SMS to each.
    await runTickAndWait(queues, DateTime.fromISO('2026-03-09T09:00:00Z', { setZone: true }));
    // Deliveries finish on their own workers: wait for the four sends (two emails, two SMS).
    for (let i = 0; i < 100; i += 1) {
      const sent = await runtime.prisma.contact.count({ where: { direction: 'outbound', providerMessageId: { not: null } } });
      if (sent >= 4) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const app = await buildHttpServer(await httpDependencies(runtime));
    runtime.lifecycle.adopt('http', app, (a) => a.close());
    await addUser(runtime, { email: 'manager.person@staff.example', name: 'Maria Manager', role: 'manager', password: PASSWORD }, 'test');
    const { token } = await createApiToken(runtime, {
      userEmail: 'manager.person@staff.example',
      name: 'erp',
      scopes: parseScopes('all').scopes,
    });
    secrets.push(token, PASSWORD);

    // Sign in (and fail once), then use the API with the token.
    const login = await app.inject({ method: 'GET', url: '/console/login' });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(login.body)?.[1] ?? '';
    const form = (password: string) => new URLSearchParams({ _csrf: csrf, email: 'manager.person@staff.example', password }).toString();
    const headers = { cookie, 'content-type': 'application/x-www-form-urlencoded' };
    await app.inject({ method: 'POST', url: '/console/login', headers, payload: form('wrong-password-Kiwi-7') });
    const signedIn = await app.inject({ method: 'POST', url: '/console/login', headers, payload: form(PASSWORD) });
    expect(signedIn.statusCode).toBe(303);
    const session = String(signedIn.headers['set-cookie']).split(';')[0]!.split('=')[1]!;
    secrets.push(session, csrf, 'wrong-password-Kiwi-7');
    const page = await app.inject({ method: 'GET', url: '/console/customers/LOG-1', headers: { cookie: `arrears_session=${session}` } });
    expect(page.statusCode).toBe(200);
    const api = await app.inject({
      method: 'POST',
      url: '/api/v1/contact-points',
      headers: { authorization: `Bearer ${token}` },
      payload: {
        items: [
          { customer_external_id: 'LOG-1', kind: 'email', value: 'accounts.payable@client.example' },
          { customer_external_id: 'LOG-2', kind: 'phone', value: '+40721555199' },
        ],
      },
    });
    expect(api.statusCode, api.body).toBe(200);
    await app.inject({ method: 'GET', url: '/api/v1/contact-log?customer=LOG-1', headers: { authorization: `Bearer ${token}` } });
    await app.inject({ method: 'GET', url: '/api/v1/cases', headers: { authorization: `Bearer ${token}x` } });

    // Webhooks whose bodies carry numbers and addresses.
    const post = (path: string, params: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: path,
        payload: new URLSearchParams(params).toString(),
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature(FAKE_TWILIO_CREDENTIALS.authToken, `${BASE}${path}`, params),
        },
      });
    const inbound = await post('/webhooks/twilio/inbound', {
      From: PHONES[0]!,
      To: '+15005550006',
      Body: 'Please call me at +40 721 555 777 or write to cfo@client.example',
      MessageSid: 'SMlog1',
    });
    expect(inbound.statusCode).toBe(200);
    await post('/webhooks/twilio/inbound', { From: PHONES[1]!, To: '+15005550006', Body: 'STOP', MessageSid: 'SMlog2' });
    const sms = await runtime.prisma.contact.findFirst({ where: { channel: 'sms', providerMessageId: { not: null } } });
    await post('/webhooks/twilio/status', {
      MessageSid: sms?.providerMessageId ?? 'SMnone',
      MessageStatus: 'undelivered',
      ErrorCode: '30005',
      To: PHONES[0]!,
    });
    const email = await runtime.prisma.contact.findFirst({ where: { channel: 'email', providerMessageId: { not: null } } });
    const bounce = JSON.stringify({
      messageId: email?.providerMessageId ?? '<none>',
      recipient: 'ana.popescu@client.example',
      kind: 'hard',
      reason: '550 5.1.1 ana.popescu@client.example unknown',
    });
    await app.inject({
      method: 'POST',
      url: '/webhooks/email/bounce',
      payload: bounce,
      headers: { 'content-type': 'application/json', ...signBounceReport(BOUNCE_SECRET, bounce) },
    });
    await app.inject({
      method: 'POST',
      url: '/webhooks/email/bounce',
      payload: bounce,
      headers: { 'content-type': 'application/json', ...signBounceReport(BOUNCE_SECRET, bounce), 'x-arrears-signature': 'sha256=00' },
    });
  });

  afterAll(async () => {
    await pool?.end();
    await runtime?.lifecycle.close();
    await sink?.close();
    await twilio?.close();
    await database?.drop();
  });

  it('captured a real run', async () => {
    const sent = await runtime.prisma.contact.count({
      where: { status: { in: ['sent', 'delivered', 'bounced', 'undelivered'] }, direction: 'outbound' },
    });
    expect(sent).toBeGreaterThanOrEqual(4);
    expect(logs.split('\n').length).toBeGreaterThan(15);
    for (const message of ['twilio inbound sms', 'twilio status callback', 'email bounce', 'signed in', 'rejected a bounce report'])
      expect(logs).toContain(message);
  });

  it('holds no email address, phone number, token, cookie, password or message body', async () => {
    expect(logs).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/);
    for (const phone of [...PHONES, '+40721555199', '+40 721 555 777', '0721 555 102', '721555', '721 555'])
      expect(logs).not.toContain(phone);
    expect(logs).not.toMatch(/\+\d{8,}/);
    for (const secret of secrets) expect(logs, 'a secret').not.toContain(secret);
    expect(logs).not.toContain(FAKE_TWILIO_CREDENTIALS.authToken);
    expect(logs).not.toContain(BOUNCE_SECRET);
    expect(logs).not.toMatch(/arr_[A-Za-z0-9_-]{20,}/);
    const contacts = await runtime.prisma.contact.findMany({ select: { subject: true, bodyText: true } });
    expect(contacts.length).toBeGreaterThanOrEqual(4);
    for (const { subject, bodyText } of contacts) {
      if (subject) expect(logs, 'a subject').not.toContain(subject);
      for (const line of (bodyText ?? '')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.length >= 25))
        expect(logs, 'a message body').not.toContain(line);
    }
    expect(logs).not.toContain('Please call me');
    expect(logs).not.toContain('Ana Popescu');
  });
});
