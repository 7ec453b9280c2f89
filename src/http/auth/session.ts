import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// The console's cookie is signed (SESSION_SECRET) and carries the CSRF token (the synchronizer
// token every console form echoes). Before sign-in that is all it holds. After sign-in it also
// carries a random session token whose hash names a row of `console_sessions`: the row, not the
// cookie, says whether the session is alive, so sign-out, a password change or a disabled user
// end it on every copy of the cookie.

export const SESSION_COOKIE = 'arrears_session';
/** A cookie from before sign-in (the login form's CSRF token) lasts this long. */
const ANONYMOUS_TTL_SECONDS = 2 * 60 * 60;
const PURPOSE = 'arrears/session/v2\0';

/** SESSION_IDLE_MINUTES and SESSION_MAX_HOURS, in seconds. */
export interface SessionLifetimes {
  idleSeconds: number;
  maxSeconds: number;
}

export interface Session {
  csrf: string;
  /** The cookie's own expiry, epoch seconds. */
  expires: number;
  /** After sign-in: the secret whose hash names the `console_sessions` row. */
  token?: string;
}

interface Payload {
  c: string;
  e: number;
  s?: string;
}

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(PURPOSE).update(body).digest();

/** What `console_sessions.token_hash` stores for a session token. */
export function sessionTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A session before sign-in: only a CSRF token. */
export function anonymousSession(now: Date): Session {
  return { csrf: randomBytes(24).toString('base64url'), expires: Math.floor(now.getTime() / 1000) + ANONYMOUS_TTL_SECONDS };
}

/** A new signed-in session: a fresh CSRF token (nothing from before sign-in carries over) and a fresh session token. */
export function signedInSession(now: Date, lifetimes: SessionLifetimes): Session {
  return {
    csrf: randomBytes(24).toString('base64url'),
    expires: Math.floor(now.getTime() / 1000) + lifetimes.maxSeconds,
    token: randomBytes(32).toString('base64url'),
  };
}

export function encodeSession(secret: string, session: Session): string {
  const payload: Payload = { c: session.csrf, e: session.expires, ...(session.token ? { s: session.token } : {}) };
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
  return { csrf: payload.c, expires: payload.e, ...(typeof payload.s === 'string' ? { token: payload.s } : {}) };
}

export function sessionCookie(value: string, secure: boolean, maxAge: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${Math.max(0, maxAge)}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
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
