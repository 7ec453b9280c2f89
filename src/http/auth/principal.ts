import type { FastifyRequest } from 'fastify';
import type { PrismaClient } from '../../db/client.js';
import { insertConsoleSession, revokeConsoleSession, touchConsoleSession } from '../../db/sessions.repository.js';
import { autoCommit } from '../../db/transaction.js';
import { findUserById } from '../../db/users.repository.js';
import { authenticateToken, type Principal } from '../../users/user.service.js';
import {
  SESSION_COOKIE,
  decodeSession,
  readCookie,
  sessionTokenHash,
  signedInSession,
  type Session,
  type SessionLifetimes,
} from './session.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling: set by the console's and the API's hooks; null = nobody signed in. */
    principal: Principal | null;
    /** The console session (signed cookie), also before login; null outside the console. */
    session: Session | null;
  }
}

/** How console sessions are signed and how long they live. */
export interface SessionSettings {
  secret: string;
  lifetimes: SessionLifetimes;
}

/** The bearer token's principal; null without a valid token. */
export async function principalFromBearer(prisma: PrismaClient, request: FastifyRequest, now: Date): Promise<Principal | null> {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? authenticateToken(prisma, match[1]!, now) : null;
}

/**
 * The session cookie and, when its `console_sessions` row is live (not revoked, not idle too long,
 * not past its absolute end) and its user active, that user. Anything else counts as signed out;
 * the cookie's CSRF token still serves the login form.
 */
export async function sessionOf(
  prisma: PrismaClient,
  request: FastifyRequest,
  settings: SessionSettings,
  now: Date,
): Promise<{ session: Session | null; principal: Principal | null }> {
  const session = decodeSession(settings.secret, readCookie(request.headers.cookie, SESSION_COOKIE), now);
  if (session?.token === undefined) return { session, principal: null };
  const signedOut = { session: { csrf: session.csrf, expires: session.expires }, principal: null };
  const row = await touchConsoleSession(autoCommit(prisma), sessionTokenHash(session.token), now, settings.lifetimes.idleSeconds);
  if (row === null) return signedOut;
  const user = await findUserById(prisma, row.userId);
  if (user === null || !user.active) return signedOut;
  return {
    session,
    principal: {
      userId: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      via: 'session',
      scopes: null,
      timeZone: user.timeZone,
    },
  };
}

/** Signs a user in: a new session row and the cookie's session (a new token and CSRF token). */
export async function openSession(prisma: PrismaClient, userId: string, settings: SessionSettings, now: Date): Promise<Session> {
  const session = signedInSession(now, settings.lifetimes);
  await insertConsoleSession(autoCommit(prisma), {
    userId,
    tokenHash: sessionTokenHash(session.token!),
    at: now,
    expiresAt: new Date(session.expires * 1000),
  });
  return session;
}

/** Sign-out: the session's row is revoked, so no copy of the cookie works again. */
export async function endSession(prisma: PrismaClient, session: Session | null, now: Date): Promise<void> {
  if (session?.token !== undefined) await revokeConsoleSession(autoCommit(prisma), sessionTokenHash(session.token), now);
}
