import type { PrismaClient, UserRole } from './client.js';
import type { Sql } from './sql.js';
import type { Db } from './transaction.js';

/** `users` and their `api_tokens`. */

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  active: boolean;
  passwordHash: string | null;
  /** The console's zone for this user; null = the deployment's (TICK_TZ). */
  timeZone: string | null;
}

const USER_FIELDS = { id: true, email: true, name: true, role: true, active: true, passwordHash: true, timeZone: true } as const;

/** A user by id (uuid) or by email; emails match whatever their case (`Ann@Example.com` is `ann@example.com`). */
export function findUser(db: Db, idOrEmail: string): Promise<UserRecord | null> {
  if (UUID.test(idOrEmail)) return db.user.findUnique({ where: { id: idOrEmail }, select: USER_FIELDS });
  return db.user.findFirst({ where: { email: { equals: idOrEmail.trim(), mode: 'insensitive' } }, select: USER_FIELDS });
}

/** Users by email, whatever its case: lower-cased email → the user (the import's `collector` column). */
export async function findUsersByEmails(sql: Sql, emails: readonly string[]): Promise<Map<string, { id: string; active: boolean }>> {
  if (emails.length === 0) return new Map();
  const rows = await sql.query<{ id: string; email: string; active: boolean }>(
    `select id::text, lower(email) as email, active from users where lower(email) = any($1::text[])`,
    [[...new Set(emails.map((email) => email.toLowerCase()))]],
  );
  return new Map(rows.map((row) => [row.email, { id: row.id, active: row.active }]));
}

/** A user by id only (a session's user): anything but a uuid finds nobody. */
export function findUserById(db: Db, id: string): Promise<UserRecord | null> {
  return UUID.test(id) ? findUser(db, id) : Promise.resolve(null);
}

const USER_COLUMNS = `id::text, email, name, role::text, active, password_hash as "passwordHash", time_zone as "timeZone"`;

/** Creates a user, or updates name / role / password of the one with that email (any case). */
export async function upsertUser(
  db: Db,
  sql: Sql,
  user: { email: string; name: string; role: UserRole; passwordHash: string | null; timeZone?: string | null },
): Promise<{ user: UserRecord; created: boolean }> {
  const email = user.email.trim().toLowerCase();
  const existing = await findUser(db, email);
  if (existing) {
    const [saved] = await sql.query<UserRecord>(
      `update users set name = $2, role = $3::user_role, active = true, password_hash = coalesce($4, password_hash),
              time_zone = case when $5::boolean then $6 else time_zone end, updated_at = now()
        where id = $1::uuid returning ${USER_COLUMNS}`,
      [existing.id, user.name, user.role, user.passwordHash, user.timeZone !== undefined, user.timeZone ?? null],
    );
    return { user: saved!, created: false };
  }
  const [saved] = await sql.query<UserRecord>(
    `insert into users (email, name, role, active, password_hash, time_zone, updated_at) values ($1, $2, $3::user_role, true, $4, $5, now())
     returning ${USER_COLUMNS}`,
    [email, user.name, user.role, user.passwordHash, user.timeZone ?? null],
  );
  return { user: saved!, created: true };
}

/** Disables (or re-enables) a user; returns the user, or null when there is none with that id. */
export async function setUserActive(sql: Sql, id: string, active: boolean): Promise<UserRecord | null> {
  const [saved] = await sql.query<UserRecord>(
    `update users set active = $2, updated_at = now() where id = $1::uuid returning ${USER_COLUMNS}`,
    [id, active],
  );
  return saved ?? null;
}

/** Names of users by id, for showing who did something (audit actors, acknowledgements); anything not a user id is left out. */
export async function findUsersByIds(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id) => UUID.test(id)))];
  if (wanted.length === 0) return new Map();
  const users = await db.user.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } });
  return new Map(users.map((u) => [u.id, u.name]));
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
  id: true,
  userId: true,
  name: true,
  prefix: true,
  scopes: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
} as const;

const TOKEN_COLUMNS = `id::text, user_id::text as "userId", name, prefix, scopes, created_at as "createdAt",
  last_used_at as "lastUsedAt", revoked_at as "revokedAt"`;

export async function insertApiToken(
  sql: Sql,
  token: { userId: string; name: string; tokenHash: string; prefix: string; scopes: string[] },
): Promise<TokenRecord> {
  const [row] = await sql.query<TokenRecord>(
    `insert into api_tokens (user_id, name, token_hash, prefix, scopes) values ($1::uuid, $2, $3, $4, $5::text[])
     returning ${TOKEN_COLUMNS}`,
    [token.userId, token.name, token.tokenHash, token.prefix, token.scopes],
  );
  return row!;
}

/** The live token with this hash and its user (active or not: the caller decides). */
export function findTokenByHash(prisma: PrismaClient, tokenHash: string) {
  return prisma.apiToken.findFirst({
    where: { tokenHash, revokedAt: null },
    select: { ...TOKEN_FIELDS, user: { select: USER_FIELDS } },
  });
}

/** Records use at most once a minute per token, so reads do not turn into a write each. */
export async function touchApiToken(sql: Sql, id: string, at: Date): Promise<void> {
  await sql.query(
    `update api_tokens set last_used_at = $2::timestamptz
      where id = $1::uuid and (last_used_at is null or last_used_at < $2::timestamptz - interval '1 minute')`,
    [id, at.toISOString()],
  );
}

/** Revokes by id or by prefix; returns the ids of the live tokens revoked. */
export async function revokeApiTokens(sql: Sql, idOrPrefix: string, at: Date): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(
    `update api_tokens set revoked_at = $3::timestamptz
      where revoked_at is null and (id = $1::uuid or ($1::uuid is null and prefix = $2))
      returning id::text`,
    [UUID.test(idOrPrefix) ? idOrPrefix : null, idOrPrefix, at.toISOString()],
  );
  return rows.map((row) => row.id);
}

export function listApiTokens(prisma: PrismaClient, userId?: string): Promise<Array<TokenRecord & { user: { email: string } }>> {
  return prisma.apiToken.findMany({
    where: userId ? { userId } : {},
    select: { ...TOKEN_FIELDS, user: { select: { email: true } } },
    orderBy: { createdAt: 'asc' },
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
