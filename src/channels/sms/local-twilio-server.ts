import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultSwitch } from '../fault-switch.js';

/** Credentials the local endpoint accepts, and where it listens. */
export interface LocalTwilioServerOptions {
  accountSid: string;
  authToken: string;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0: a free port chosen by the kernel. */
  port?: number;
}

/** A Message resource, shaped as Twilio's API returns it. */
export interface TwilioMessageResource {
  sid: string;
  account_sid: string;
  api_version: '2010-04-01';
  to: string;
  from: string | null;
  messaging_service_sid: string | null;
  body: string;
  status: string;
  direction: 'outbound-api';
  num_segments: string;
  num_media: '0';
  price: null;
  price_unit: 'USD';
  error_code: number | null;
  error_message: string | null;
  date_created: string;
  date_updated: string;
  date_sent: string | null;
  uri: string;
  subresource_uris: { media: string };
}

/** A failure to answer with: an HTTP status and, like Twilio, an error code and message. */
export interface TwilioFault {
  status: number;
  code?: number;
  message?: string;
}

/** One request as the endpoint received it. */
export interface ReceivedTwilioRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  form: Record<string, string>;
}

/** Final statuses a status callback can report. */
export type TwilioDeliveryStatus = 'sent' | 'delivered' | 'undelivered' | 'failed';

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages(?:\/([^/]+))?\.json$/;
const E164 = /^\+[1-9]\d{6,14}$/;

class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Twilio's date format: RFC 2822 with a numeric zone, which the client parses strictly. */
function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

/** Twilio's request signature (`X-Twilio-Signature`) over a URL and form parameters. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/**
 * A local HTTP endpoint speaking enough of Twilio's Messages API for the official client:
 * create, fetch and list messages, with Basic auth. The demo sends its SMS here, tests inject
 * failures with {@link faults} and read {@link messages} and {@link requests}. Nothing leaves
 * the machine; {@link reportStatus} plays the carrier and posts a signed status callback.
 */
export class LocalTwilioServer {
  /** Every message created, oldest first. */
  readonly messages: TwilioMessageResource[] = [];
  /** Every request received, including refused ones. */
  readonly requests: ReceivedTwilioRequest[] = [];
  /** Failures to answer Messages API requests with, e.g. `{ status: 429 }` for two requests. */
  readonly faults = new FaultSwitch<TwilioFault>();
  private readonly statusCallbacks = new Map<string, string>();

  private constructor(
    private readonly options: LocalTwilioServerOptions,
    private readonly server: http.Server,
    /** Where the twilio client should send requests (`TwilioSettings.baseUrl`). */
    readonly baseUrl: string,
  ) {}

