import path from 'node:path';
import { z } from 'zod';
import type { EmailTransportSettings } from '../channels/email/create-email-transport.js';
import type { SmsTransportSettings } from '../channels/sms/create-sms-transport.js';
import type { MailboxSettings } from '../replies/mailbox-poller.js';
import type { CompanyProfile } from '../templates/context.js';
import { isKnownCurrency } from '../core/money.js';
import { ConfigError } from './config-error.js';
import { productionSecretProblems } from './production-checks.js';
import { RULE_IDS, type RuleId } from '../core/interest/rules.js';

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

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
export const envSchema = z
  .object({
    /** `production` switches logs to JSON even on a terminal. */
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    /** Minimum pino log level. */
    LOG_LEVEL: logLevel.default('info'),
    /** `auto` = pretty on a terminal outside production, JSON otherwise. */
    LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
    /** Postgres to use. Unset: an embedded Postgres is started under ARREARS_DATA_DIR. */
    DATABASE_URL: optionalUrl(['postgres', 'postgresql']),
    /**
     * Connections in each of a process's two Postgres pools (Prisma's, and the plain pg pool of the
     * hot paths' set-based statements): a process opens up to twice this many.
     */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(10),
    /** One Redis server. Unset (and no REDIS_CLUSTER_NODES): a redis-server is started on a free loopback port. */
    REDIS_URL: optionalUrl(['redis', 'rediss']).refine((value) => value === undefined || !value.includes(','), {
      message: 'names one server; for a Redis Cluster set REDIS_CLUSTER_NODES=host:port,host:port,… instead',
    }),
    /**
     * A Redis Cluster: some of its nodes as `host:port,host:port,…` (the client discovers the
     * rest). Every Redis client of the process is then a cluster client. Excludes REDIS_URL.
     */
    REDIS_CLUSTER_NODES: optionalText.transform((value, ctx) => {
      if (value === undefined) return undefined;
      const nodes = value.split(',').map((entry) => parseClusterNode(entry.trim()));
      const bad = value.split(',').filter((_entry, i) => nodes[i] === null);
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `must be comma-separated host:port pairs such as redis-1:6379,redis-2:6379 (bad: ${bad.map((b) => `"${b.trim()}"`).join(', ')})`,
        });
        return z.NEVER;
      }
      return nodes as ClusterNode[];
    }),
    /** ACL user of the cluster's nodes (REDIS_CLUSTER_NODES); with REDIS_URL it goes in the URL. */
    REDIS_USERNAME: optionalText,
    /** Password of the cluster's nodes (REDIS_CLUSTER_NODES); with REDIS_URL it goes in the URL. */
    REDIS_PASSWORD: optionalText,
    /** TLS to the cluster's nodes (REDIS_CLUSTER_NODES); with REDIS_URL use `rediss://`. */
    REDIS_TLS: flag.default(false),
    /**
     * How long a process may take to close at SIGTERM (in-flight jobs, queues, Redis, database
     * pools) before the connections still open are dropped and it exits with code 1.
     */
    SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(1).max(3_600).default(10),
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
    /**
     * When statements of account are queued (cron, in TICK_TZ; `off` disables them). Hourly by
     * default: each customer gets the period's statement on the first run inside their send window.
     */
    STATEMENTS_CRON: z.string().trim().min(3).default('0 * * * *'),
    /** IANA time zone the tick's cron pattern is read in. */
    TICK_TZ: z.string().trim().default('UTC').refine(isValidTimeZone, { message: 'must be an IANA time zone such as Europe/Bucharest' }),
    /**
     * ISO 4217 code that amounts of different currencies are converted to (with the dated rates of
     * `exchange_rates`) before they are added or ranked together.
     */
    BASE_CURRENCY: z
      .string()
      .trim()
      .default('EUR')
      .refine(isKnownCurrency, { message: 'must be an ISO 4217 currency code with a minor unit, upper case, such as EUR or USD' }),
    /**
     * The late-payment rule for customers without their own (`customers.interest_rule`): `none`
     * (no interest), `uk-late-payment`, `eu-late-payment`, `ro-law-72-2013` or `tr-ttk-1530`.
     */
    INTEREST_RULE: z.enum(['none', ...RULE_IDS]).default('none'),
    /** How a payment to a late invoice counts for interest: `principal-first` (the ledger's way) or `interest-first`. */
    INTEREST_ALLOCATION: z.enum(['principal-first', 'interest-first']).default('principal-first'),
    /** `capture` writes each email as an .eml file under EMAIL_CAPTURE_DIR; `smtp` sends it. */
    EMAIL_TRANSPORT: z.enum(['capture', 'smtp']).default('capture'),
    /** Where captured emails go (relative paths are inside ARREARS_DATA_DIR). */
    EMAIL_CAPTURE_DIR: z.string().trim().min(1).default('outbox/email'),
    /** Sender of every customer email. */
    EMAIL_FROM: z.string().trim().min(3).default('Accounts Receivable <ar@example.com>'),
    /** Reply-To of every customer email: the mailbox replies are read from (IMAP); unset = replies go to EMAIL_FROM. */
    EMAIL_REPLY_TO: optionalText,
    /** DKIM: the signing domain (d=), usually EMAIL_FROM's. Set all three EMAIL_DKIM_* or none. */
    EMAIL_DKIM_DOMAIN: optionalText,
    /** DKIM: the selector (s=) whose TXT record `<selector>._domainkey.<domain>` holds the public key. */
    EMAIL_DKIM_SELECTOR: optionalText,
    /** DKIM: a PEM private key file; unreadable → the worker refuses to start. */
    EMAIL_DKIM_PRIVATE_KEY_FILE: optionalText,
    SMTP_HOST: z.string().trim().default('localhost'),
    SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
    /** `true` for implicit TLS (port 465); otherwise STARTTLS is used when offered. */
    SMTP_SECURE: flag.default(false),
    SMTP_USER: optionalText,
    /** Parallel connections to the SMTP relay, per worker process. */
    SMTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(100).default(5),
    SMTP_PASSWORD: optionalText,
    /** `capture` appends each SMS to a JSON-lines file under SMS_CAPTURE_DIR; `twilio` sends it. */
    SMS_TRANSPORT: z.enum(['capture', 'twilio']).default('capture'),
    SMS_CAPTURE_DIR: z.string().trim().min(1).default('outbox/sms'),
    TWILIO_ACCOUNT_SID: optionalText,
    TWILIO_AUTH_TOKEN: optionalText,
    /** Sender number (E.164); or set TWILIO_MESSAGING_SERVICE_SID. */
    TWILIO_FROM: optionalText,
    TWILIO_MESSAGING_SERVICE_SID: optionalText,
    /** Another origin speaking Twilio's REST API (a local endpoint in tests and the demo). */
    TWILIO_API_BASE_URL: optionalUrl(['http', 'https']),
    /** Most emails handed to the SMTP relay per second, across all worker processes. */
    EMAIL_RATE_PER_SECOND: z.coerce.number().int().min(1).default(50),
    /** Most SMS handed to Twilio per second, across all worker processes (Twilio queues the rest). */
    SMS_RATE_PER_SECOND: z.coerce.number().int().min(1).default(10),
    /**
     * Email delivery jobs a worker process runs at once. More jobs in flight than SMTP connections
     * is deliberate: their contact-log reads and writes are coalesced into shared statements.
     */
    EMAIL_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(100),
    /** SMS delivery jobs a worker process runs at once. */
    SMS_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(50),
    /** Cases decided by one step job (one read, one transaction of set-based writes per batch). */
    STEP_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(50),
    /** Step jobs a worker process runs at once; each holds a database connection while it records. */
    STEP_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
    /**
     * How far V8 lets a worker's heap grow past what survived the last full collection, in
     * percent (0 = V8's own choice, up to 4×). A worker's garbage is mostly messages in flight;
     * collecting it sooner keeps the process small for little CPU. See the README's Performance.
     */
    WORKER_HEAP_GROWTH_PERCENT: z.coerce.number().int().min(0).max(300).default(30),
    /** Most due cases one tick hands to step jobs; the rest wait for the next tick. */
    TICK_MAX_CASES: z.coerce.number().int().min(1).default(50_000),
    /** Most undelivered contacts (queued, or stale `sending`) one tick hands to delivery jobs. */
    TICK_MAX_REDELIVERIES: z.coerce.number().int().min(1).default(10_000),
    /** Manager-alert deliveries (email to each manager, the alert webhook) a worker process runs at once. */
    ALERT_DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
    /** Credit-hold events (ERP webhook, sales email) a worker process runs at once. */
    CREDIT_HOLD_EVENT_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),
    /**
     * A delivery left `sending` this long belongs to a worker that died mid-send; the tick hands it
     * to a new job, which looks the SMS up at the provider (or resends the email under the same
     * Message-ID) before anything else.
     */
    DELIVERY_STALE_AFTER_SECONDS: z.coerce.number().int().min(5).default(300),
    /** Longest SMS allowed, in segments; templates that could exceed it stop the worker at start. */
    SMS_SEGMENT_LIMIT: z.coerce.number().int().min(1).max(10).default(3),
    /** Company details shown in every reminder. */
    COMPANY_NAME: z.string().trim().min(1).default('Example Trading Ltd'),
    /** Sign-off above the company name in emails (`\n` for a line break). */
    COMPANY_SIGNATURE: z.string().trim().min(1).default('Accounts Receivable'),
    COMPANY_PAY_URL: z.url().default('https://pay.example.com'),
    COMPANY_SUPPORT_EMAIL: z.string().trim().min(3).default('ar@example.com'),
    COMPANY_SUPPORT_PHONE: z.string().trim().min(3).default('+1 555 0100'),
    COMPANY_PAYMENT_INSTRUCTIONS: z
      .string()
      .trim()
      .min(1)
      .default('Bank transfer to IBAN XX00 0000 0000 0000, quoting the invoice numbers.'),
    /** Folder of extra policy JSON files (added to the built-in `default` and `key-account`). */
    POLICIES_DIR: optionalText,
    /** JSON file overriding the dunning rules' defaults (send window, holidays, caps, …). */
    DUNNING_RULES_FILE: optionalText,
    /** Folder whose template files replace the shipped ones with the same relative path. */
    TEMPLATES_DIR: optionalText,
    /** Where `arrears serve` listens (webhooks, one-click unsubscribe). */
    HTTP_HOST: z.string().trim().min(1).default('127.0.0.1'),
    HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /**
     * The origin (and optional path prefix) customers' mail clients and Twilio reach `arrears serve`
     * at. Unset: reminders carry no one-click URL, SMS no status callback, Twilio webhooks are off.
     */
    PUBLIC_BASE_URL: optionalUrl(['http', 'https']),
    /** Key signing unsubscribe links. Unset: generated once into ARREARS_DATA_DIR/unsubscribe.secret. */
    UNSUBSCRIBE_SECRET: optionalText.refine((value) => value === undefined || value.length >= 32, {
      message: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)',
    }),
    /** How old the dashboard's pre-aggregated figures may get before they are refreshed; 0 = on every view. */
    DASHBOARD_REFRESH_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
    /** Signs console session cookies. Unset: generated once into ARREARS_DATA_DIR/session.secret. */
    SESSION_SECRET: optionalText.refine((value) => value === undefined || value.length >= 32, {
      message: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)',
    }),
    /** A console session ends after this many minutes without a request. */
    SESSION_IDLE_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(120),
    /** A console session ends this many hours after sign-in, however busy. */
    SESSION_MAX_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(12),
    /**
     * Oldest a signed webhook request may be (its `X-Arrears-Timestamp`, either side of now) before
     * it is refused as a possible replay.
     */
    WEBHOOK_MAX_AGE_SECONDS: z.coerce.number().int().min(30).max(86_400).default(300),
    /**
     * How long the keys of webhook requests acted on are kept (a replay of one is refused while it
     * is). Twilio signs no time, so this is how long a captured Twilio request stays harmless;
     * never shorter than a signed request's replay window (twice WEBHOOK_MAX_AGE_SECONDS, plus an hour).
     */
    WEBHOOK_RECEIPT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(90),
    /** HMAC key of `POST /webhooks/email/bounce`; unset = the route is off. */
    EMAIL_WEBHOOK_SECRET: optionalText.refine((value) => value === undefined || value.length >= 16, {
      message: 'must be at least 16 characters',
    }),
    /** Comma-separated addresses that receive manager alerts when no active user has the manager role. */
    MANAGER_EMAILS: z
      .string()
      .trim()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== ''),
      )
      .refine((list) => list.every((v) => /^[^@\s]+@[^@\s]+$/.test(v)), { message: 'must be comma-separated email addresses' }),
    /** Optional receiver of every manager alert as signed JSON (Arrears-Signature). */
    ALERT_WEBHOOK_URL: optionalUrl(['http', 'https']),
    /** HMAC key signing ALERT_WEBHOOK_URL requests (16+ characters); required with the URL. */
    ALERT_WEBHOOK_SECRET: optionalText.refine((value) => value === undefined || value.length >= 16, {
      message: 'must be at least 16 characters',
    }),
    /** Unacknowledged alerts are delivered again after this many hours; 0 = never. */
    ALERT_RERAISE_HOURS: z.coerce.number().int().min(0).default(24),
    /** When each manager gets the digest of open alerts (cron, read in TICK_TZ). */
    ALERT_DIGEST_CRON: z.string().trim().min(9).default('0 7 * * *'),
    /** `EUR=500000,USD=500000`: balance 60+ days past due (minor units) that raises a balance-threshold alert; empty = off. */
    ALERT_BALANCE_THRESHOLDS: z
      .string()
      .trim()
      .default('')
      .refine((value) => value === '' || value.split(',').every((pair) => /^\s*[A-Z]{3}=\d+\s*$/.test(pair)), {
        message: 'must look like EUR=500000,USD=500000 (minor units)',
      }),
    /** Largest inbound message accepted (raw MIME, bytes); larger ones are refused with a logged reason. */
    INBOUND_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(25 * 1024 * 1024),
    /** Largest attachment whose content is kept with a reply; larger ones are listed without content. */
    INBOUND_MAX_ATTACHMENT_BYTES: z.coerce
      .number()
      .int()
      .min(0)
      .default(10 * 1024 * 1024),
    /** Business days a person's reply pauses automated contact unless a collector marks it handled first. */
    REPLY_PAUSE_BUSINESS_DAYS: z.coerce.number().int().min(0).max(60).default(5),
    /** Latest day a promise to pay may name, in days from today (customer's zone); longer arrangements are payment plans. */
    PROMISE_MAX_DAYS: z.coerce.number().int().min(1).max(366).default(60),
    /** Optional ERP endpoint told about credit holds placed and released (signed JSON). */
    CREDIT_HOLD_WEBHOOK_URL: optionalUrl(['http', 'https']),
    /** HMAC key signing CREDIT_HOLD_WEBHOOK_URL requests (16+ characters); required with the URL. */
    CREDIT_HOLD_WEBHOOK_SECRET: optionalText.refine((value) => value === undefined || value.length >= 16, {
      message: 'must be at least 16 characters',
    }),
    /** IMAP mailbox replies arrive in: `imap://host:port` (STARTTLS when offered) or `imaps://host:port`; unset = no poller. */
    IMAP_URL: optionalUrl(['imap', 'imaps']),
    IMAP_USER: optionalText,
    IMAP_PASSWORD: optionalText,
    /** The mailbox watched for replies. */
    IMAP_MAILBOX: z.string().trim().min(1).default('INBOX'),
    /** Where a received message is moved (created when missing). */
    IMAP_PROCESSED_MAILBOX: z.string().trim().min(1).default('Processed'),
    /** How often the mailbox is checked when the server offers no IDLE (with IDLE: a safety re-check). */
    IMAP_POLL_SECONDS: z.coerce.number().int().min(5).max(3_600).default(60),
  })
  .superRefine((env, ctx) => {
    if (env.IMAP_URL) {
      for (const name of ['IMAP_USER', 'IMAP_PASSWORD'] as const) {
        if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when IMAP_URL is set' });
      }
      if (env.IMAP_PROCESSED_MAILBOX === env.IMAP_MAILBOX) {
        ctx.addIssue({ code: 'custom', path: ['IMAP_PROCESSED_MAILBOX'], message: 'must differ from IMAP_MAILBOX' });
      }
    }
    if (env.REDIS_URL && env.REDIS_CLUSTER_NODES) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_CLUSTER_NODES'],
        message: 'set either REDIS_URL (one server) or REDIS_CLUSTER_NODES (a Redis Cluster), not both',
      });
    }
    if (!env.REDIS_CLUSTER_NODES) {
      for (const name of ['REDIS_USERNAME', 'REDIS_PASSWORD', 'REDIS_TLS'] as const) {
        if (env[name]) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message:
              'applies to REDIS_CLUSTER_NODES only; with REDIS_URL put credentials in the URL (rediss://user:password@host:port for TLS)',
          });
        }
      }
    }
    for (const [url, secret] of [
      ['ALERT_WEBHOOK_URL', 'ALERT_WEBHOOK_SECRET'],
      ['CREDIT_HOLD_WEBHOOK_URL', 'CREDIT_HOLD_WEBHOOK_SECRET'],
    ] as const) {
      if (env[url] && !env[secret]) ctx.addIssue({ code: 'custom', path: [secret], message: `is required when ${url} is set` });
    }
    const dkim = ['EMAIL_DKIM_DOMAIN', 'EMAIL_DKIM_SELECTOR', 'EMAIL_DKIM_PRIVATE_KEY_FILE'] as const;
    if (dkim.some((name) => env[name]) && !dkim.every((name) => env[name])) {
      for (const name of dkim.filter((n) => !env[n])) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'is required with the other EMAIL_DKIM_* settings' });
      }
    }
    if (env.SMS_TRANSPORT !== 'twilio') return;
    const required = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN'] as const;
    for (const name of required) {
      if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when SMS_TRANSPORT=twilio' });
    }
    if (!env.TWILIO_FROM && !env.TWILIO_MESSAGING_SERVICE_SID) {
      ctx.addIssue({
        code: 'custom',
        path: ['TWILIO_FROM'],
        message: 'or TWILIO_MESSAGING_SERVICE_SID is required when SMS_TRANSPORT=twilio',
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

/** One seed node of a Redis Cluster. */
export interface ClusterNode {
  host: string;
  port: number;
}

/**
 * The Redis every client of a process talks to: one server (a URL, credentials and TLS inside),
 * or a Redis Cluster (seed nodes; the client follows MOVED/ASK redirections to the rest).
 */
export type RedisTarget =
  { kind: 'server'; url: string } | { kind: 'cluster'; nodes: ClusterNode[]; username?: string; password?: string; tls: boolean };

/** The variables that name `target` for another arrears process (`arrears stack`, the bench, tests). */
export function redisEnvironment(target: RedisTarget): Record<string, string> {
  if (target.kind === 'server') return { REDIS_URL: target.url };
  return {
    REDIS_CLUSTER_NODES: target.nodes
      .map((node) => (node.host.includes(':') ? `[${node.host}]:${node.port}` : `${node.host}:${node.port}`))
      .join(','),
    ...(target.username && { REDIS_USERNAME: target.username }),
    ...(target.password && { REDIS_PASSWORD: target.password }),
    ...(target.tls && { REDIS_TLS: 'true' }),
  };
}

/** `host:port` or `[ipv6]:port`; null when it is neither. */
function parseClusterNode(entry: string): ClusterNode | null {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+)):(\d{1,5})$/.exec(entry);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) return null;
  return { host: match[1] ?? match[2]!, port };
}

