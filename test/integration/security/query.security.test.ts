import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestHttpApp, type TestHttpApp } from '../../support/http-app.js';
import { seedLedger } from '../../support/ledger.js';
import { signInAs, type Jar } from './console-client.js';

// Finding 9: bad dates, forged cursors and unknown enum values in a query string are a 400
// naming the parameter, on every console page and API list that pages or filters by them.

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const FORGED_CURSORS = [
  'not-base64!!',
  b64('not json'),
  b64({ t: '2026-99-99', id: 'x' }),
  b64({ t: 'yesterday', id: '00000000-0000-0000-0000-000000000000' }),
  b64({ t: '2026-03-01T00:00:00.000Z', id: 42 }),
  b64({ t: '2026-03-01T00:00:00.000Z', id: 'x\u0000y' }),
  b64({ t: '2026-03-01T00:00:00.000Z', id: 'a\u202Eb' }),
  b64([1, 2, 3]),
  b64('x'.repeat(400)),
];

describe('query parameters', () => {
  let t: TestHttpApp;
  let admin: Jar;
  let token: string;

  beforeAll(async () => {
    t = await startTestHttpApp();
    await seedLedger(t.runtime.prisma, [
      { externalId: 'Q-1', invoices: [{ number: 'Q-1', amountMinor: 100_00, issuedOn: '2026-01-01', dueOn: '2026-02-01' }] },
    ]);
    admin = (await signInAs(t.app, 'admin@example.com', PASSWORD)).jar;
    token = await t.token('admin');
  });
  afterAll(async () => {
    await t?.close();
  });

  const consolePage = (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie: admin.header() } });
  const api = (url: string) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  it('console: bad dates and enum values are a 400 page naming the parameter', async () => {
    for (const [url, parameter] of [
      ['/console/contact-log?from=2026-99-99', 'from'],
      ['/console/contact-log?to=2026-02-30', 'to'],
      ['/console/contact-log?from=yesterday', 'from'],
      ['/console/contact-log?channel=fax', 'channel'],
      ['/console/contact-log?status=lost', 'status'],
      ['/console/contact-log?colour=red', 'colour'],
      ['/console/alerts?state=maybe', 'state'],
      ['/console/alerts?kind=nope', 'kind'],
      ['/console/worklist?sort=nope', 'sort'],
      ['/console/dashboard?unit=year', 'unit'],
      ['/console/customers/Q-1?show=nope', 'show'],
    ] as const) {
      const response = await consolePage(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.body, url).toContain(parameter);
    }
    expect((await consolePage('/console/contact-log?from=2026-02-01&to=2026-02-28&channel=email')).statusCode).toBe(200);
  });

  it('console: a forged cursor on every keyset list is a 400 page naming it', async () => {
    for (const [base, parameter] of [
      ['/console/contact-log?cursor=', 'cursor'],
      ['/console/alerts?cursor=', 'cursor'],
      ['/console/customers/Q-1?before=', 'before'],
    ] as const) {
      for (const forged of FORGED_CURSORS) {
        const response = await consolePage(`${base}${encodeURIComponent(forged)}`);
        expect(response.statusCode, `${base}${forged}`).toBe(400);
        expect(response.body, `${base}${forged}`).toContain(parameter);
      }
    }
  });

  it('API: a forged cursor on every keyset list and a bad date are a 400 problem naming the parameter', async () => {
    for (const base of ['/api/v1/contact-log', '/api/v1/cases', '/api/v1/invoices']) {
      for (const forged of FORGED_CURSORS) {
        const response = await api(`${base}?cursor=${encodeURIComponent(forged)}`);
        expect(response.statusCode, `${base} ${forged}`).toBe(400);
        expect(JSON.stringify(response.json()), `${base} ${forged}`).toContain('cursor');
      }
    }
    for (const url of [
      '/api/v1/contact-log?from=2026-99-99',
      '/api/v1/invoices?due_before=2026-02-30',
      '/api/v1/contact-log?channel=fax',
    ]) {
      const response = await api(url);
      expect(response.statusCode, url).toBe(400);
    }
    // A cursor the API gave out still works.
    const first = (await api('/api/v1/cases?limit=1')).json() as { next: string | null };
    if (first.next !== null) expect((await api(`/api/v1/cases?limit=1&cursor=${first.next}`)).statusCode).toBe(200);
  });
});