  /** Starts listening; resolves once the port is bound. */
  static async start(options: LocalTwilioServerOptions): Promise<LocalTwilioServer> {
    let instance: LocalTwilioServer | undefined;
    const server = http.createServer((req, res) => void instance?.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
    });
    const { address, port } = server.address() as AddressInfo;
    instance = new LocalTwilioServer(options, server, `http://${address}:${port}`);
    return instance;
  }

  /**
   * Moves a message to a final status, as the carrier would, and posts the status callback it
   * was sent with, signed with the auth token. Resolves with the callback's HTTP status, if any.
   */
  async reportStatus(sid: string, status: TwilioDeliveryStatus, errorCode?: number): Promise<number | undefined> {
    const message = this.messages.find((m) => m.sid === sid);
    if (!message) throw new Error(`no message ${sid}`);
    message.status = status;
    message.error_code = errorCode ?? null;
    message.date_updated = rfc2822(new Date());
    if (status === 'sent' || status === 'delivered') message.date_sent ??= message.date_updated;
    const callback = this.statusCallbacks.get(sid);
    if (!callback) return undefined;
    const params: Record<string, string> = {
      AccountSid: message.account_sid,
      ApiVersion: message.api_version,
      From: message.from ?? '',
      MessageSid: sid,
      MessageStatus: status,
      SmsSid: sid,
      SmsStatus: status,
      To: message.to,
      ...(errorCode === undefined ? {} : { ErrorCode: String(errorCode) }),
    };
    const response = await fetch(callback, {
      method: 'POST',
      headers: { 'X-Twilio-Signature': twilioSignature(this.options.authToken, callback, params) },
      body: new URLSearchParams(params),
    });
    return response.status;
  }

  /** Stops listening and drops open connections. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', this.baseUrl);
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), form });
      const [status, body] = this.route(req, url, form);
      this.reply(res, status, body);
    } catch (error) {
      const apiError = error instanceof TwilioApiError ? error : new TwilioApiError(500, 20500, String(error));
      this.reply(res, apiError.status, {
        code: apiError.code,
        message: apiError.message,
        more_info: `https://www.twilio.com/docs/errors/${apiError.code}`,
        status: apiError.status,
      });
    }
  }

  private route(req: http.IncomingMessage, url: URL, form: Record<string, string>): [number, unknown] {
    const match = MESSAGES_PATH.exec(url.pathname);
    if (!match) throw new TwilioApiError(404, 20404, 'The requested resource was not found');
    this.authenticate(req.headers.authorization, match[1]);
    const fault = this.faults.take();
    if (fault)
      throw new TwilioApiError(
        fault.status,
        fault.code ?? 20000 + fault.status,
        fault.message ?? http.STATUS_CODES[fault.status] ?? 'Error',
      );
    const sid = match[2];
    if (sid && req.method === 'GET') return [200, this.find(sid)];
    if (!sid && req.method === 'POST') return [201, this.create(form)];
    if (!sid && req.method === 'GET') return [200, this.list(url)];
    throw new TwilioApiError(405, 20004, 'Method not allowed');
  }

  private authenticate(header: string | undefined, accountSid: string | undefined): void {
    const expected = `Basic ${Buffer.from(`${this.options.accountSid}:${this.options.authToken}`).toString('base64')}`;
    if (header !== expected) throw new TwilioApiError(401, 20003, 'Authenticate');
    if (accountSid !== this.options.accountSid) throw new TwilioApiError(404, 20404, 'The requested resource was not found');
  }

  private create(form: Record<string, string>): TwilioMessageResource {
    if (!form.To) throw new TwilioApiError(400, 21604, "A 'To' phone number is required.");
    if (!E164.test(form.To)) throw new TwilioApiError(400, 21211, `Invalid 'To' Phone Number: ${form.To}`);
    if (!form.From && !form.MessagingServiceSid) throw new TwilioApiError(400, 21603, "A 'From' phone number is required.");
    if (!form.Body) throw new TwilioApiError(400, 21602, 'Message body is required.');
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const now = rfc2822(new Date());
    const base = `/2010-04-01/Accounts/${this.options.accountSid}/Messages/${sid}`;
    const message: TwilioMessageResource = {
      sid,
      account_sid: this.options.accountSid,
      api_version: '2010-04-01',
      to: form.To,
      from: form.From ?? null,
      messaging_service_sid: form.MessagingServiceSid ?? null,
      body: form.Body,
      // Twilio answers `accepted` when a Messaging Service will choose the sender later.
      status: form.From ? 'queued' : 'accepted',
      direction: 'outbound-api',
      num_segments: String(Math.max(1, Math.ceil(form.Body.length / 153))),
      num_media: '0',
      price: null,
      price_unit: 'USD',
      error_code: null,
      error_message: null,
      date_created: now,
      date_updated: now,
      date_sent: null,
      uri: `${base}.json`,
      subresource_uris: { media: `${base}/Media.json` },
    };
    this.messages.push(message);
    if (form.StatusCallback) this.statusCallbacks.set(sid, form.StatusCallback);
    return message;
  }

  private find(sid: string): TwilioMessageResource {
    const message = this.messages.find((m) => m.sid === sid);
    if (!message) throw new TwilioApiError(404, 20404, `The requested resource /Messages/${sid}.json was not found`);
    return message;
  }

  /** Newest first, filtered by `To`, `From` and `DateSent` (`DateSent>`, `DateSent<`), paged. */
  private list(url: URL): Record<string, unknown> {
    const q = url.searchParams;
    const sentAfter = q.get('DateSent>');
    const sentBefore = q.get('DateSent<');
    const selected = this.messages
      .filter((m) => !q.get('To') || m.to === q.get('To'))
      .filter((m) => !q.get('From') || m.from === q.get('From'))
      .filter((m) => !sentAfter || (m.date_sent !== null && Date.parse(m.date_sent) >= Date.parse(sentAfter)))
      .filter((m) => !sentBefore || (m.date_sent !== null && Date.parse(m.date_sent) <= Date.parse(sentBefore)))
      .reverse();
    const pageSize = Number(q.get('PageSize') ?? 50);
    const page = Number(q.get('Page') ?? 0);
    const start = page * pageSize;
    const pageUri = (n: number) => {
      const params = new URLSearchParams(q);
      params.set('PageSize', String(pageSize));
      params.set('Page', String(n));
      return `${url.pathname}?${params}`;
    };
    return {
      messages: selected.slice(start, start + pageSize),
      start,
      end: Math.max(start, Math.min(start + pageSize, selected.length) - 1),
      page,
      page_size: pageSize,
      uri: pageUri(page),
      first_page_uri: pageUri(0),
      previous_page_uri: page > 0 ? pageUri(page - 1) : null,
      next_page_uri: start + pageSize < selected.length ? pageUri(page + 1) : null,
    };
  }

  private reply(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  }
}