/** The parsed configuration handed to the composition root. */
export interface Config {
  env: Env['NODE_ENV'];
  log: { level: Env['LOG_LEVEL']; format: Env['LOG_FORMAT'] };
  databaseUrl: string | undefined;
  /** DATABASE_POOL_SIZE. */
  databasePoolSize: number;
  /** SHUTDOWN_GRACE_SECONDS. */
  shutdownGraceSeconds: number;
  /** Undefined: the embedded stack starts a redis-server. */
  redis: RedisTarget | undefined;
  dataDir: string;
  /** ISO 4217 code amounts of different currencies are converted to before they are added or ranked. */
  baseCurrency: string;
  queue: {
    prefix: string;
    tickCron: string;
    tickTimeZone: string;
    /** Null when statements are switched off. */
    statementsCron: string | null;
    staleSendingMs: number;
  };
  /** How much work a worker process takes on at once; the defaults suit one process on two cores. */
  worker: WorkerTuning;
  email: { from: string; replyTo: string | null; transport: EmailTransportSettings; ratePerSecond: number; concurrency: number };
  sms: { transport: SmsTransportSettings; segmentLimit: number; ratePerSecond: number; concurrency: number };
  company: CompanyProfile;
  policiesDir: string | undefined;
  rulesFile: string | undefined;
  templatesDir: string | undefined;
  http: {
    host: string;
    port: number;
    /** Without a trailing slash; null = no one-click URLs, status callbacks or Twilio webhooks. */
    publicBaseUrl: string | null;
    /** Null = use (or create) `unsubscribe.secret` in the data directory. */
    unsubscribeSecret: string | null;
    /** Verifies `X-Twilio-Signature`; read even when SMS are captured. */
    twilioAuthToken: string | null;
    emailWebhookSecret: string | null;
    /** WEBHOOK_MAX_AGE_SECONDS: how far a signed webhook's timestamp may be from now. */
    webhookMaxAgeSeconds: number;
    /** WEBHOOK_RECEIPT_RETENTION_DAYS: how long webhook receipts are kept (the housekeeping job). */
    webhookReceiptRetentionDays: number;
    /** Null = use (or create) `session.secret` in the data directory. */
    sessionSecret: string | null;
    /** SESSION_IDLE_MINUTES and SESSION_MAX_HOURS, in seconds. */
    sessionLifetimes: { idleSeconds: number; maxSeconds: number };
    dashboardRefreshSeconds: number;
  };
  alerts: {
    /** Fallback recipients when no active manager user exists. */
    managerEmails: string[];
    webhook: { url: string; secret: string } | null;
    /** 0 = never re-raise. */
    reRaiseHours: number;
    digestCron: string;
    /** Minor units per currency; empty = no balance-threshold alerts. */
    balanceThresholds: Record<string, number>;
  };
  creditHold: { webhook: { url: string; secret: string } | null };
  /** Case actions' sense checks. */
  cases: { promiseMaxDays: number };
  /** Replies: size limits of what is received and kept, and the reply pause. */
  replies: { maxBytes: number; maxAttachmentBytes: number; pauseBusinessDays: number };
  /** The mailbox replies arrive in; null (IMAP_URL unset) = no poller. */
  imap: MailboxSettings | null;
  /** Late-payment interest: the business default rule (null = none) and how payments count. */
  interest: { defaultRule: RuleId | null; allocation: 'principal-first' | 'interest-first' };
}

