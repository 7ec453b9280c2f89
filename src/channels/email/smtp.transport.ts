import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { ConfigError } from '../../config/config-error.js';
import type { EmailSendResult, EmailTransport, OutgoingEmail } from './email-transport.js';
import { toMailOptions } from './mail-options.js';
import { classifySmtpError } from './smtp-errors.js';

/** An SMTP relay, reached through a pool of connections. */
export interface SmtpSettings {
  kind: 'smtp';
  host: string;
  port: number;
  /** TLS from the first byte (port 465). Otherwise STARTTLS is used when the server offers it. */
  secure: boolean;
  /** Refuse to send unless the server upgrades to TLS with STARTTLS. */
  requireTls?: boolean;
  auth?: { user: string; pass: string };
  /** How long to wait for the TCP connection. Default 10 s. */
  connectionTimeoutMs?: number;
  /** How long a connected socket may stay silent. Default 30 s. */
  socketTimeoutMs?: number;
  /** Parallel connections in the pool. Default 5. */
  maxConnections?: number;
  /** Sign every message with DKIM (EMAIL_DKIM_*); the key is read from the file at start. */
  dkim?: { domainName: string; keySelector: string; privateKeyFile: string };
}

/** The DKIM private key; an unreadable file stops the start, naming the setting. */
function readDkimKey(file: string): string {
  try {
    const key = readFileSync(file, 'utf8');
    if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(key)) throw new Error('not a PEM private key');
    return key;
  } catch (error) {
    throw new ConfigError([`EMAIL_DKIM_PRIVATE_KEY_FILE: cannot read a PEM private key from ${file} (${(error as Error).message})`]);
  }
}

/** What the SMTP thread answers for one message (`smtp-thread.js`). */
interface ThreadReply {
  id: number;
  messageId?: string;
  error?: { message: string; code?: unknown; responseCode?: unknown; originalCode?: unknown; response?: unknown; command?: unknown };
}

const THREAD_ENTRY = new URL('./smtp-thread.js', import.meta.url);

/**
 * The thread's young generation, in MB. V8's default (up to 48 MB per isolate) would let the
 * thread's short-lived MIME buffers cost a worker ~15 MB more at peak for no measurable speed.
 */
const THREAD_YOUNG_GENERATION_MB = 8;

/**
 * Sends email over a pooled SMTP connection. The pool runs in a worker thread of its own
 * (`smtp-thread.js`): building each message's MIME and writing it to the relay is about a third of
 * a worker's CPU per email, and there it runs beside the decisions and the contact log instead of
 * between them. A thread that stops fails the messages it held as "maybe sent" (the contact's
 * retry decides what to do), and the next send starts a new one.
 */
export class SmtpEmailTransport implements EmailTransport {
  private readonly options: SMTPPool.Options;
  /** The running thread and the messages it holds (a new thread after a crash holds its own). */
  private current: { thread: Worker; pending: Map<number, (reply: ThreadReply) => void> } | null = null;
  private nextId = 0;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(settings: SmtpSettings) {
    this.options = {
      pool: true,
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      requireTLS: settings.requireTls ?? false,
      ...(settings.auth ? { auth: settings.auth } : {}),
      ...(settings.dkim && {
        dkim: {
          domainName: settings.dkim.domainName,
          keySelector: settings.dkim.keySelector,
          privateKey: readDkimKey(settings.dkim.privateKeyFile),
        },
      }),
      connectionTimeout: settings.connectionTimeoutMs ?? 10_000,
      greetingTimeout: settings.connectionTimeoutMs ?? 10_000,
      socketTimeout: settings.socketTimeoutMs ?? 30_000,
      maxConnections: settings.maxConnections ?? 5,
      // The pool would otherwise silently resend a message whose connection dropped mid-send.
      // Whether to resend is the delivery job's decision (it knows the contact's state), so a
      // dropped send surfaces as a transient error instead.
      maxRequeues: 0,
    };
  }

  private startThread(): NonNullable<SmtpEmailTransport['current']> {
    const thread = new Worker(THREAD_ENTRY, {
      workerData: { options: this.options },
      resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB },
    });
    const started = { thread, pending: new Map<number, (reply: ThreadReply) => void>() };
    thread.on('message', (reply: ThreadReply) => {
      started.pending.get(reply.id)?.(reply);
      started.pending.delete(reply.id);
      // An idle thread does not keep the process alive; close() ends it.
      if (started.pending.size === 0) thread.unref();
    });
    // 'error' and then 'exit' for one crash: only this thread's messages fail, never a newer thread's.
    const stopped = (reason: string) => {
      if (this.current === started) this.current = null;
      for (const [id, answer] of started.pending)
        answer({ id, error: { message: `the SMTP thread stopped (${reason})`, code: 'ECONNECTION' } });
      started.pending.clear();
    };
    thread.on('error', (error) => stopped(error.message));
    thread.on('exit', (code) => stopped(`exit code ${code}`));
    return started;
  }

  async send(message: OutgoingEmail): Promise<EmailSendResult> {
    const { thread, pending } = (this.current ??= this.startThread());
    const id = (this.nextId += 1);
    const sending = new Promise<ThreadReply>((resolve) => {
      pending.set(id, resolve);
      thread.ref();
      thread.postMessage({ id, mail: toMailOptions(message) });
    });
    this.inFlight.add(sending);
    try {
      const reply = await sending;
      if (reply.error) throw classifySmtpError(Object.assign(new Error(reply.error.message), reply.error));
      return { providerMessageId: reply.messageId!, provider: 'smtp' };
    } finally {
      this.inFlight.delete(sending);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    const thread = this.current?.thread;
    this.current = null;
    if (!thread) return;
    await new Promise<void>((resolve) => {
      thread.once('exit', () => resolve());
      thread.postMessage({ close: true });
    });
  }
}
