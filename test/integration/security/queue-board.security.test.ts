import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queues } from '../../../src/jobs/queues.js';
import { PASSWORD, startTestHttpApp, type TestHttpApp } from '../../support/http-app.js';
import { signInAs, type Jar } from './console-client.js';

// Finding 5: the queue board (bull-board under /console/queues/board) takes no state-changing
// request that did not come from this site's own pages — a form posted from a sibling site
// carries the SameSite=Lax cookie, but not a same-origin Sec-Fetch-Site or Origin — and is
// read-only below the admin role.

const BOARD = '/console/queues/board';
const ADD = `${BOARD}/api/queues/tick/add`;

describe('the queue board', () => {
  let t: TestHttpApp;
  const jars: Record<string, Jar> = {};
  let queues: Queues;

  beforeAll(async () => {
    t = await startTestHttpApp({ PUBLIC_BASE_URL: 'https://arrears.example.test' });
    queues = new Queues(t.runtime.redis);
    for (const role of ['collector', 'manager', 'admin'] as const)
      jars[role] = (await signInAs(t.app, `${role}@example.com`, PASSWORD)).jar;
  });
  afterAll(async () => {
    await queues?.close();
    await t?.close();
  });

  const waiting = async () => (await queues.queue('tick').getJobCounts('waiting', 'delayed', 'prioritized')) as Record<string, number>;
  const total = async () => Object.values(await waiting()).reduce((a, b) => a + b, 0);
  const post = (role: string, headers: Record<string, string>, form = true) =>
    t.app.inject({
      method: 'POST',
      url: ADD,
      headers: {
        cookie: jars[role]!.header(),
        'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
        ...headers,
      },
      payload: form ? 'name=forged&data=%7B%7D' : JSON.stringify({ name: 'forged', data: {} }),
    });

  it('refuses a cross-site form post (same-site sibling origin, or no origin at all) from a signed-in admin; no job is added', async () => {
    const before = await total();
    for (const headers of <Array<Record<string, string>>>[
      { origin: 'https://evil.example.test', 'sec-fetch-site': 'same-site' },
      { origin: 'https://evil.example.test' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: 'null' },
      {},
    ]) {
      const response = await post('admin', headers);
      expect(response.statusCode, JSON.stringify(headers)).toBe(403);
    }
    // The board's own buttons are PUTs (bull-board has no DELETE route): pause all, empty a queue.
    for (const action of ['/api/queues/pause', '/api/queues/tick/empty']) {
      const response = await t.app.inject({
        method: 'PUT',
        url: `${BOARD}${action}`,
        headers: { cookie: jars.admin!.header(), origin: 'https://evil.example.test' },
      });
      expect(response.statusCode, action).toBe(403);
    }
    expect(await total()).toBe(before);
  });

  it("takes the board's own same-origin requests from an admin", async () => {
    const response = await post('admin', { origin: 'https://arrears.example.test', 'sec-fetch-site': 'same-origin' }, false);
    expect(response.statusCode).toBeLessThan(400);
  });

  it('is read-only for managers and closed to collectors', async () => {
    const list = await t.app.inject({ method: 'GET', url: `${BOARD}/api/queues`, headers: { cookie: jars.manager!.header() } });
    expect(list.statusCode).toBe(200);
    const before = await total();
    const act = await post('manager', { 'sec-fetch-site': 'same-origin' }, false);
    expect(act.statusCode).toBe(403);
    expect(await total()).toBe(before);
    const collector = await t.app.inject({ method: 'GET', url: `${BOARD}/api/queues`, headers: { cookie: jars.collector!.header() } });
    expect(collector.statusCode).toBe(403);
  });
});
