import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DeliveryError, errorMessage } from '../delivery-error.js';
import type { OutgoingSms, SmsLookup, SmsSendResult, SmsTransport } from './sms-transport.js';

/** Writes every SMS to a JSON-lines file instead of sending it (demo and development). */
export interface CaptureSmsSettings {
  kind: 'capture';
  /** Directory holding `sms.jsonl`; created if missing. */
  dir: string;
  /** Sender recorded when a message names none. */
  from?: string;
}

/** One line of `sms.jsonl`. */
export interface CapturedSms {
  providerMessageId: string;
  to: string;
  from: string | null;
  body: string;
  statusCallbackUrl: string | null;
  /** ISO-8601 instant the message was captured. */
  createdAt: string;
}

/** The file a capture SMS transport writes to. */
export const CAPTURED_SMS_FILE = 'sms.jsonl';

/** Appends each message as one JSON line; `findRecent` reads them back. */
export class CaptureSmsTransport implements SmsTransport {
  private readonly file: string;

  constructor(private readonly settings: CaptureSmsSettings) {
    this.file = path.join(settings.dir, CAPTURED_SMS_FILE);
  }

  async send(message: OutgoingSms): Promise<SmsSendResult> {
    const captured: CapturedSms = {
      providerMessageId: `CAP${randomUUID().replace(/-/g, '')}`,
      to: message.to,
      from: message.from ?? this.settings.from ?? null,
      body: message.body,
      statusCallbackUrl: message.statusCallbackUrl ?? null,
      createdAt: new Date().toISOString(),
    };
    try {
      await mkdir(this.settings.dir, { recursive: true });
      await appendFile(this.file, `${JSON.stringify(captured)}\n`);
    } catch (error) {
      throw new DeliveryError({
        kind: 'transient',
        provider: 'capture',
        reason: 'could not write the captured SMS',
        detail: errorMessage(error),
        cause: error,
      });
    }
    return { providerMessageId: captured.providerMessageId, provider: 'capture', status: 'sent' };
  }

  async findRecent(lookup: SmsLookup): Promise<SmsSendResult | undefined> {
    const match = (await this.readAll())
      .filter((sms) => sms.to === lookup.to && Date.parse(sms.createdAt) >= lookup.sentAfter.getTime())
      .filter((sms) => lookup.body === undefined || sms.body === lookup.body)
      .at(-1);
    return match && { providerMessageId: match.providerMessageId, provider: 'capture', status: 'sent' };
  }

  /** Every captured message, oldest first. */
  async readAll(): Promise<CapturedSms[]> {
    const text = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as CapturedSms);
  }

  async close(): Promise<void> {}
}
