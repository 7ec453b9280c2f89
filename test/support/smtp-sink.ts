import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { SmtpSettings } from '../../src/channels/email/smtp.transport.js';
import { FaultSwitch } from '../../src/channels/fault-switch.js';

/** One message as the sink accepted it. */
export interface ReceivedEmail {
  envelope: { from: string | null; to: string[] };
  /** The message exactly as it came over the wire. */
  raw: Buffer;
  parsed: ParsedMail;
}

/** How the sink refuses a message: an SMTP reply at RCPT TO, or a connection dropped during DATA. */
export type SinkFault = { code: number; message?: string } | 'drop';

/**
 * A real SMTP server on a free loopback port that keeps what it receives. Switch `faults` on to
 * refuse the next messages (`sink.faults.set({ code: 451 }, 2)`) or every message until cleared.
 * Refused messages are not kept.
 */
export class SmtpSink {
  readonly messages: ReceivedEmail[] = [];
  readonly faults = new FaultSwitch<SinkFault>();
  private readonly events = new EventEmitter();
  private readonly drops = new Set<string>();
  private readonly server: SMTPServer;
  private port = 0;

  private constructor(auth?: { user: string; pass: string }) {
    this.server = new SMTPServer({
      logger: false,
      disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: !auth,
      allowInsecureAuth: true,
      onAuth: (login, _session, callback) =>
        login.username === auth?.user && login.password === auth?.pass
          ? callback(null, { user: login.username })
          : callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 })),
      onRcptTo: (_address, session, callback) => callback(this.refusal(session)),
      onData: (stream, session, callback) => void this.receive(stream, session, callback),
    });
  }

  /** Starts a sink; with `auth`, it requires that login. */
  static async start(auth?: { user: string; pass: string }): Promise<SmtpSink> {
    const sink = new SmtpSink(auth);
    // A client that goes away mid-conversation (a stopped worker) is reported as a server 'error';
    // it says nothing about what was received, which is what the tests check.
    sink.server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      sink.server.once('error', reject);
      sink.server.listen(0, '127.0.0.1', () => resolve());
    });
    sink.port = (sink.server.server.address() as AddressInfo).port;
    return sink;
  }

  /** Settings for `createEmailTransport` that reach this sink. */
  settings(overrides: Partial<SmtpSettings> = {}): SmtpSettings {
    return {
      kind: 'smtp',
      host: '127.0.0.1',
      port: this.port,
      secure: false,
      connectionTimeoutMs: 2_000,
      socketTimeoutMs: 5_000,
      ...overrides,
    };
  }

  /** Resolves once `count` messages have arrived in total. */
  waitFor(count: number, timeoutMs = 5_000): Promise<ReceivedEmail[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.messages.length < count) return;
        cleanup();
        resolve(this.messages.slice(0, count));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`SMTP sink: expected ${count} messages, got ${this.messages.length} in ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.events.off('message', check);
      };
      this.events.on('message', check);
      check();
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Takes the fault for this message, if any: a reply refuses it now, a drop waits for DATA. */
  private refusal(session: SMTPServerSession): Error | null {
    const fault = this.faults.take();
    if (fault === undefined) return null;
    if (fault === 'drop') {
      this.drops.add(session.id);
      return null;
    }
    return Object.assign(new Error(fault.message ?? `Refused by the test sink (${fault.code})`), { responseCode: fault.code });
  }

  private async receive(stream: NodeJS.ReadableStream, session: SMTPServerSession, callback: (err?: Error | null) => void) {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    if (this.drops.delete(session.id)) {
      // Hang up without replying: the client cannot know whether the message was taken.
      [...this.server.connections].find((connection) => connection.id === session.id)?._socket.destroy();
      return;
    }
    const raw = Buffer.concat(chunks);
    const { mailFrom, rcptTo } = session.envelope;
    this.messages.push({
      envelope: { from: mailFrom ? mailFrom.address : null, to: rcptTo.map((r) => r.address) },
      raw,
      parsed: await simpleParser(raw),
    });
    callback();
    this.events.emit('message');
  }
}
