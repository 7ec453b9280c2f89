import path from 'node:path';
import { z } from 'zod';

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .transform((value) => (value === '' ? undefined : value))
    .optional()
    .refine((value) => value === undefined || protocols.some((p) => value.startsWith(`${p}://`)), {
      message: `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });

/**
 * Every environment variable Arrears reads, with its default. This schema is the only place the
 * environment is interpreted; `.env.example` and the README's configuration table list the same
 * keys (a unit test keeps the three in step).
 */
export const envSchema = z.object({
  /** `production` switches logs to JSON even on a terminal. */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Minimum pino log level. */
  LOG_LEVEL: logLevel.default('info'),
  /** `auto` = pretty on a terminal outside production, JSON otherwise. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  /** Postgres to use. Unset: an embedded Postgres is started under ARREARS_DATA_DIR. */
  DATABASE_URL: optionalUrl(['postgres', 'postgresql']),
  /** Redis to use. Unset: a redis-server is started on a free loopback port. */
  REDIS_URL: optionalUrl(['redis', 'rediss']),
  /** Where the embedded stack keeps its files (Postgres cluster, captured mail). */
  ARREARS_DATA_DIR: z.string().trim().min(1).default('./data'),
  /**
   * Prefix of every BullMQ key. The braces make it a Redis Cluster hash tag, so all of a
   * queue's keys land in one slot.
   */
  QUEUE_PREFIX: z
    .string()
    .trim()
    .regex(/^\{[A-Za-z0-9_-]+\}$/, 'must be a hash tag such as {arrears}')
    .default('{arrears}'),
  /** Cron pattern of the tick that looks for collection cases due for a decision. */
  TICK_CRON: z.string().trim().min(9).default('*/5 * * * *'),
  /** IANA time zone the tick's cron pattern is read in. */
  TICK_TZ: z
    .string()
    .trim()
    .default('UTC')
    .refine(isValidTimeZone, { message: 'must be an IANA time zone such as Europe/Bucharest' }),
});

export type Env = z.infer<typeof envSchema>;

/** The parsed configuration handed to the composition root. */
export interface Config {
  env: Env['NODE_ENV'];
  log: { level: Env['LOG_LEVEL']; format: Env['LOG_FORMAT'] };
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  dataDir: string;
  queue: { prefix: string; tickCron: string; tickTimeZone: string };
}

/** Thrown when the environment does not parse; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once, at start. Pure: pass `process.env` in. */
export function loadConfig(source: Record<string, string | undefined>, cwd: string): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const env = parsed.data;
  return {
    env: env.NODE_ENV,
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT },
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    dataDir: path.resolve(cwd, env.ARREARS_DATA_DIR),
    queue: { prefix: env.QUEUE_PREFIX, tickCron: env.TICK_CRON, tickTimeZone: env.TICK_TZ },
  };
}

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
