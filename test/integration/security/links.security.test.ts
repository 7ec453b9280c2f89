import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestHttpApp, type TestHttpApp } from '../../support/http-app.js';
import { seedLedger } from '../../support/ledger.js';
import { signInAs, type Jar } from './console-client.js';

// Finding 11: ids from the ERP are percent-encoded in every console link, so an external id like
// `../../console/dashboard` or `a b?c#d` links to its own customer page and nowhere else.

const IDS = ['../../console/dashboard', 'a b?c#d', 'x/y%2Fz&q=1'];
const VIEWS = path.resolve('src/http/console/views');

const hrefs = (html: string) => [...html.matchAll(/(?:href|action)="([^"]*)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));

describe('ids in console links', () => {
  let t: TestHttpApp;
  let jar: Jar;

  beforeAll(async () => {
    t = await startTestHttpApp();
    await seedLedger(
      t.runtime.prisma,
      IDS.map((externalId, i) => ({
        externalId,
        name: `Link Test ${i} SRL`,
        invoices: [{ number: `L-${i}`, amountMinor: 100_00, issuedOn: '2026-01-01', dueOn: '2026-02-01' }],
      })),
    );
    jar = (await signInAs(t.app, 'admin@example.com', PASSWORD)).jar;
  });
  afterAll(async () => {
    await t?.close();
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: jar.header() } });

  it('links each customer of the worklist to its own page, encoded', async () => {
    const worklist = await get('/console/worklist?view=all&state=any');
    expect(worklist.statusCode).toBe(200);
    for (const [i, id] of IDS.entries()) {
      const encoded = `/console/customers/${encodeURIComponent(id)}`;
      expect(hrefs(worklist.body), id).toContain(encoded);
      const page = await get(encoded);
      expect(page.statusCode, id).toBe(200);
      expect(page.body, id).toContain(`Link Test ${i} SRL`);
      // The customer page's own links keep the id encoded too (contact log, forms).
      expect(hrefs(page.body), id).toContain(`/console/contact-log?customer=${encodeURIComponent(id)}`);
      for (const link of hrefs(page.body).filter((h) => h.startsWith('/console/customers/'))) {
        expect(link.startsWith(encoded), `${id}: ${link}`).toBe(true);
      }
    }
    for (const link of hrefs(worklist.body)) expect(link, link).not.toMatch(/\/\.\.\//);
  });

  it('no view puts a value into a /console address without urlPart', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.hbs') ? [path.join(dir, e.name)] : [],
      );
    const raw: string[] = [];
    for (const file of files(VIEWS)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/(?:href|action)="(\/console\/[^"]*)"/g)) {
        if (/\{\{(?!urlPart )[^}]*\}\}/.test(match[1]!)) raw.push(`${path.relative(VIEWS, file)}: ${match[1]}`);
      }
    }
    expect(raw).toEqual([]);
  });
});
