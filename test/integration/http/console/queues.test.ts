import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHeartbeat } from '../../../../src/jobs/heartbeat.js';
import { Queues } from '../../../../src/jobs/queues.js';
import { consoleSession } from '../../../support/console-session.js';
import { startTestHttpApp, type TestHttpApp } from '../../../support/http-app.js';

describe('the queues page: worker heartbeats and the no-worker banner', () => {
  let t: TestHttpApp;
  let queues: Queues;

  beforeAll(async () => {
    t = await startTestHttpApp();
    queues = new Queues(t.runtime.redis);
  });
  afterAll(async () => {
    await queues?.close();
    await t?.close();
  });

  it('warns when jobs wait and no worker has been seen, and lists each worker with its last heartbeat', async () => {
    const admin = await consoleSession(t.app, 'admin@example.com');
    const idle = await admin.get('/console/queues');
    expect(idle.statusCode).toBe(200);
    expect(idle.body).not.toContain('No worker is running');

    await queues.queue('tick').add('tick', {});
    const waiting = await admin.get('/console/queues');
    expect(waiting.body).toContain('<strong>No worker is running:</strong> 1 job(s) wait');
    expect(waiting.body).toContain('none has ever reported');

    const heartbeat = startHeartbeat(
      t.runtime.redis,
      ['deliver-email', 'deliver-sms'],
      () => new Date(),
      (error) => {
        throw error;
      },
    );
    try {
      await expect.poll(async () => (await admin.get('/console/queues')).body).toContain('deliver-email, deliver-sms');
      const seen = await admin.get('/console/queues');
      expect(seen.body).not.toContain('No worker is running');
    } finally {
      await heartbeat.stop();
    }
    const gone = await admin.get('/console/queues');
    expect(gone.body).toContain('No worker is running');
  });
});
