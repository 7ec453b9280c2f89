import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// Console sessions live in one signed cookie: no session table, any `arrears serve` process
// with the same SESSION_SECRET accepts it. Its payload carries the CSRF token (the synchronizer
// token every console form echoes), the expiry, and a fingerprint of the user's password hash,
// so changing the password (or deactivating the user, checked per request) ends every session.

export const SESSION_COOKIE = 'arrears_session';
/** Idle sessions end after this long; each request with a valid session renews it. */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;
const PURPOSE = 'arrears/session/v1\0';

export interface Session {
  /** Signed-in user id; absent before login (the login form's CSRF token still needs a home). */
  userId?: string;
  csrf: string;
  /** Expiry, epoch seconds. */
  expires: number;
  /** Fingerprint of the password hash the session was opened with. */
  fingerprint?: string;
}

interface Payload {
  u?: string;
  c: string;
  e: number;
  f?: string;
}

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(PURPOSE).update(body).digest();

export function passwordFingerprint(passwordHash: string | null): string {
  return createHash('sha256')
    .update(passwordHash ?? '')
    .digest('base64url')
    .slice(0, 16);
}

export function newSession(now: Date, user?: { id: string; passwordHash: string | null }): Session {
  return {
    csrf: randomBytes(24).toString('base64url'),
    expires: Math.floor(now.getTime() / 1000) + SESSION_TTL_SECONDS,
    ...(user ? { userId: user.id, fingerprint: passwordFingerprint(user.passwordHash) } : {}),
  };
}

export function encodeSession(secret: string, session: Session): string {
  const payload: Payload = {
    c: session.csrf,
    e: session.expires,
    ...(session.userId ? { u: session.userId, f: session.fingerprint ?? '' } : {}),
  };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${sign(secret, body).toString('base64url')}`;
}

/** The session in a cookie value, or null when it is not ours, was tampered with or has expired. */
export function decodeSession(secret: string, value: string | undefined, now: Date): Session | null {
  if (!value || value.length > 1024) return null;
  const [body, mac] = value.split('.');
  if (!body || !mac) return null;
  const given = Buffer.from(mac, 'base64url');
  const expected = sign(secret, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let payload: Payload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
  } catch {
    return null;
  }
  if (typeof payload.c !== 'string' || typeof payload.e !== 'number' || payload.e * 1000 <= now.getTime()) return null;
  return {
    csrf: payload.c,
    expires: payload.e,
    ...(typeof payload.u === 'string' ? { userId: payload.u, fingerprint: String(payload.f ?? '') } : {}),
  };
}

export function sessionCookie(value: string, secure: boolean, maxAge = SESSION_TTL_SECONDS): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', secure, 0);
}

/** One cookie's value from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

/** Constant-time comparison of two CSRF tokens. */
export function sameToken(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
