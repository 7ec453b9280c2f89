import { LocalTwilioServer } from '../../src/channels/sms/local-twilio-server.js';
import type { TwilioSettings } from '../../src/channels/sms/twilio.transport.js';

export type { LocalTwilioServer, TwilioFault } from '../../src/channels/sms/local-twilio-server.js';

/** Credentials the fake accepts. */
export const FAKE_TWILIO_CREDENTIALS = {
  accountSid: `AC${'0'.repeat(31)}1`,
  authToken: 'fake-twilio-auth-token',
} as const;

/** The local Twilio endpoint with test credentials, on a free loopback port. */
export function startFakeTwilio(): Promise<LocalTwilioServer> {
  return LocalTwilioServer.start(FAKE_TWILIO_CREDENTIALS);
}

/** Settings for `createSmsTransport` that reach the fake. */
export function fakeTwilioSettings(server: LocalTwilioServer, overrides: Partial<TwilioSettings> = {}): TwilioSettings {
  return { kind: 'twilio', ...FAKE_TWILIO_CREDENTIALS, from: '+15005550006', baseUrl: server.baseUrl, timeoutMs: 5_000, ...overrides };
}
