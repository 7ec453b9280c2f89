import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
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

/** Sends email over a pooled SMTP connection. */
export class SmtpEmailTransport implements EmailTransport {
  private readonly mailer;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(settings: SmtpSettings) {
    this.mailer = nodemailer.createTransport({
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
    });
  }

  async send(message: OutgoingEmail): Promise<EmailSendResult> {
    const sending = this.mailer.sendMail(toMailOptions(message));
    this.inFlight.add(sending);
    try {
      const info = await sending;
      return { providerMessageId: info.messageId, provider: 'smtp' };
    } catch (error) {
      throw classifySmtpError(error);
    } finally {
      this.inFlight.delete(sending);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    this.mailer.close();
  }
}
