import { DateTime } from 'luxon';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/core/clock.js';
import { signBounceReport } from '../../../src/http/webhooks/email-bounce.routes.js';
import { createHousekeepingProcessor } from '../../../src/jobs/housekeeping.job.js';
import { createLogger } from '../../../src/logging/logger.js';
import { startTestHttpApp, type TestHttpApp } from '../../support/http-app.js';
import { seedLedger } from '../../support/ledger.js';
import { databaseFingerprint } from './db-snapshot.js';

// webhook_receipts are pruned by the hourly housekeeping job, but replay protection must hold:
// a receipt goes only once its request could no longer be taken. The window here is the widest
// (WEBHOOK_MAX_AGE_SECONDS one day, either way) and the retention the shortest (one day), so a
// request signed 23 h ahead is still fresh 40 h after it was received — past the retention —
// and its receipt must still be there.
const SECRET = 'bounce-secret-for-pruning-tests-0123456789';
const MESSAGE_ID = '<prune01@ar.example.com>';
const T0 = DateTime.fromISO('2026-03-02T10:00:00Z', { zone: 'utc' });

describe('pruning webhook receipts', () => {
  let t: TestHttpApp;
  let pool: pg.Pool;
  const clock: Clock & { at: DateTime } = {
    at: T0,
    now() {
      return this.at;
    },
  };

  const housekeeping = () =>
    createHousekeepingProcessor({
      db: t.runtime.db,
      clock,
      logger: createLogger({ level: 'silent', format: 'json', production: true }),
      webhookReceipts: {
        retentionDays: t.runtime.config.http.webhookReceiptRetentionDays,
        maxAgeSeconds: t.runtime.config.http.webhookMaxAgeSeconds,
      },
    })({ data: {} });

  const receipts = async () =>
    (await pool.query<{ key: string }>(`select source || ' ' || receipt_key as key from webhook_receipts order by 1`)).rows.map(
      (r) => r.key,
    );

  beforeAll(async () => {
    t = await startTestHttpApp(
      {
        EMAIL_WEBHOOK_SECRET: SECRET,
        WEBHOOK_MAX_AGE_SECONDS: '86400',
        WEBHOOK_RECEIPT_RETENTION_DAYS: '1',
      },
      { clock },
    );
    pool = new pg.Pool({ connectionString: t.database.url, max: 2 });
    const ids = await seedLedger(t.runtime.prisma, [
      {
        externalId: 'PRUNE-1',
        email: 'prune@example.ro',
        invoices: [{ number: 'P-1', amountMinor: 100_00, issuedOn: '2026-01-01', dueOn: '2026-01-31' }],
      },
    ]);
    await t.runtime.prisma.contact.create({
      data: {
        customerId: ids.get('PRUNE-1')!,
        status: 'sent',
        sentAt: T0.toJSDate(),
        channel: 'email',
        recipient: 'prune@example.ro',
        providerName: 'smtp',
        providerMessageId: MESSAGE_ID,
        idempotencyKey: 'prune:email',
      },
    });
    // Receipts from long ago: a bounce report's and an inbound SMS's.
    await pool.query(
      `insert into webhook_receipts (source, receipt_key, received_at)
       values ('email-bounce', 'nonce:ancient-nonce-000000', $1), ('twilio-inbound', 'SMancient0001', $2)`,
      [T0.minus({ days: 10 }).toJSDate(), T0.minus({ days: 3 }).toJSDate()],
    );
  });

  afterAll(async () => {
    await pool?.end();
    await t?.close();
  });

  it('keeps a receipt while its request is fresh enough to be taken, and drops it after', async () => {
    const payload = JSON.stringify({ messageId: MESSAGE_ID, recipient: 'prune@example.ro', kind: 'soft', reason: 'mailbox full' });
    // Signed 23 h ahead of the server's clock: inside the window, either way.
    const headers = { 'content-type': 'application/json', ...signBounceReport(SECRET, payload, { at: T0.plus({ hours: 23 }).toJSDate() }) };
    const send = () => t.app.inject({ method: 'POST', url: '/webhooks/email/bounce', headers, payload });

    expect((await send()).json()).toEqual({ matched: true, addressesMarked: 0 });
    const fresh = (await receipts()).filter((key) => !key.includes('ancient'));
    expect(fresh).toHaveLength(2);

    // 40 h on: past the one-day retention, but the request (timestamp T0 + 23 h) is still fresh.
    clock.at = T0.plus({ hours: 40 });
    expect(await housekeeping()).toMatchObject({ webhookReceiptsPruned: 2 });
    expect(await receipts()).toEqual(fresh);
    const before = await databaseFingerprint(pool);
    const replay = await send();
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual({ replay: true });
    expect(await databaseFingerprint(pool)).toEqual(before);

    // Past twice the window and the margin the request is long stale: its receipt goes, and the
    // freshness check refuses the replay.
    clock.at = T0.plus({ hours: 50 });
    expect((await send()).statusCode).toBe(403);
    expect(await housekeeping()).toMatchObject({ webhookReceiptsPruned: 2 });
    expect(await receipts()).toEqual([]);
    const stale = await send();
    expect(stale.statusCode).toBe(403);
    expect(stale.json().error).toMatch(/^stale request/);
  });
});
