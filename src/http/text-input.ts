import type { FastifyInstance } from 'fastify';
import { textProblem } from '../core/text.js';

/** One string (or key) of a request that {@link textProblem} refuses. */
export interface TextProblem {
  /** Where it is under its root, e.g. `['items', 3, 'name']`. */
  path: PropertyKey[];
  message: string;
}

/** A request whose params, query or body hold text nothing may store (400); each plugin's error handler names the fields. */
export class TextInputError extends Error {
  readonly statusCode = 400;
  readonly code = 'FST_ERR_BAD_TEXT';
  constructor(
    readonly where: 'params' | 'query' | 'body',
    readonly problems: readonly TextProblem[],
  ) {
    super(`invalid ${where}: ${problems.map((p) => `${p.path.map(String).join('.') || where} ${p.message}`).join('; ')}`);
    this.name = 'TextInputError';
  }
}

/** Every string and key of a parsed request part that {@link textProblem} refuses (at most 20). */
export function textProblems(value: unknown, path: PropertyKey[] = [], found: TextProblem[] = []): TextProblem[] {
  if (found.length >= 20) return found;
  if (typeof value === 'string') {
    const message = textProblem(value);
    if (message !== null) found.push({ path, message });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => textProblems(item, [...path, index], found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const message = textProblem(key);
      if (message !== null) found.push({ path: [...path, key], message: `(the name of this field) ${message}` });
      else textProblems(item, [...path, key], found);
    }
  }
  return found;
}

/** Throws {@link TextInputError} for the first part (params, query, body) holding refused text. */
export function checkRequestText(parts: { params?: unknown; query?: unknown; body?: unknown }): void {
  for (const where of ['params', 'query', 'body'] as const) {
    const problems = textProblems(parts[where]);
    if (problems.length > 0) throw new TextInputError(where, problems);
  }
}

/** Checks every request of these routes once its body is parsed, before any handler or schema sees it. */
export function checkTextOfEveryRequest(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    checkRequestText(request);
  });
}