/**
 * The worker's tuning knobs. Delivery concurrency and rate limits sit with their channel
 * (`email`, `sms`); the tick, statements, sweep and digest always run one job at a time.
 */
export interface WorkerTuning {
  /** Cases per step job. */
  stepBatchSize: number;
  stepConcurrency: number;
  /** V8's heap growing factor for a worker process, in percent over the live heap; 0 = V8's default. */
  heapGrowthPercent: number;
  /** Most due cases read per tick. */
  tickMaxCases: number;
  /** Most undelivered contacts re-enqueued per tick. */
  tickMaxRedeliveries: number;
  alertDeliveryConcurrency: number;
  creditHoldEventConcurrency: number;
}

export { ConfigError };

/** Parses the environment once, at start. Pure: pass `process.env` in. */
export function loadConfig(source: Record<string, string | undefined>, cwd: string): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const env = parsed.data;
  const refused = productionSecretProblems(env);
  if (refused.length > 0) throw new ConfigError(refused);
  const dataDir = path.resolve(cwd, env.ARREARS_DATA_DIR);
  return {
    env: env.NODE_ENV,
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT },
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    shutdownGraceSeconds: env.SHUTDOWN_GRACE_SECONDS,
    redis: redisTarget(env),
    dataDir,
    baseCurrency: env.BASE_CURRENCY,
    queue: {
      prefix: env.QUEUE_PREFIX,
      tickCron: env.TICK_CRON,
      tickTimeZone: env.TICK_TZ,
      statementsCron: env.STATEMENTS_CRON === 'off' ? null : env.STATEMENTS_CRON,
      staleSendingMs: env.DELIVERY_STALE_AFTER_SECONDS * 1_000,
    },
    worker: {
      stepBatchSize: env.STEP_BATCH_SIZE,
      stepConcurrency: env.STEP_CONCURRENCY,
      heapGrowthPercent: env.WORKER_HEAP_GROWTH_PERCENT,
      tickMaxCases: env.TICK_MAX_CASES,
      tickMaxRedeliveries: env.TICK_MAX_REDELIVERIES,
      alertDeliveryConcurrency: env.ALERT_DELIVERY_CONCURRENCY,
      creditHoldEventConcurrency: env.CREDIT_HOLD_EVENT_CONCURRENCY,
    },
    email: {
      from: env.EMAIL_FROM,
      replyTo: env.EMAIL_REPLY_TO ?? null,
      transport: emailTransport(env, dataDir),
      ratePerSecond: env.EMAIL_RATE_PER_SECOND,
      concurrency: env.EMAIL_CONCURRENCY,
    },
    sms: {
      transport: smsTransport(env, dataDir),
      segmentLimit: env.SMS_SEGMENT_LIMIT,
      ratePerSecond: env.SMS_RATE_PER_SECOND,
      concurrency: env.SMS_CONCURRENCY,
    },
    company: {
      name: env.COMPANY_NAME,
      signature: env.COMPANY_SIGNATURE.replace(/\\n/g, '\n'),
      payUrl: env.COMPANY_PAY_URL,
      supportEmail: env.COMPANY_SUPPORT_EMAIL,
      supportPhone: env.COMPANY_SUPPORT_PHONE,
      paymentInstructions: env.COMPANY_PAYMENT_INSTRUCTIONS,
    },
    policiesDir: env.POLICIES_DIR && path.resolve(cwd, env.POLICIES_DIR),
    rulesFile: env.DUNNING_RULES_FILE && path.resolve(cwd, env.DUNNING_RULES_FILE),
    templatesDir: env.TEMPLATES_DIR && path.resolve(cwd, env.TEMPLATES_DIR),
    http: {
      host: env.HTTP_HOST,
      port: env.HTTP_PORT,
      publicBaseUrl: env.PUBLIC_BASE_URL?.replace(/\/+$/, '') ?? null,
      unsubscribeSecret: env.UNSUBSCRIBE_SECRET ?? null,
      twilioAuthToken: env.TWILIO_AUTH_TOKEN ?? null,
      emailWebhookSecret: env.EMAIL_WEBHOOK_SECRET ?? null,
      webhookMaxAgeSeconds: env.WEBHOOK_MAX_AGE_SECONDS,
      webhookReceiptRetentionDays: env.WEBHOOK_RECEIPT_RETENTION_DAYS,
      sessionSecret: env.SESSION_SECRET ?? null,
      sessionLifetimes: { idleSeconds: env.SESSION_IDLE_MINUTES * 60, maxSeconds: env.SESSION_MAX_HOURS * 3600 },
      dashboardRefreshSeconds: env.DASHBOARD_REFRESH_SECONDS,
    },
    alerts: {
      managerEmails: env.MANAGER_EMAILS,
      webhook: env.ALERT_WEBHOOK_URL ? { url: env.ALERT_WEBHOOK_URL, secret: env.ALERT_WEBHOOK_SECRET ?? '' } : null,
      reRaiseHours: env.ALERT_RERAISE_HOURS,
      digestCron: env.ALERT_DIGEST_CRON,
      balanceThresholds: Object.fromEntries(
        env.ALERT_BALANCE_THRESHOLDS.split(',')
          .filter((pair) => pair.trim() !== '')
          .map((pair) => pair.split('=').map((part) => part.trim()))
          .map(([currency, amount]) => [currency!, Number(amount)]),
      ),
    },
    creditHold: {
      webhook: env.CREDIT_HOLD_WEBHOOK_URL ? { url: env.CREDIT_HOLD_WEBHOOK_URL, secret: env.CREDIT_HOLD_WEBHOOK_SECRET ?? '' } : null,
    },
    cases: { promiseMaxDays: env.PROMISE_MAX_DAYS },
    replies: {
      maxBytes: env.INBOUND_MAX_BYTES,
      maxAttachmentBytes: env.INBOUND_MAX_ATTACHMENT_BYTES,
      pauseBusinessDays: env.REPLY_PAUSE_BUSINESS_DAYS,
    },
    imap: env.IMAP_URL
      ? {
          url: env.IMAP_URL,
          user: env.IMAP_USER ?? '',
          password: env.IMAP_PASSWORD ?? '',
          mailbox: env.IMAP_MAILBOX,
          processedMailbox: env.IMAP_PROCESSED_MAILBOX,
          pollSeconds: env.IMAP_POLL_SECONDS,
        }
      : null,
    interest: { defaultRule: env.INTEREST_RULE === 'none' ? null : env.INTEREST_RULE, allocation: env.INTEREST_ALLOCATION },
  };
}

