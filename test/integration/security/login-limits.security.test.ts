import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestHttpApp, type TestHttpApp } from '../../support/http-app.js';
import { Jar, csrfOf, signInAs } from './console-client.js';

// Finding 10: sign-in is limited per address, per account from any address, and across the
// process (password checks in flight), all before the password is hashed. Status codes only: the
// speed of a real sign-in under a flood is measured by hand (see the report / README).

describe('sign-in limits', () => {
  let t: TestHttpApp;
  let jar: Jar;
  let csrf: string;

  beforeAll(async () => {
    t = await startTestHttpApp();
    jar = new Jar();
    const page = await t.app.inject({ method: 'GET', url: '/console/login' });
    jar.take(page.headers['set-cookie']);
    csrf = csrfOf(page.body);
  });
  afterAll(async () => {
    await t?.close();
  });

  const attempt = (email: string, password: string, remoteAddress: string) =>
    t.app.inject({
      method: 'POST',
      url: '/console/login',
      remoteAddress,
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, email, password }).toString(),
    });

  it('limits 120 parallel wrong-password sign-ins from different addresses and emails, hashing only a few', async () => {
    const responses = await Promise.all(
      Array.from({ length: 120 }, (_, i) => attempt(`nobody${i}@example.com`, 'wrong password', `10.1.${Math.floor(i / 250)}.${i % 250}`)),
    );
    const counts = new Map<number, number>();
    for (const r of responses) counts.set(r.statusCode, (counts.get(r.statusCode) ?? 0) + 1);
    expect([...counts.keys()].sort()).toEqual([401, 429]);
    // Refused ones were never hashed: those that reached the check are few.
    expect(counts.get(401)).toBeLessThanOrEqual(40);
    expect(counts.get(429)).toBeGreaterThanOrEqual(80);
    const refused = responses.find((r) => r.statusCode === 429)!;
    expect(refused.headers['retry-after']).toBeDefined();
    // Once the flood has been answered, a real sign-in goes through.
    expect((await signInAs(t.app, 'admin@example.com', PASSWORD, {})).status).toBe(303);
  });

  it('limits wrong passwords for one account from many addresses', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) statuses.push((await attempt('manager@example.com', `wrong ${i}`, `10.2.0.${i}`)).statusCode);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    // Another account is not affected.
    expect((await attempt('collector@example.com', PASSWORD, '10.2.1.1')).statusCode).toBe(303);
  });

  it('limits one address trying many accounts', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 32; i += 1) statuses.push((await attempt(`guess${i}@example.com`, 'wrong', '10.3.0.1')).statusCode);
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429]);
  });
});
