import type { FastifyRequest } from 'fastify';
import type { PrismaClient } from '../../db/client.js';
import { findUserById } from '../../db/users.repository.js';
import { authenticateToken, type Principal } from '../../users/user.service.js';
import { SESSION_COOKIE, decodeSession, passwordFingerprint, readCookie, type Session } from './session.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling: set by the console's and the API's hooks; null = nobody signed in. */
    principal: Principal | null;
    /** The console session (signed cookie), also before login; null outside the console. */
    session: Session | null;
  }
}

/** The bearer token's principal; null without a valid token. */
export async function principalFromBearer(prisma: PrismaClient, request: FastifyRequest, now: Date): Promise<Principal | null> {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? authenticateToken(prisma, match[1]!, now) : null;
}

/**
 * The session cookie and, when it names a user who is still active with the same password, that
 * user. A stale session (user gone, deactivated, password changed) counts as signed out.
 */
export async function sessionOf(
  prisma: PrismaClient,
  request: FastifyRequest,
  secret: string,
  now: Date,
): Promise<{ session: Session | null; principal: Principal | null }> {
  const session = decodeSession(secret, readCookie(request.headers.cookie, SESSION_COOKIE), now);
  if (session?.userId === undefined) return { session, principal: null };
  const user = await findUserById(prisma, session.userId);
  if (user === null || !user.active || passwordFingerprint(user.passwordHash) !== session.fingerprint) {
    return { session: { csrf: session.csrf, expires: session.expires }, principal: null };
  }
  return {
    session,
    principal: { userId: user.id, email: user.email, name: user.name, role: user.role, via: 'session', scopes: null },
  };
}