function redisTarget(env: Env): RedisTarget | undefined {
  if (env.REDIS_CLUSTER_NODES) {
    return {
      kind: 'cluster',
      nodes: env.REDIS_CLUSTER_NODES,
      ...(env.REDIS_USERNAME && { username: env.REDIS_USERNAME }),
      ...(env.REDIS_PASSWORD && { password: env.REDIS_PASSWORD }),
      tls: env.REDIS_TLS,
    };
  }
  return env.REDIS_URL ? { kind: 'server', url: env.REDIS_URL } : undefined;
}

function emailTransport(env: Env, dataDir: string): EmailTransportSettings {
  if (env.EMAIL_TRANSPORT === 'capture') {
    return { kind: 'capture', dir: path.resolve(dataDir, env.EMAIL_CAPTURE_DIR) };
  }
  const auth = env.SMTP_USER ? { user: env.SMTP_USER, pass: env.SMTP_PASSWORD ?? '' } : undefined;
  return {
    kind: 'smtp',
    host: env.SMTP_HOST,
    port: env.SMTP_PORT,
    secure: env.SMTP_SECURE,
    maxConnections: env.SMTP_MAX_CONNECTIONS,
    ...(auth && { auth }),
    ...(env.EMAIL_DKIM_DOMAIN &&
      env.EMAIL_DKIM_SELECTOR &&
      env.EMAIL_DKIM_PRIVATE_KEY_FILE && {
        dkim: {
          domainName: env.EMAIL_DKIM_DOMAIN,
          keySelector: env.EMAIL_DKIM_SELECTOR,
          privateKeyFile: path.resolve(dataDir, env.EMAIL_DKIM_PRIVATE_KEY_FILE),
        },
      }),
  };
}

function smsTransport(env: Env, dataDir: string): SmsTransportSettings {
  if (env.SMS_TRANSPORT === 'capture') {
    return { kind: 'capture', dir: path.resolve(dataDir, env.SMS_CAPTURE_DIR) };
  }
  return {
    kind: 'twilio',
    accountSid: env.TWILIO_ACCOUNT_SID ?? '',
    authToken: env.TWILIO_AUTH_TOKEN ?? '',
    ...(env.TWILIO_FROM && { from: env.TWILIO_FROM }),
    ...(env.TWILIO_MESSAGING_SERVICE_SID && { messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID }),
    ...(env.TWILIO_API_BASE_URL && { baseUrl: env.TWILIO_API_BASE_URL }),
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
