import { pino, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import { scrubPersonalData } from './scrub.js';

export type { Logger };

/**
 * Keys whose values never reach a log line, wherever they sit (top level or one object down).
 * Message bodies are personal data too: a reminder names the customer and what they owe.
 */
const SECRET_KEYS = [
  'email',
  'phone',
  'to',
  'from',
  'recipient',
  'subject',
  'body',
  'html',
  'text',
  'token',
  'apiToken',
  'password',
  'passwordHash',
  'secret',
  'authToken',
  'authorization',
  'cookie',
  'databaseUrl',
  'redisUrl',
];

export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-twilio-signature"]',
];

export interface LoggerSettings {
  level: string;
  format: 'auto' | 'json' | 'pretty';
  production: boolean;
}

/**
 * Builds the one pino logger of a process. Named keys are redacted by path; as a safety net,
 * email addresses, phone numbers and URL credentials left in any other string are masked.
 */
export function createLogger(settings: LoggerSettings, destination: NodeJS.WritableStream = process.stdout): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // The log formatter has already made errors plain (errorForLog); pino's own would re-type them.
    serializers: { err: (value: unknown) => value },
    formatters: { log: (object) => scrubPersonalData(object) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrubPersonalData(arg) : arg)) as Parameters<typeof method>);
      },
    },
  };
  if (wantsPretty(settings, destination)) {
    return pino(options, pretty({ colorize: true, sync: true, destination, ignore: 'pid,hostname' }));
  }
  return pino(options, destination as pino.DestinationStream);
}

function wantsPretty(settings: LoggerSettings, destination: NodeJS.WritableStream): boolean {
  if (settings.format !== 'auto') return settings.format === 'pretty';
  const isTerminal = (destination as NodeJS.WriteStream).isTTY === true;
  return isTerminal && !settings.production;
}
