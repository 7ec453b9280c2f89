/**
 * An error as a log line shows it. A database error's message, detail and Prisma meta quote the
 * values of the failed statement (a customer's name in a duplicate key, an id in a bad cast), so
 * only its kind, codes, table and constraint are kept, with the stack's frames; any other error
 * keeps its name, message and stack, and a database error in its `cause` is cut the same way.
 */
export function errorForLog(error: Error): Record<string, unknown> {
  if (isDatabaseError(error)) return databaseError(error);
  const { cause } = error as { cause?: unknown };
  return {
    type: error.name,
    message: error.message,
    stack: error.stack,
    ...(cause instanceof Error ? { cause: errorForLog(cause) } : {}),
  };
}

type DatabaseError = Error & {
  code?: unknown;
  severity?: unknown;
  table?: unknown;
  constraint?: unknown;
  meta?: { code?: unknown } | undefined;
};

function isDatabaseError(error: Error): error is DatabaseError {
  const candidate = error as DatabaseError;
  // pg's DatabaseError (a SQLSTATE and a severity), or any of Prisma's client errors.
  const fromPostgres = typeof candidate.severity === 'string' && typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code);
  return fromPostgres || error.name.startsWith('PrismaClient');
}

function databaseError(error: DatabaseError): Record<string, unknown> {
  const code = typeof error.code === 'string' ? error.code : undefined;
  const sqlState = typeof error.meta?.code === 'string' ? error.meta.code : undefined;
  return {
    type: error.constructor.name || error.name,
    message: `database error${code ? ` ${code}` : ''}${sqlState ? ` (SQLSTATE ${sqlState})` : ''}: values left out of the log`,
    ...(code ? { code } : {}),
    ...(sqlState ? { sqlState } : {}),
    ...(typeof error.table === 'string' ? { table: error.table } : {}),
    ...(typeof error.constraint === 'string' ? { constraint: error.constraint } : {}),
    stack: (error.stack ?? '')
      .split('\n')
      .filter((line) => /^\s+at /.test(line))
      .join('\n'),
  };
}
