import { CaptureEmailTransport, type CaptureEmailSettings } from './capture.transport.js';
import type { EmailTransport } from './email-transport.js';
import { SmtpEmailTransport, type SmtpSettings } from './smtp.transport.js';

export type { CaptureEmailSettings, SmtpSettings };

/** How email leaves: a real SMTP relay, or `.eml` files in a directory. */
export type EmailTransportSettings = SmtpSettings | CaptureEmailSettings;

/** The email transport the settings describe. */
export function createEmailTransport(settings: EmailTransportSettings): EmailTransport {
  switch (settings.kind) {
    case 'smtp':
      return new SmtpEmailTransport(settings);
    case 'capture':
      return new CaptureEmailTransport(settings);
  }
}
