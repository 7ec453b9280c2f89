import { CaptureSmsTransport, type CaptureSmsSettings } from './capture.sms-transport.js';
import type { SmsTransport } from './sms-transport.js';
import { TwilioSmsTransport, type TwilioSettings } from './twilio.transport.js';

export type { CaptureSmsSettings, TwilioSettings };

/** How SMS leaves: Twilio (or a local endpoint speaking its API), or a JSON-lines file. */
export type SmsTransportSettings = TwilioSettings | CaptureSmsSettings;

/** The SMS transport the settings describe. */
export function createSmsTransport(settings: SmsTransportSettings): SmsTransport {
  switch (settings.kind) {
    case 'twilio':
      return new TwilioSmsTransport(settings);
    case 'capture':
      return new CaptureSmsTransport(settings);
  }
}
