import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * One-click unsubscribe tokens: the customer id (a uuid, 16 bytes) followed by an HMAC-SHA256 of
 * it, base64url — 64 characters, no state on the server. Whoever holds a customer's token can
 * unsubscribe that customer from email, and nothing else.
 */
const ID_BYTES = 16;
const MAC_BYTES = 32;
const TOKEN = /^[A-Za-z0-9_-]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Domain separation: the same secret must never sign anything else into an equal MAC. */
const PURPOSE = 'arrears/unsubscribe/v1\0';

/** File under ARREARS_DATA_DIR holding the generated secret when UNSUBSCRIBE_SECRET is unset. */
export const UNSUBSCRIBE_SECRET_FILE = 'unsubscribe.secret';

function mac(secret: string, id: Buffer): Buffer {
  return createHmac('sha256', secret).update(PURPOSE).update(id).digest();
}

/** The token for a customer id (a uuid). */
export function signUnsubscribeToken(secret: string, customerId: string): string {
  if (!UUID.test(customerId)) throw new Error('customer ids are uuids');
  const id = Buffer.from(customerId.replaceAll('-', ''), 'hex');
  return Buffer.concat([id, mac(secret, id)]).toString('base64url');
}

/** The customer id a token was signed for, or null for anything not signed with `secret`. */
export function verifyUnsubscribeToken(secret: string, token: string): string | null {
  if (!TOKEN.test(token)) return null;
  const raw = Buffer.from(token, 'base64url');
  if (raw.length !== ID_BYTES + MAC_BYTES) return null;
  const id = raw.subarray(0, ID_BYTES);
  if (!timingSafeEqual(raw.subarray(ID_BYTES), mac(secret, id))) return null;
  const hex = id.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * `unsubscribeUrl(customerId)` for reminders: `${publicBaseUrl}/unsubscribe/<token>`, or always
 * null when the deployment has no public URL.
 */
export function unsubscribeUrlBuilder(publicBaseUrl: string | null, secret: string | null): (customerId: string) => string | null {
  if (!publicBaseUrl || !secret) return () => null;
  return (customerId) => `${publicBaseUrl}/unsubscribe/${signUnsubscribeToken(secret, customerId)}`;
}

/**
 * The signing secret: the configured one, else the installation's own, generated on first use
 * into `<dataDir>/unsubscribe.secret` (mode 0600). Creation is atomic (write a temporary file,
 * hard-link it into place), so concurrent first starts agree on one secret.
 */
export function resolveUnsubscribeSecret(configured: string | null, dataDir: string): Promise<string> {
  return resolveSecretFile(configured, dataDir, UNSUBSCRIBE_SECRET_FILE, 'UNSUBSCRIBE_SECRET');
}

/** The configured secret, else one generated once into `<dataDir>/<fileName>` (see above). */
export async function resolveSecretFile(configured: string | null, dataDir: string, fileName: string, variable: string): Promise<string> {
  if (configured) return configured;
  const file = path.join(dataDir, fileName);
  const existing = await readSecret(file);
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(temporary, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary);
  }
  const created = await readSecret(file);
  if (!created) throw new Error(`${file} is empty: delete it or set ${variable}`);
  return created;
}

async function readSecret(file: string): Promise<string | null> {
  try {
    return (await readFile(file, 'utf8')).trim() || null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
