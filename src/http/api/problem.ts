import type { FastifyReply } from 'fastify';
import type { z } from 'zod';

/** One bad field: its path (`items[3].amount`), the item's index in a bulk body, and why. */
export interface FieldProblem {
  field: string;
  index?: number;
  message: string;
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Sends an RFC 9457 problem document. */
export function sendProblem(reply: FastifyReply, status: number, detail: string, errors?: readonly FieldProblem[]) {
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail, ...(errors && errors.length > 0 ? { errors } : {}) });
}

/** `['items', 3, 'amount']` → `items[3].amount`. */
export function fieldPath(path: ReadonlyArray<PropertyKey>, root = ''): string {
  let text = root;
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text === '' ? '(body)' : text;
}

export function zodProblems(error: z.ZodError, root = ''): FieldProblem[] {
  return error.issues.map((issue) => {
    const index = issue.path[0] === 'items' && typeof issue.path[1] === 'number' ? issue.path[1] : undefined;
    return { field: fieldPath(issue.path, root), ...(index !== undefined ? { index } : {}), message: issue.message };
  });
}

/** Thrown inside a handler to answer with a problem (and roll back a transaction on the way). */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly errors?: readonly FieldProblem[],
  ) {
    super(detail);
    this.name = 'ProblemError';
  }
}
