import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestHttpApp, type TestHttpApp } from '../../support/http-app.js';
import { seedLedger } from '../../support/ledger.js';
import { importCsv } from '../ingest/import-helpers.js';
import { signInAs } from './console-client.js';
import { databaseFingerprint } from './db-snapshot.js';

// Findings 7 and 12: one text check for every API and console body and query and every CSV text
// cell — an unpaired UTF-16 surrogate, NUL, the bidi embedding/override/isolate controls
// (U+202A–U+202E, U+2066–U+2069), and LRM/RLM (U+200E/F) outside right-to-left text are refused
// with a 400 (or a rejected line) naming the field; never a 500, never stored.

const BAD: ReadonlyArray<[string, string]> = [
  ['lone high surrogate', 'Ana \uD800 SRL'],
  ['lone low surrogate', 'Ana \uDC00 SRL'],
  ['reversed pair', 'Ana \uDE00\uD83D SRL'],
  ['NUL', 'Ana\u0000 SRL'],
  ['right-to-left override', 'Ana \u202Egnp.exe SRL'],
  ['left-to-right embedding', '\u202AAna SRL'],
  ['pop directional formatting', 'Ana\u202C SRL'],
  ['first strong isolate', 'Ana \u2068SRL'],
  ['pop directional isolate', 'Ana \u2069SRL'],
  ['left-to-right mark in Latin text', 'Ana\u200E SRL'],
  ['right-to-left mark in Latin text', 'Ana\u200F SRL'],
];

const customer = (externalId: string, name: string) => ({
  external_id: externalId,
  name,
  email: null,
  phone: null,
  timezone: 'Europe/Bucharest',
  locale: 'ro-RO',
  currency: 'RON',
  credit_limit: null,
  sms_consent: false,
  policy: 'default',
});

describe('bad Unicode and bidi controls are refused everywhere text comes in', () => {
  let t: TestHttpApp;
  let pool: pg.Pool;
  let manager: string;

  beforeAll(async () => {
    t = await startTestHttpApp();
    pool = new pg.Pool({ connectionString: t.database.url, max: 2 });
    await seedLedger(t.runtime.prisma, [
      { externalId: 'TXT-1', invoices: [{ number: 'T-1', amountMinor: 100_00, issuedOn: '2026-01-01', dueOn: '2026-02-01' }] },
    ]);
    manager = await t.token('manager');
  });
  afterAll(async () => {
    await pool?.end();
    await t?.close();
  });

  const apiPost = (url: string, payload: unknown) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${manager}`, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });

  it('API bodies: 400 naming the field (and item), nothing written', async () => {
    const before = await databaseFingerprint(pool);
    for (const [label, name] of BAD) {
      const response = await apiPost('/api/v1/customers', { items: [customer('TXT-OK', 'Fine SRL'), customer('TXT-BAD', name)] });
      expect(response.statusCode, label).toBe(400);
      const errors = (response.json() as { errors: Array<{ field: string; index?: number; message: string }> }).errors;
      expect(errors, label).toContainEqual(expect.objectContaining({ field: 'items[1].name', index: 1 }));
      const note = await apiPost('/api/v1/cases/TXT-1/notes', { text: `Called ${name}` });
      expect(note.statusCode, `note ${label}`).toBe(400);
      expect(JSON.stringify(note.json()), `note ${label}`).toContain('"field":"text"');
    }
    expect(await databaseFingerprint(pool)).toEqual(before);
  });

  it('API: a key holding a control is refused too, and query strings are checked', async () => {
    const key = await apiPost('/api/v1/cases/TXT-1/notes', { ['te\u202Ext']: 'x' });
    expect(key.statusCode).toBe(400);
    const query = await t.app.inject({
      method: 'GET',
      url: `/api/v1/contact-log?customer=${encodeURIComponent('TXT\u202E-1')}`,
      headers: { authorization: `Bearer ${manager}` },
    });
    expect(query.statusCode).toBe(400);
    expect(JSON.stringify(query.json())).toContain('query.customer');
    const path = await t.app.inject({
      method: 'GET',
      url: `/api/v1/cases/${encodeURIComponent('TXT\u2066-1')}`,
      headers: { authorization: `Bearer ${manager}` },
    });
    expect(path.statusCode).toBe(400);
  });

  it('keeps right-to-left names with their marks, and emoji (surrogate pairs)', async () => {
    const names = ['שלום בע״מ\u200F (2)', 'شركة النور\u200F', 'Ana 🍀 SRL'];
    const response = await apiPost('/api/v1/customers', { items: names.map((name, i) => customer(`RTL-${i}`, name)) });
    expect(response.statusCode, response.body).toBe(200);
    const { rows } = await pool.query<{ name: string }>(`select name from customers where external_id like 'RTL-%' order by external_id`);
    expect(rows.map((r) => r.name)).toEqual(names);
  });

  it('console forms and query strings: a 400 page naming the field, nothing written', async () => {
    const { jar, csrf } = await signInAs(t.app, 'collector@example.com', PASSWORD);
    const before = await databaseFingerprint(pool);
    for (const [label, text] of BAD.filter(([l]) => !l.includes('surrogate') && !l.includes('reversed'))) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/console/customers/TXT-1/actions/note',
        headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrf, text }).toString(),
      });
      expect(response.statusCode, label).toBe(400);
      expect(response.body, label).toMatch(/\btext\b/);
    }
    const search = await t.app.inject({
      method: 'GET',
      url: `/console/worklist?q=${encodeURIComponent('Ana\u202E SRL')}`,
      headers: { cookie: jar.header() },
    });
    expect(search.statusCode).toBe(400);
    expect(search.body).toContain('q');
    // A lone surrogate can only arrive percent-encoded as CESU-8, which decodes to U+FFFD: harmless, but say so once.
    const login = await t.app.inject({
      method: 'POST',
      url: '/console/login',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${csrf}&email=${encodeURIComponent('a\u202E@example.com')}&password=x`,
    });
    expect(login.statusCode).toBe(400);
    expect(await databaseFingerprint(pool)).toEqual(before);
  });

  it('CSV import: each text cell is checked, the line rejected with its column and reason, the good rows loaded', async () => {
    const header = 'external_id,name,email,phone,timezone,locale,currency,credit_limit,sms_consent,policy';
    const rows = [
      'CSV-OK,Good SRL,,,Europe/Bucharest,ro-RO,RON,,no,default',
      'CSV-RLO,Ana \u202Egnp.exe,,,Europe/Bucharest,ro-RO,RON,,no,default',
      'CSV-LRM,Ana\u200E SRL,,,Europe/Bucharest,ro-RO,RON,,no,default',
      'CSV-ISO\u2066,Isolate SRL,,,Europe/Bucharest,ro-RO,RON,,no,default',
      'CSV-RTL,שלום בע״מ\u200F,,,Europe/Bucharest,ro-RO,RON,,no,default',
    ];
    const { summary, rejections } = await importCsv({ pool, prisma: t.runtime.prisma }, 'customers', `${header}\n${rows.join('\n')}\n`);
    expect(rejections.map((r) => [r.line, r.reason.split(':')[0]])).toEqual([
      [3, 'name'],
      [4, 'name'],
      [5, 'external_id'],
    ]);
    for (const rejection of rejections) expect(rejection.reason).toMatch(/control character|U\+20/);
    expect(summary.created).toBe(2);
  });
});
