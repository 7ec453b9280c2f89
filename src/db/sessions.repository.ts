import type { Sql } from './sql.js';

/** `console_sessions`: one row per sign-in; the cookie's token is known only by its hash. */

export interface ConsoleSessionRecord {
  id: string;
  userId: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

/** Opens a session; rows of the user that ended more than a day ago are deleted on the way, so the table stays small. */
export async function insertConsoleSession(
  sql: Sql,
  session: { userId: string; tokenHash: string; at: Date; expiresAt: Date },
): Promise<string> {
  await sql.query(
    `delete from console_sessions
      where user_id = $1::uuid and coalesce(revoked_at, expires_at) < $2::timestamptz - interval '1 day'`,
    [session.userId, session.at.toISOString()],
  );
  const [row] = await sql.query<{ id: string }>(
    `insert into console_sessions (user_id, token_hash, created_at, last_seen_at, expires_at)
     values ($1::uuid, $2, $3::timestamptz, $3::timestamptz, $4::timestamptz) returning id::text`,
    [session.userId, session.tokenHash, session.at.toISOString(), session.expiresAt.toISOString()],
  );
  return row!.id;
}

/**
 * Deletes every session that ended (revoked or expired) before `before`: those of users who do
 * not sign in again, which {@link insertConsoleSession} never reaches. Returns how many went.
 */
export async function pruneEndedConsoleSessions(sql: Sql, before: Date): Promise<number> {
  const rows = await sql.query<{ n: number }>(
    `with gone as (delete from console_sessions where coalesce(revoked_at, expires_at) < $1::timestamptz returning 1)
     select count(*)::int as n from gone`,
    [before.toISOString()],
  );
  return rows[0]?.n ?? 0;
}

/**
 * The live session with this token hash: not revoked, before its absolute expiry, and seen
 * within `idleSeconds`. Its last-seen time moves to `at` (at most once a minute, so reads do not
 * each become a write).
 */
export async function touchConsoleSession(
  sql: Sql,
  tokenHash: string,
  at: Date,
  idleSeconds: number,
): Promise<ConsoleSessionRecord | null> {
  const [row] = await sql.query<ConsoleSessionRecord>(
    `with live as (
       select id from console_sessions
        where token_hash = $1 and revoked_at is null and expires_at > $2::timestamptz
          and last_seen_at > $2::timestamptz - make_interval(secs => $3::int)
     ), touched as (
       update console_sessions s set last_seen_at = $2::timestamptz
         from live where s.id = live.id and s.last_seen_at < $2::timestamptz - interval '1 minute'
     )
     select s.id::text, s.user_id::text as "userId", s.created_at as "createdAt", s.last_seen_at as "lastSeenAt", s.expires_at as "expiresAt"
       from console_sessions s join live on live.id = s.id`,
    [tokenHash, at.toISOString(), idleSeconds],
  );
  return row ?? null;
}

/** Sign-out: the session with this token hash ends now. */
export async function revokeConsoleSession(sql: Sql, tokenHash: string, at: Date): Promise<void> {
  await sql.query(`update console_sessions set revoked_at = $2::timestamptz where token_hash = $1 and revoked_at is null`, [
    tokenHash,
    at.toISOString(),
  ]);
}

/** Ends every live session of a user (password changed, user disabled); returns how many. */
export async function revokeUserSessions(sql: Sql, userId: string, at: Date): Promise<number> {
  const rows = await sql.query<{ id: string }>(
    `update console_sessions set revoked_at = $2::timestamptz where user_id = $1::uuid and revoked_at is null returning id::text`,
    [userId, at.toISOString()],
  );
  return rows.length;
}
