import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/core/clock.js';
import { addUser, disableUser } from '../../../src/users/user.service.js';
import { PASSWORD, startTestHttpApp, type TestHttpApp } from '../../support/http-app.js';
import { signInAs, type Jar } from './console-client.js';

// Finding 2: sessions live in Postgres. Sign-out, a password change and disabling the user revoke
// them (a copied cookie is refused afterwards); idle and absolute lifetimes hold whatever the
// browser sends; signing in always starts a new session.

const IDLE_MINUTES = 30;
const MAX_HOURS = 4;

describe('console sessions are server-side and revocable', () => {
  let t: TestHttpApp;
  let now = DateTime.fromISO('2026-03-02T09:00:00Z');
  const clock: Clock = { now: () => now };
  const later = (minutes: number) => {
    now = now.plus({ minutes });
  };

  beforeAll(async () => {
    t = await startTestHttpApp({ SESSION_IDLE_MINUTES: String(IDLE_MINUTES), SESSION_MAX_HOURS: String(MAX_HOURS) }, { clock });
  });
  afterAll(async () => {
    await t?.close();
  });

  const worklist = (cookie: string) => t.app.inject({ method: 'GET', url: '/console/worklist', headers: { cookie } });
  const signedIn = async (cookie: string) => (await worklist(cookie)).statusCode === 200;
  const sessionCookie = (jar: Jar) => `arrears_session=${jar.cookies.get('arrears_session') ?? ''}`;

  it('refuses a copied cookie after sign-out', async () => {
    const { jar, csrf } = await signInAs(t.app, 'collector@example.com', PASSWORD);
    const copied = sessionCookie(jar);
    expect(await signedIn(copied)).toBe(true);
    const logout = await t.app.inject({
      method: 'POST',
      url: '/console/logout',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    expect(logout.statusCode).toBe(303);
    const after = await worklist(copied);
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toMatch(/^\/console\/login/);
  });

  it('refuses a sign-out without the CSRF token (a cross-site form cannot sign anyone out)', async () => {
    const { jar } = await signInAs(t.app, 'collector@example.com', PASSWORD);
    const logout = await t.app.inject({
      method: 'POST',
      url: '/console/logout',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'x=1',
    });
    expect(logout.statusCode).toBe(403);
    expect(await signedIn(sessionCookie(jar))).toBe(true);
  });

  it('starts a new session at sign-in: the cookie from before is not the one after, and signing in again replaces it', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/console/login' });
    const before = /arrears_session=([^;]*)/.exec(String(page.headers['set-cookie']))?.[1];
    const first = await signInAs(t.app, 'collector@example.com', PASSWORD);
    expect(first.jar.cookies.get('arrears_session')).not.toBe(before);
    const second = await signInAs(t.app, 'collector@example.com', PASSWORD);
    expect(second.jar.cookies.get('arrears_session')).not.toBe(first.jar.cookies.get('arrears_session'));
    expect(await signedIn(sessionCookie(first.jar))).toBe(true);
    expect(await signedIn(sessionCookie(second.jar))).toBe(true);
  });

  it(`ends an idle session after ${IDLE_MINUTES} minutes, and keeps a used one going`, async () => {
    const { jar } = await signInAs(t.app, 'collector@example.com', PASSWORD);
    const cookie = sessionCookie(jar);
    later(IDLE_MINUTES - 5);
    expect(await signedIn(cookie)).toBe(true);
    later(IDLE_MINUTES - 5);
    expect(await signedIn(cookie)).toBe(true);
    later(IDLE_MINUTES + 1);
    expect(await signedIn(cookie)).toBe(false);
  });

  it(`ends every session ${MAX_HOURS} hours after sign-in, however busy`, async () => {
    const { jar } = await signInAs(t.app, 'collector@example.com', PASSWORD);
    const cookie = sessionCookie(jar);
    for (let minutes = 0; minutes < MAX_HOURS * 60 - 20; minutes += 20) {
      later(20);
      expect(await signedIn(cookie), `after ${minutes + 20} minutes`).toBe(true);
    }
    later(25);
    expect(await signedIn(cookie)).toBe(false);
  });

  it('revokes every session of a user whose password changes', async () => {
    const a = await signInAs(t.app, 'manager@example.com', PASSWORD);
    const b = await signInAs(t.app, 'manager@example.com', PASSWORD);
    await addUser(t.runtime, { email: 'manager@example.com', role: 'manager', password: `${PASSWORD}!` }, 'test');
    expect(await signedIn(sessionCookie(a.jar))).toBe(false);
    expect(await signedIn(sessionCookie(b.jar))).toBe(false);
    // Even if the password is set back: revoked is revoked.
    await addUser(t.runtime, { email: 'manager@example.com', role: 'manager', password: PASSWORD }, 'test');
    expect(await signedIn(sessionCookie(a.jar))).toBe(false);
    expect((await signInAs(t.app, 'manager@example.com', PASSWORD)).status).toBe(303);
  });

  it('revokes every session of a user a manager disables, and a re-enabled user must sign in again', async () => {
    const { jar } = await signInAs(t.app, 'collector@example.com', PASSWORD);
    const others = await signInAs(t.app, 'admin@example.com', PASSWORD);
    expect(await disableUser(t.runtime, 'collector@example.com', 'test')).toBe(true);
    expect(await signedIn(sessionCookie(jar))).toBe(false);
    expect((await signInAs(t.app, 'collector@example.com', PASSWORD)).status).toBe(401);
    expect(await signedIn(sessionCookie(others.jar))).toBe(true);
    await addUser(t.runtime, { email: 'collector@example.com', role: 'collector', password: null }, 'test');
    expect(await signedIn(sessionCookie(jar))).toBe(false);
  });

  it('keeps no session row for anyone who never signed in, and marks revoked rows', async () => {
    const rows = await t.runtime.prisma.$queryRawUnsafe<Array<{ revoked: boolean }>>(
      `select revoked_at is not null as revoked from console_sessions`,
    );
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.some((r) => r.revoked)).toBe(true);
  });
});
