import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { DeliveryError, errorMessage } from '../delivery-error.js';
import type { EmailSendResult, EmailTransport, OutgoingEmail } from './email-transport.js';
import { toMailOptions } from './mail-options.js';

/** Writes every email to a directory instead of sending it (demo and development). */
export interface CaptureEmailSettings {
  kind: 'capture';
  /** Directory for the `.eml` files; created if missing. */
  dir: string;
}

/** The `.eml` file name for a Message-ID: the id without brackets, unsafe characters replaced. */
export function emlFileName(messageId: string): string {
  return `${messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9@._=+-]/g, '_')}.eml`;
}

/**
 * Builds each message exactly as SMTP would carry it and writes it as an RFC 822 `.eml` file
 * named after its Message-ID, so a resend of the same contact overwrites its own file.
 */
export class CaptureEmailTransport implements EmailTransport {
  private readonly composer = nodemailer.createTransport({ streamTransport: true, buffer: true });

  constructor(private readonly settings: CaptureEmailSettings) {}

  async send(message: OutgoingEmail): Promise<EmailSendResult> {
    const filePath = path.join(this.settings.dir, emlFileName(message.messageId));
    try {
      const info = await this.composer.sendMail(toMailOptions(message));
      await mkdir(this.settings.dir, { recursive: true });
      // Written aside and renamed, so a reader never sees half a message.
      const partial = `${filePath}.partial`;
      await writeFile(partial, info.message as Buffer);
      await rename(partial, filePath);
      return { providerMessageId: info.messageId, provider: 'capture', filePath };
    } catch (error) {
      throw new DeliveryError({
        kind: 'transient',
        provider: 'capture',
        reason: 'could not write the captured email',
        detail: errorMessage(error),
        cause: error,
      });
    }
  }

  async close(): Promise<void> {
    this.composer.close();
  }
}
