import type { FastifyInstance } from 'fastify';

/** Deepest nesting of objects and arrays a JSON body may have; the deepest real body (a bulk item) is 3. */
export const MAX_JSON_DEPTH = 32;

/** Whether `text` nests objects/arrays deeper than `max`, read without parsing (strings skipped), so a deep body cannot exhaust the stack. */
export function jsonDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth += 1;
      if (depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth -= 1;
  }
  return false;
}

/**
 * Every JSON body of the server goes through Fastify's own parser (which refuses `__proto__` and
 * `constructor` keys), after a depth check: a 30,000-deep body is a 400, not a stack overflow in
 * whatever walks it next. Size is bounded by each route's `bodyLimit`.
 */
export function boundJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonDeeperThan(body as string, MAX_JSON_DEPTH)) {
      const error = Object.assign(new Error(`the JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`), {
        statusCode: 400,
        code: 'FST_ERR_JSON_TOO_DEEP',
      });
      done(error, undefined);
      return;
    }
    void parse(request, body as string, done);
  });
}
