import type { Sql } from './sql.js';
import type { Db } from './transaction.js';

/** `audit_events`: who changed what and why. Append-only; the one writer is `appendAudit`. */

export interface AuditEntry {
  entityType: string;
  entityId: string;
  action: string;
  actor: string;
  reason?: string | null;
  /** JSON snapshots of the changed fields; bigints are written as strings. */
  before?: unknown;
  after?: unknown;
  at: Date;
}

/** Appends audit events in the caller's transaction (one statement for any number). */
export async function appendAudit(sql: Sql, entries: AuditEntry | readonly AuditEntry[]): Promise<void> {
  const list: readonly AuditEntry[] = Array.isArray(entries) ? entries : [entries as AuditEntry];
  if (list.length === 0) return;
  await sql.query(
    `insert into audit_events (entity_type, entity_id, action, actor, reason, before, after, at)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::jsonb[], $8::timestamptz[])`,
    [
      list.map((e) => e.entityType),
      list.map((e) => e.entityId),
      list.map((e) => e.action),
      list.map((e) => e.actor),
      list.map((e) => e.reason ?? null),
      list.map((e) => json(e.before)),
      list.map((e) => json(e.after)),
      list.map((e) => e.at.toISOString()),
    ],
  );
}

function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value, bigintAsString);
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Whether an audit event with this entity and action exists (markers of work done, e.g. an event delivered). */
export async function hasAudit(db: Db, entityType: string, entityId: string, action: string): Promise<boolean> {
  const found = await db.auditEvent.findFirst({ where: { entityType, entityId, action }, select: { id: true } });
  return found !== null;
}
