import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { PASSWORD } from './http-app.js';

/** A browser's cookie jar, enough for the console: name=value pairs from Set-Cookie. */
export class Jar {
  readonly cookies = new Map<string, string>();
  take(setCookie: string | string[] | undefined): void {
    for (const line of [setCookie ?? []].flat()) {
      const [pair = ''] = line.split(';');
      const index = pair.indexOf('=');
      const value = pair.slice(index + 1);
      if (/Max-Age=0/i.test(line) || value === '') this.cookies.delete(pair.slice(0, index));
      else this.cookies.set(pair.slice(0, index), value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  /** The flash message the last redirect set, decoded. */
  flash(): { message: string; error?: boolean; form?: { form: string; fields: Record<string, string> } } | null {
    const raw = this.cookies.get('arrears_flash');
    return raw ? (JSON.parse(decodeURIComponent(raw)) as never) : null;
  }
}

export const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** A signed-in console user driving the app through `inject`: GET pages, POST forms with the session's CSRF token. */
export interface ConsoleSession {
  jar: Jar;
  csrf: string;
  get(url: string): Promise<LightMyRequestResponse>;
  /** POSTs a form; `_csrf` is added unless the form sets it. */
  post(url: string, form: Record<string, string>): Promise<LightMyRequestResponse>;
}

/**
 * One request as a browser with `jar` sends it (a form body when `form` is given, nothing added):
 * for requests a session must not dress up, such as a form without its CSRF token.
 */
export async function browse(
  app: FastifyInstance,
  jar: Jar,
  method: 'GET' | 'POST',
  url: string,
  form?: Record<string, string>,
): Promise<LightMyRequestResponse> {
  const response = await app.inject({
    method,
    url,
    headers: { cookie: jar.header(), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
  });
  jar.take(response.headers['set-cookie']);
  return response;
}

export async function consoleSession(app: FastifyInstance, email: string, password = PASSWORD): Promise<ConsoleSession> {
  const jar = new Jar();
  const send = (method: 'GET' | 'POST', url: string, form?: Record<string, string>) => browse(app, jar, method, url, form);
  const login = await send('GET', '/console/login');
  const signedIn = await send('POST', '/console/login', { _csrf: csrfIn(login.body), email, password, next: '/console/worklist' });
  if (signedIn.statusCode !== 303) throw new Error(`sign-in as ${email} failed: ${signedIn.statusCode}`);
  const page = await send('GET', '/console/worklist');
  const session: ConsoleSession = {
    jar,
    csrf: csrfIn(page.body),
    get: (url) => send('GET', url),
    post: (url, form) => send('POST', url, { _csrf: session.csrf, ...form }),
  };
  return session;
}
