import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unsubscribeHeaders } from '../../../src/channels/email/mail-options.js';
import {
  UNSUBSCRIBE_SECRET_FILE,
  resolveUnsubscribeSecret,
  signUnsubscribeToken,
  unsubscribeUrlBuilder,
  verifyUnsubscribeToken,
} from '../../../src/dunning/unsubscribe-token.js';

const SECRET = 'a'.repeat(32);
const CUSTOMER = '3f2c8a10-5b7e-4c1d-9a0b-1234567890ab';

describe('unsubscribe tokens', () => {
  it('round-trips a customer id through a 64-character base64url token', () => {
    const token = signUnsubscribeToken(SECRET, CUSTOMER);
    expect(token).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(verifyUnsubscribeToken(SECRET, token)).toBe(CUSTOMER);
    expect(verifyUnsubscribeToken(SECRET, signUnsubscribeToken(SECRET, CUSTOMER.toUpperCase()))).toBe(CUSTOMER);
  });

  it.each([
    ['another secret', (t: string) => t, 'b'.repeat(32)],
    ['a flipped MAC character', (t: string) => t.slice(0, 40) + (t[40] === 'A' ? 'B' : 'A') + t.slice(41), SECRET],
    [
      'another customer id with the same MAC',
      (t: string) => signUnsubscribeToken(SECRET, CUSTOMER.replace('3f', '4f')).slice(0, 22) + t.slice(22),
      SECRET,
    ],
    ['a truncated token', (t: string) => t.slice(0, 63), SECRET],
    ['padding and junk', (t: string) => `${t}=`, SECRET],
    ['an empty token', () => '', SECRET],
  ])('refuses %s', (_name, tamper, secret) => {
    expect(verifyUnsubscribeToken(secret, tamper(signUnsubscribeToken(SECRET, CUSTOMER)))).toBeNull();
  });

  it('only signs uuids', () => {
    expect(() => signUnsubscribeToken(SECRET, 'RO-1')).toThrow(/uuid/);
  });

  it('builds URLs under PUBLIC_BASE_URL, and none without it', () => {
    const url = unsubscribeUrlBuilder('https://ar.example.com/arrears', SECRET)(CUSTOMER);
    expect(url).toBe(`https://ar.example.com/arrears/unsubscribe/${signUnsubscribeToken(SECRET, CUSTOMER)}`);
    expect(unsubscribeUrlBuilder(null, SECRET)(CUSTOMER)).toBeNull();
    // An https URL is what makes the reminder one-click (RFC 8058).
    expect(unsubscribeHeaders({ url: url!, mailto: 'ar@example.com' })).toEqual({
      'List-Unsubscribe': `<${url}>, <mailto:ar@example.com>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });
});

describe('the per-installation secret', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prefers UNSUBSCRIBE_SECRET and creates no file', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'arrears-secret-'));
    expect(await resolveUnsubscribeSecret(SECRET, dir)).toBe(SECRET);
    await expect(stat(path.join(dir, UNSUBSCRIBE_SECRET_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('is generated once, mode 0600, and concurrent first starts agree on it', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'arrears-secret-'));
    const dataDir = path.join(dir, 'data');
    const secrets = await Promise.all(Array.from({ length: 8 }, () => resolveUnsubscribeSecret(null, dataDir)));
    expect(new Set(secrets).size).toBe(1);
    expect(secrets[0]!.length).toBeGreaterThanOrEqual(32);
    const file = path.join(dataDir, UNSUBSCRIBE_SECRET_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(secrets[0]);
    expect(await resolveUnsubscribeSecret(null, dataDir)).toBe(secrets[0]);
  });
});
