// A real SMTP server (smtp-server) that records, per message, only what the checks need:
// Message-ID, the X-Arrears-Contact header and the recipient. No MIME parsing, so it stays
// cheap at thousands of messages per run. `faults` refuses messages (e.g. 451) while set.
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { FaultSwitch } from '../../src/channels/fault-switch.js';

export interface RecordedEmail {
  messageId: string | null;
  contactId: string | null;
  to: string[];
  at: number;
}

function header(raw: string, name: string): string | null {
  const end = raw.indexOf('\r\n\r\n');
  const head = end === -1 ? raw : raw.slice(0, end);
  const match = new RegExp(`^${name}:[ \\t]*(.*(?:\\r\\n[ \\t].*)*)`, 'im').exec(head);
  return match ? match[1]!.replace(/\r\n[ \t]+/g, ' ').trim() : null;
}

export class RecordingSmtpSink {
  readonly messages: RecordedEmail[] = [];
  readonly faults = new FaultSwitch<{ code: number; message?: string }>();
  refused = 0;
  private readonly server: SMTPServer;
  port = 0;

  private constructor() {
    this.server = new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      size: 10 * 1024 * 1024,
      onRcptTo: (_address, _session, callback) => {
        const fault = this.faults.take();
        if (!fault) return callback();
        this.refused += 1;
        callback(Object.assign(new Error(fault.message ?? `Refused by the bench sink (${fault.code})`), { responseCode: fault.code }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('latin1');
          this.messages.push({
            messageId: header(raw, 'Message-ID'),
            contactId: header(raw, 'X-Arrears-Contact'),
            to: session.envelope.rcptTo.map((r) => r.address),
            at: Date.now(),
          });
          callback();
        });
      },
    });
  }

  static async start(): Promise<RecordingSmtpSink> {
    const sink = new RecordingSmtpSink();
    // A worker killed mid-conversation resets its connection (ECONNRESET); smtp-server reports it
    // as a server 'error', which unheard would end the run. It is the fault being injected.
    sink.server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      sink.server.once('error', reject);
      sink.server.listen(0, '127.0.0.1', () => resolve());
    });
    sink.port = (sink.server.server.address() as AddressInfo).port;
    return sink;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
