import { z } from 'zod';
import { parseIsoDate } from '../ingest/fields.js';
import { textProblems } from './text-input.js';

// Every console page and API list reads its dates, enums and keyset cursors through here, so a
// bad value is a 400 naming the parameter (each plugin's error handler renders it), never an
// Invalid Date reaching a statement.

/** A query parameter that cannot be used: a 400 naming it. */
export class BadParameter extends Error {
  readonly statusCode = 400;
  readonly code = 'FST_ERR_BAD_PARAMETER';
  constructor(
    readonly parameter: string,
    readonly detail: string,
  ) {
    super(`The ${parameter} parameter ${detail}.`);
    this.name = 'BadParameter';
  }
}

type Query = Record<string, unknown>;

/** Refuses parameters not in `known` and any given twice; returns the query as single strings. */
export function knownParameters(query: unknown, known: readonly string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries((query ?? {}) as Query)) {
    if (!known.includes(key)) throw new BadParameter(key, `is not known here (use ${known.join(', ')})`);
    if (typeof value !== 'string') throw new BadParameter(key, 'is given more than once');
    out[key] = value;
  }
  return out;
}

/** A calendar date `YYYY-MM-DD`, or undefined when empty. */
export function dateParameter(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const parsed = parseIsoDate(value);
  if (!parsed.ok) throw new BadParameter(name, 'must be a calendar date YYYY-MM-DD');
  return parsed.value;
}

/** One of `allowed`, or undefined when empty. */
export function oneOfParameter<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new BadParameter(name, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** Opaque keyset cursors: base64url of the JSON of what the list pages by. */
export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A cursor's shape: an instant and a row id. */
export const instantCursor = z.strictObject({ t: z.iso.datetime({ offset: true }), id: z.uuid() });

/**
 * The cursor in `text` (null when absent) if it has the shape `schema` describes; anything else —
 * not base64url, not JSON, another shape, text no column takes — is a 400 naming `name`.
 */
export function decodeCursor<T>(name: string, text: string | undefined, schema: z.ZodType<T>): T | null {
  if (text === undefined || text === '') return null;
  const bad = () => new BadParameter(name, 'is not a position this list gave out; start again from the first page');
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(text)) throw bad();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (textProblems(value).length > 0) throw bad();
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw bad();
  return parsed.data;
}
