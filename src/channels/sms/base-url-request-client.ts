import http from 'node:http';
import type https from 'node:https';
import twilio from 'twilio';

type RequestOptions = Parameters<InstanceType<typeof twilio.RequestClient>['request']>[0];

/** What the twilio client's own HTTP client accepts, plus where to send requests. */
export interface BaseUrlRequestClientOptions {
  /** Origin (and optional path prefix) replacing `https://api.twilio.com`; unset for Twilio itself. */
  baseUrl?: string | undefined;
  timeoutMs?: number | undefined;
}

/**
 * The twilio client's stock HTTP client, pointed at another base URL. Twilio documents a custom
 * `httpClient` as the way to change how the library makes requests ("Custom HTTP Clients for the
 * Twilio Node Helper Library"); subclassing its own `RequestClient` keeps auth, form encoding,
 * timeouts and error handling exactly as in production and only rewrites the origin of each
 * absolute URL the library builds (including the `next_page_uri` of list pages). The
 * region/edge options cannot do this: they only insert labels into `*.twilio.com` host names.
 */
export class BaseUrlRequestClient extends twilio.RequestClient {
  private readonly base: URL | undefined;
  // Our own plain-HTTP agent (axios would use Node's global one), so close() can release it.
  private readonly httpAgent = new http.Agent({ keepAlive: true });

  constructor(options: BaseUrlRequestClientOptions = {}) {
    super({ timeout: options.timeoutMs ?? 10_000, keepAlive: true });
    this.base = options.baseUrl ? new URL(options.baseUrl) : undefined;
    this.axios.defaults.httpAgent = this.httpAgent;
  }

  override request<TData>(opts: RequestOptions & { data?: TData }) {
    return super.request<TData>(this.base ? { ...opts, uri: this.rebase(opts.uri, this.base) } : opts);
  }

  /** Releases pooled keep-alive sockets. */
  destroy(): void {
    this.httpAgent.destroy();
    (this.axios.defaults.httpsAgent as https.Agent | undefined)?.destroy();
  }

  private rebase(uri: string, base: URL): string {
    const original = new URL(uri);
    const prefix = base.pathname.replace(/\/$/, '');
    return `${base.origin}${prefix}${original.pathname}${original.search}`;
  }
}
