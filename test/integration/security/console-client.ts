import type { FastifyInstance } from 'fastify';
import { Jar } from '../../support/console-session.js';

export { Jar };

export const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** Opens the login page and posts the form; `status` is the login's answer (303 when signed in). */
export async function signInAs(
  app: FastifyInstance,
  email: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<{ jar: Jar; csrf: string; status: number }> {
  const jar = new Jar();
  const page = await app.inject({ method: 'GET', url: '/console/login', headers });
  jar.take(page.headers['set-cookie']);
  const response = await app.inject({
    method: 'POST',
    url: '/console/login',
    headers: { ...headers, cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: csrfOf(page.body), email, password }).toString(),
  });
  jar.take(response.headers['set-cookie']);
  if (response.statusCode !== 303) return { jar, csrf: '', status: response.statusCode };
  const worklist = await app.inject({ method: 'GET', url: '/console/worklist', headers: { ...headers, cookie: jar.header() } });
  jar.take(worklist.headers['set-cookie']);
  return { jar, csrf: csrfOf(worklist.body), status: response.statusCode };
}
