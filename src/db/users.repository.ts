import type { PrismaClient, UserRole } from './client.js';

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  active: boolean;
  passwordHash: string | null;
}

const USER_FIELDS = { id: true, email: true, name: true, role: true, active: true, passwordHash: true } as const;

export function findUserByEmail(prisma: PrismaClient, email: string): Promise<UserRecord | null> {
  return prisma.user.findUnique({ where: { email: email.trim().toLowerCase() }, select: USER_FIELDS });
}

export function findUserById(prisma: PrismaClient, id: string): Promise<UserRecord | null> {
  if (!UUID.test(id)) return Promise.resolve(null);
  return prisma.user.findUnique({ where: { id }, select: USER_FIELDS });
}

/** Creates a user, or updates name / role / password of the one with that email. */
export async function upsertUser(
  prisma: PrismaClient,
  user: { email: string; name: string; role: UserRole; passwordHash: string | null },
): Promise<{ user: UserRecord; created: boolean }> {
  const email = user.email.trim().toLowerCase();
  const existing = await prisma.user.findUnique({ where: { email }, select: { id: true } });
  const data = { name: user.name, role: user.role, active: true, ...(user.passwordHash ? { passwordHash: user.passwordHash } : {}) };
  const saved = existing
    ? await prisma.user.update({ where: { id: existing.id }, data, select: USER_FIELDS })
    : await prisma.user.create({ data: { email, ...data, passwordHash: user.passwordHash }, select: USER_FIELDS });
  return { user: saved, created: existing === null };
}

export function listUsers(prisma: PrismaClient, roles?: readonly UserRole[]) {
  return prisma.user.findMany({
    where: { active: true, ...(roles ? { role: { in: [...roles] } } : {}) },
    select: { id: true, email: true, name: true, role: true },
    orderBy: { name: 'asc' },
  });
}

export interface TokenRecord {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const TOKEN_FIELDS = {
  id: true, userId: true, name: true, prefix: true, scopes: true, createdAt: true, lastUsedAt: true, revokedAt: true,
} as const;

export function insertApiToken(
  prisma: PrismaClient,
  token: { userId: string; name: string; tokenHash: string; prefix: string; scopes: string[] },
): Promise<TokenRecord> {
  return prisma.apiToken.create({ data: token, select: TOKEN_FIELDS });
}

/** The live token with this hash and its user (active or not: the caller decides). */
export function findTokenByHash(prisma: PrismaClient, tokenHash: string) {
  return prisma.apiToken.findFirst({
    where: { tokenHash, revokedAt: null },
    select: { ...TOKEN_FIELDS, user: { select: USER_FIELDS } },
  });
}

/** Records use at most once a minute per token, so reads do not turn into a write each. */
export async function touchApiToken(prisma: PrismaClient, id: string, at: Date): Promise<void> {
  await prisma.apiToken.updateMany({
    where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(at.getTime() - 60_000) } }] },
    data: { lastUsedAt: at },
  });
}

/** Revokes by id or by prefix; returns how many live tokens were revoked. */
export async function revokeApiTokens(prisma: PrismaClient, idOrPrefix: string, at: Date): Promise<number> {
  const where = UUID.test(idOrPrefix) ? { id: idOrPrefix } : { prefix: idOrPrefix };
  const result = await prisma.apiToken.updateMany({ where: { ...where, revokedAt: null }, data: { revokedAt: at } });
  return result.count;
}

export function listApiTokens(prisma: PrismaClient, userId?: string): Promise<Array<TokenRecord & { user: { email: string } }>> {
  return prisma.apiToken.findMany({
    where: userId ? { userId } : {},
    select: { ...TOKEN_FIELDS, user: { select: { email: true } } },
    orderBy: { createdAt: 'asc' },
  });
}

export async function appendUserAudit(
  prisma: PrismaClient,
  entry: { entityType: string; entityId: string; action: string; actor: string; after?: object },
): Promise<void> {
  await prisma.auditEvent.create({
    data: { entityType: entry.entityType, entityId: entry.entityId, action: entry.action, actor: entry.actor, ...(entry.after ? { after: entry.after } : {}) },
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
