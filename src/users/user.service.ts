import { createHash, randomBytes } from 'node:crypto';
import { IANAZone } from 'luxon';
import type { Clock } from '../core/clock.js';
import type { PrismaClient, UserRole } from '../db/client.js';
import { appendAudit } from '../db/audit.repository.js';
import { revokeUserSessions } from '../db/sessions.repository.js';
import { autoCommit, inTransaction } from '../db/transaction.js';
import {
  findTokenByHash,
  findUser,
  insertApiToken,
  revokeApiTokens,
  setUserActive,
  touchApiToken,
  upsertUser,
  type TokenRecord,
  type UserRecord,
} from '../db/users.repository.js';
import { DUMMY_HASH, MIN_PASSWORD_LENGTH, hashPassword, verifyPassword } from './password.js';
import { ROLES, type ApiScope } from './scopes.js';

/** A signed-in person or an API token's owner, as every route sees it. */
export interface Principal {
  userId: string;
  email: string;
  name: string;
  role: UserRole;
  /** `token`: the API with these scopes; `session`: the console, every scope of the role. */
  via: 'session' | 'token';
  scopes: readonly ApiScope[] | null;
  /** The zone the console shows this user's times in; null = the deployment's (TICK_TZ). */
  timeZone: string | null;
}

export class UserInputError extends Error {
  override readonly name = 'UserInputError';
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What the user services write with: the database, and the process's clock for audit times and ended sessions. */
export interface UserDependencies {
  prisma: PrismaClient;
  clock: Clock;
}

/** Creates a user (or updates the one with that email): `arrears users add`. A new password ends the user's console sessions. */
export async function addUser(
  { prisma, clock }: UserDependencies,
  input: { email: string; name?: string; role: string; password: string | null; timeZone?: string | null },
  actor = 'cli',
): Promise<{ user: UserRecord; created: boolean }> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL.test(email)) throw new UserInputError(`email: "${input.email}" is not an email address`);
  if (!(ROLES as readonly string[]).includes(input.role)) throw new UserInputError(`role: must be one of ${ROLES.join(', ')}`);
  if (input.password !== null && input.password.length < MIN_PASSWORD_LENGTH) {
    throw new UserInputError(`password: must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (input.timeZone && !IANAZone.isValidZone(input.timeZone)) {
    throw new UserInputError(`time zone: "${input.timeZone}" is not an IANA time zone (e.g. Europe/Bucharest)`);
  }
  const passwordHash = input.password === null ? null : await hashPassword(input.password);
  const now = clock.now().toJSDate();
  return inTransaction(prisma, async ({ db, sql }) => {
    const result = await upsertUser(db, sql, {
      email,
      name: input.name?.trim() || email.split('@')[0]!,
      role: input.role as UserRole,
      passwordHash,
      ...(input.timeZone !== undefined ? { timeZone: input.timeZone } : {}),
    });
    if (!result.created && passwordHash !== null) await revokeUserSessions(sql, result.user.id, now);
    await appendAudit(sql, {
      entityType: 'user',
      entityId: result.user.id,
      action: result.created ? 'user.created' : 'user.updated',
      actor,
      after: {
        email,
        role: input.role,
        passwordSet: input.password !== null,
        ...(input.timeZone !== undefined ? { timeZone: input.timeZone } : {}),
      },
      at: now,
    });
    return result;
  });
}

/**
 * Disables a user (`arrears users disable`): no sign-in, no API token, and every console session
 * ends now. `arrears users add` with the same email enables them again. False: no such user.
 */
export async function disableUser({ prisma, clock }: UserDependencies, idOrEmail: string, actor = 'cli'): Promise<boolean> {
  const user = await findUser(prisma, idOrEmail);
  const now = clock.now().toJSDate();
  if (user === null) return false;
  await inTransaction(prisma, async ({ sql }) => {
    await setUserActive(sql, user.id, false);
    const sessions = await revokeUserSessions(sql, user.id, now);
    await appendAudit(sql, {
      entityType: 'user',
      entityId: user.id,
      action: 'user.disabled',
      actor,
      after: { sessionsEnded: sessions },
      at: now,
    });
  });
  return true;
}

/** The active user with this email and password, or null (in the same time either way). */
export async function authenticatePassword(prisma: PrismaClient, email: string, password: string): Promise<UserRecord | null> {
  const user = await findUser(prisma, email);
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  return ok && user !== null && user.active && user.passwordHash !== null ? user : null;
}

const TOKEN_PREFIX = 'arr_';
const TOKEN = /^arr_[A-Za-z0-9_-]{43}$/;

export function hashToken(plaintext: string): string {
  return createHash('sha256').update(plaintext).digest('hex');
}

/** Creates a token; the plaintext is returned once and never stored. */
export async function createApiToken(
  { prisma, clock }: UserDependencies,
  input: { userEmail: string; name: string; scopes: readonly ApiScope[] },
  actor = 'cli',
): Promise<{ token: string; record: TokenRecord }> {
  const user = await findUser(prisma, input.userEmail);
  if (user === null || !user.active) throw new UserInputError(`user: no active user ${input.userEmail}`);
  if (input.scopes.length === 0) throw new UserInputError('scopes: name at least one scope');
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const record = await inTransaction(prisma, async ({ sql }) => {
    const inserted = await insertApiToken(sql, {
      userId: user.id,
      name: input.name,
      tokenHash: hashToken(token),
      prefix: token.slice(0, 12),
      scopes: [...input.scopes],
    });
    await appendAudit(sql, {
      entityType: 'api_token',
      entityId: inserted.id,
      action: 'token.created',
      actor,
      after: { user: user.email, scopes: input.scopes },
      at: clock.now().toJSDate(),
    });
    return inserted;
  });
  return { token, record };
}

export async function revokeApiToken({ prisma, clock }: UserDependencies, idOrPrefix: string, actor = 'cli'): Promise<number> {
  const now = clock.now().toJSDate();
  return inTransaction(prisma, async ({ sql }) => {
    const revoked = await revokeApiTokens(sql, idOrPrefix, now);
    if (revoked.length > 0)
      await appendAudit(sql, { entityType: 'api_token', entityId: idOrPrefix, action: 'token.revoked', actor, at: now });
    return revoked.length;
  });
}

/** The principal of a bearer token, or null for an unknown, revoked or malformed one or an inactive user. */
export async function authenticateToken(prisma: PrismaClient, plaintext: string, now: Date): Promise<Principal | null> {
  if (!TOKEN.test(plaintext)) return null;
  const found = await findTokenByHash(prisma, hashToken(plaintext));
  if (found === null || !found.user.active) return null;
  await touchApiToken(autoCommit(prisma), found.id, now);
  return {
    userId: found.user.id,
    email: found.user.email,
    name: found.user.name,
    role: found.user.role,
    via: 'token',
    scopes: found.scopes as ApiScope[],
    timeZone: found.user.timeZone,
  };
}
