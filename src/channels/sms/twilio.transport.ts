import twilio from 'twilio';
import { BaseUrlRequestClient } from './base-url-request-client.js';
import type { OutgoingSms, SmsLookup, SmsSendResult, SmsTransport } from './sms-transport.js';
import { classifyTwilioError } from './twilio-errors.js';

/** Twilio's Messages API, or a local endpoint speaking it. Needs `from` or `messagingServiceSid`. */
export interface TwilioSettings {
  kind: 'twilio';
  accountSid: string;
  authToken: string;
  /** Sender number in E.164, used when no Messaging Service is configured. */
  from?: string;
  /** Messaging Service SID (`MG…`); Twilio then picks the sender from the service's pool. */
  messagingServiceSid?: string;
  /** Replaces `https://api.twilio.com`, e.g. `http://127.0.0.1:4010` for the local endpoint. */
  baseUrl?: string;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
}

/** How many recent messages to a number `findRecent` examines. */
const LOOKUP_LIMIT = 100;

/** Sends SMS with the official twilio client. */
export class TwilioSmsTransport implements SmsTransport {
  private readonly httpClient: BaseUrlRequestClient;
  private readonly client: twilio.Twilio;
  private readonly defaultSender: { messagingServiceSid: string } | { from: string };

  constructor(settings: TwilioSettings) {
    if (settings.messagingServiceSid) this.defaultSender = { messagingServiceSid: settings.messagingServiceSid };
    else if (settings.from) this.defaultSender = { from: settings.from };
    else throw new Error('Twilio settings need a from number or a messagingServiceSid');
    this.httpClient = new BaseUrlRequestClient({ baseUrl: settings.baseUrl, timeoutMs: settings.timeoutMs });
    // autoRetry stays off: retries belong to the delivery job, which backs off and records them.
    this.client = twilio(settings.accountSid, settings.authToken, { httpClient: this.httpClient, autoRetry: false });
  }

  async send(message: OutgoingSms): Promise<SmsSendResult> {
    try {
      const created = await this.client.messages.create({
        to: message.to,
        body: message.body,
        ...(message.from ? { from: message.from } : this.defaultSender),
        ...(message.statusCallbackUrl ? { statusCallback: message.statusCallbackUrl } : {}),
      });
      return { providerMessageId: created.sid, provider: 'twilio', status: created.status };
    } catch (error) {
      throw classifyTwilioError(error);
    }
  }

  /**
   * Lists the latest messages to the number and matches creation time and body here. The API's
   * `DateSent` filter is not used: `date_sent` stays empty while a message waits in Twilio's
   * queue, which is exactly the message a crashed delivery needs to find.
   */
  async findRecent(lookup: SmsLookup): Promise<SmsSendResult | undefined> {
    try {
      // Twilio's timestamps have whole seconds; a message created in the same second as
      // `sentAfter` must still match.
      const since = Math.floor(lookup.sentAfter.getTime() / 1000) * 1000;
      const messages = await this.client.messages.list({ to: lookup.to, limit: LOOKUP_LIMIT, pageSize: LOOKUP_LIMIT });
      const match = messages
        .filter((m) => m.dateCreated.getTime() >= since)
        .filter((m) => lookup.body === undefined || m.body === lookup.body)
        .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime())[0];
      return match && { providerMessageId: match.sid, provider: 'twilio', status: match.status };
    } catch (error) {
      throw classifyTwilioError(error);
    }
  }

  async close(): Promise<void> {
    this.httpClient.destroy();
  }
}
