import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgingReport } from '../../../../src/reports/sources/reports.source.js';
import { startTestHttpApp, type TestHttpApp } from '../../../support/http-app.js';
import { seedLedger } from '../../../support/ledger.js';

const customer = (id: string, extra: Record<string, unknown> = {}) => ({
  external_id: id,
  name: `${id} SRL`,
  email: `${id.toLowerCase()}@example.ro`,
  phone: '0721 234 567',
  timezone: 'Europe/Bucharest',
  locale: 'ro-RO',
  currency: 'RON',
  credit_limit: '5000.00',
  sms_consent: true,
  policy: 'default',
  ...extra,
});
const invoice = (id: string, customerId: string, extra: Record<string, unknown> = {}) => ({
  external_id: id,
  customer_external_id: customerId,
  number: id,
  currency: 'RON',
  amount: '1200.50',
  issued_on: '2026-01-01',
  due_on: '2026-02-01',
  ...extra,
});

describe('REST API /api/v1', () => {
  let t: TestHttpApp;
  const tokens: Record<string, string> = {};

  const call = (method: 'GET' | 'POST', url: string, token?: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  beforeAll(async () => {
    t = await startTestHttpApp();
    tokens.collector = await t.token('collector');
    tokens.manager = await t.token('manager');
    tokens.admin = await t.token('admin');
    tokens.readOnly = await t.token('admin', 'ledger:read');
    await seedLedger(t.runtime.prisma, [
      { externalId: 'SEED-1', invoices: [{ number: 'S-1', amountMinor: 100_00, issuedOn: '2026-01-01', dueOn: '2026-01-31' }] },
    ]);
  });
  afterAll(async () => t?.close());

  // Every endpoint: a request that succeeds, the least role, and the scope it needs.
  interface Endpoint {
    method: 'GET' | 'POST';
    url: string;
    role: 'collector' | 'manager';
    scope: string;
    body?: unknown;
  }
  const endpoints: Endpoint[] = [
    { method: 'POST', url: '/api/v1/customers', role: 'manager', scope: 'ledger:write', body: { items: [customer('API-0')] } },
    {
      method: 'POST',
      url: '/api/v1/contact-points',
      role: 'manager',
      scope: 'ledger:write',
      body: { items: [{ customer_external_id: 'SEED-1', kind: 'email', value: 'billing@seed.example', role: 'billing' }] },
    },
    { method: 'POST', url: '/api/v1/invoices', role: 'manager', scope: 'ledger:write', body: { items: [invoice('SEED-INV-9', 'SEED-1')] } },
    {
      method: 'POST',
      url: '/api/v1/payments',
      role: 'manager',
      scope: 'ledger:write',
      body: {
        items: [
          {
            external_id: 'PAY-0',
            customer_external_id: 'SEED-1',
            amount: '10.00',
            currency: 'RON',
            received_on: '2026-03-01',
            reference: null,
          },
        ],
      },
    },
    { method: 'GET', url: '/api/v1/cases', role: 'collector', scope: 'ledger:read' },
    { method: 'GET', url: '/api/v1/cases/SEED-1', role: 'collector', scope: 'ledger:read' },
    { method: 'GET', url: '/api/v1/invoices?customer=SEED-1', role: 'collector', scope: 'ledger:read' },
    { method: 'GET', url: '/api/v1/invoices/SEED-1-S-1', role: 'collector', scope: 'ledger:read' },
    { method: 'GET', url: '/api/v1/contact-log?customer=SEED-1', role: 'collector', scope: 'contacts:read' },
    { method: 'GET', url: '/api/v1/reports/aging?as_of=2026-03-10', role: 'manager', scope: 'reports:read' },
    { method: 'GET', url: '/api/v1/reports/dso?as_of=2026-03-10&period=3m', role: 'manager', scope: 'reports:read' },
    { method: 'GET', url: '/api/v1/reports/cei?as_of=2026-03-10&months=3', role: 'manager', scope: 'reports:read' },
  ];

  describe.each(endpoints)('$method $url', ({ method, url, role, scope, body }) => {
    it('answers 401 without a token, and with a malformed or unknown one', async () => {
      for (const token of [undefined, 'nope', `arr_${'A'.repeat(43)}`]) {
        const response = await call(method, url, token, body);
        expect(response.statusCode).toBe(401);
        expect(response.headers['content-type']).toContain('application/problem+json');
      }
    });

    it(`answers 403 to a token without ${scope}`, async () => {
      const other = scope === 'ledger:read' ? await t.token('admin', 'contacts:read') : tokens.readOnly;
      const response = await call(method, url, other, body);
      expect(response.statusCode).toBe(403);
      expect(response.json().detail).toContain(scope);
    });

    if (role !== 'collector') {
      it(`answers 403 to a collector's token (needs ${role})`, async () => {
        const response = await call(method, url, tokens.collector, body);
        expect(response.statusCode).toBe(403);
        expect(response.json().detail).toContain(role);
      });
    }

    it(`succeeds for a ${role}'s token`, async () => {
      const response = await call(method, url, role === 'collector' ? tokens.collector : tokens.manager, body);
      expect(response.statusCode, response.body).toBe(200);
    });
  });

  it('upserts customers idempotently: created, then unchanged, then updated', async () => {
    const items = [customer('API-1'), customer('API-2', { sms_consent: null, credit_limit: null, phone: null })];
    expect((await call('POST', '/api/v1/customers', tokens.manager, { items })).json()).toEqual({ created: 2, updated: 0, unchanged: 0 });
    expect((await call('POST', '/api/v1/customers', tokens.manager, { items })).json()).toEqual({ created: 0, updated: 0, unchanged: 2 });
    const changed = [customer('API-1', { name: 'Renamed SRL' })];
    expect((await call('POST', '/api/v1/customers', tokens.manager, { items: changed })).json()).toEqual({
      created: 0,
      updated: 1,
      unchanged: 0,
    });
    const stored = await t.runtime.prisma.customer.findUniqueOrThrow({ where: { externalId: 'API-1' }, include: { contactPoints: true } });
    expect(stored.name).toBe('Renamed SRL');
    expect(stored.creditLimitMinor).toBe(500000n);
    expect(stored.contactPoints.map((p) => p.value).sort()).toEqual(['+40721234567', 'api-1@example.ro']);
  });

  // Bad bodies: 400 naming the field and the item index; nothing written.
  const invalid = [
    {
      name: 'a missing required field',
      url: '/api/v1/customers',
      items: [customer('BAD-1'), { ...customer('BAD-2'), name: undefined }],
      field: 'items[1].name',
      index: 1,
    },
    { name: 'an unknown field', url: '/api/v1/customers', items: [{ ...customer('BAD-1'), colour: 'red' }], field: 'items[0]', index: 0 },
    {
      name: 'a bad time zone',
      url: '/api/v1/customers',
      items: [customer('BAD-1', { timezone: 'Mars/Olympus' })],
      field: 'items[0].timezone',
      index: 0,
    },
    {
      name: 'an unknown policy',
      url: '/api/v1/customers',
      items: [customer('BAD-1', { policy: 'nope' })],
      field: 'items[0].policy',
      index: 0,
    },
    {
      name: 'too many decimals',
      url: '/api/v1/invoices',
      items: [invoice('BAD-I1', 'SEED-1', { amount: '12.345' })],
      field: 'items[0].amount',
      index: 0,
    },
    {
      name: 'an impossible date',
      url: '/api/v1/invoices',
      items: [invoice('BAD-I1', 'SEED-1'), invoice('BAD-I2', 'SEED-1', { due_on: '2026-02-30' })],
      field: 'items[1].due_on',
      index: 1,
    },
    {
      name: 'an unknown customer (found by the writer)',
      url: '/api/v1/invoices',
      items: [invoice('BAD-I1', 'SEED-1'), invoice('BAD-I2', 'NOBODY')],
      field: 'items[1].customer_external_id',
      index: 1,
    },
    {
      name: "a currency not the customer's",
      url: '/api/v1/invoices',
      items: [invoice('BAD-I1', 'SEED-1', { currency: 'EUR' })],
      field: 'items[0].currency',
      index: 0,
    },
    {
      name: 'a repeated external id',
      url: '/api/v1/invoices',
      items: [invoice('BAD-I1', 'SEED-1'), invoice('BAD-I1', 'SEED-1', { number: 'X' })],
      field: 'items[1].external_id',
      index: 1,
    },
    {
      name: 'a zero payment',
      url: '/api/v1/payments',
      items: [{ external_id: 'BAD-P', customer_external_id: 'SEED-1', amount: '0', currency: 'RON', received_on: '2026-03-01' }],
      field: 'items[0].amount',
      index: 0,
    },
    {
      name: 'a bad email',
      url: '/api/v1/contact-points',
      items: [{ customer_external_id: 'SEED-1', kind: 'email', value: 'not-an-email' }],
      field: 'items[0].value',
      index: 0,
    },
  ];
  it.each(invalid)('answers 400 for $name, naming $field, and writes nothing', async ({ url, items, field, index }) => {
    const before = await Promise.all([
      t.runtime.prisma.customer.count(),
      t.runtime.prisma.invoice.count(),
      t.runtime.prisma.payment.count(),
    ]);
    const response = await call('POST', url, tokens.manager, { items });
    expect(response.statusCode, response.body).toBe(400);
    const problem = response.json();
    expect(
      problem.errors.some((e: { field: string; index?: number }) => e.field.startsWith(field) && e.index === index),
      response.body,
    ).toBe(true);
    const after = await Promise.all([
      t.runtime.prisma.customer.count(),
      t.runtime.prisma.invoice.count(),
      t.runtime.prisma.payment.count(),
    ]);
    expect(after).toEqual(before);
  });

  it('answers 400 for an empty or oversized batch, and for a bad query', async () => {
    expect((await call('POST', '/api/v1/customers', tokens.manager, { items: [] })).json().errors[0].field).toBe('items');
    const many = Array.from({ length: 1001 }, (_, i) => customer(`MANY-${i}`));
    expect((await call('POST', '/api/v1/customers', tokens.manager, { items: many })).statusCode).toBe(400);
    const bad = await call('GET', '/api/v1/contact-log?channel=pigeon&from=2026-13-01', tokens.collector);
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['query.channel', 'query.from']);
  });

  it('applies a payment through cash application, once', async () => {
    await call('POST', '/api/v1/invoices', tokens.manager, {
      items: [invoice('CASH-1', 'SEED-1', { amount: '300.00', due_on: '2026-01-15' })],
    });
    const items = [
      {
        external_id: 'PAY-CASH',
        customer_external_id: 'SEED-1',
        amount: '300.00',
        currency: 'RON',
        received_on: '2026-03-02',
        reference: 'INV CASH-1',
      },
    ];
    const first = (await call('POST', '/api/v1/payments', tokens.manager, { items })).json();
    expect(first.created).toBe(1);
    expect(first.applied[0].rule).toBe('reference');
    const again = (await call('POST', '/api/v1/payments', tokens.manager, { items })).json();
    expect(again).toMatchObject({ created: 0, unchanged: 1, applied: [] });
    const paid = (await call('GET', '/api/v1/invoices/CASH-1', tokens.collector)).json();
    expect(paid).toMatchObject({ status: 'paid', open_balance_minor: '0' });
  });

  it('pages the contact log with a cursor and exports it as CSV', async () => {
    const seeded = await t.runtime.prisma.customer.findUniqueOrThrow({ where: { externalId: 'SEED-1' } });
    for (let i = 0; i < 5; i += 1) {
      await t.runtime.prisma.contact.create({
        data: {
          customerId: seeded.id,
          channel: i % 2 ? 'call' : 'note',
          status: 'logged',
          actor: t.users.collector.id,
          notes: `note ${i}, "quoted"`,
          idempotencyKey: `test-log-${i}`,
          createdAt: new Date(Date.UTC(2026, 2, 1 + i)),
        },
      });
    }
    const first = (await call('GET', '/api/v1/contact-log?customer=SEED-1&limit=2', tokens.collector)).json();
    expect(first.items.map((i: { notes: string }) => i.notes)).toEqual(['note 4, "quoted"', 'note 3, "quoted"']);
    const second = (await call('GET', `/api/v1/contact-log?customer=SEED-1&limit=2&cursor=${first.next}`, tokens.collector)).json();
    expect(second.items.map((i: { notes: string }) => i.notes)).toEqual(['note 2, "quoted"', 'note 1, "quoted"']);
    const calls = (
      await call('GET', `/api/v1/contact-log?channel=call&from=2026-03-01&to=2026-03-04&actor=${t.users.collector.id}`, tokens.collector)
    ).json();
    expect(calls.items).toHaveLength(2);
    const csv = await call('GET', '/api/v1/contact-log?customer=SEED-1&format=csv', tokens.collector);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toContain('id,created_at,customer_external_id,channel');
    expect(lines).toHaveLength(6);
    expect(csv.body).toContain('"note 0, ""quoted"""');
  });

  it("sends today's aging from the pre-aggregate as JSON, the same bytes as the exact path's report", async () => {
    const today = DateTime.now().setZone('Europe/Bucharest').toISODate()!;
    await seedLedger(t.runtime.prisma, [
      {
        externalId: 'aging-10',
        name: 'Ana "Bună" \\ SRL',
        currency: 'EUR',
        invoices: [{ number: 'A-1', amountMinor: 5_00, issuedOn: '2026-02-01', dueOn: '2026-03-01' }],
      },
      { externalId: 'AGING-9', invoices: [{ number: 'A-2', amountMinor: 7_00, issuedOn: today, dueOn: today }] },
    ]);
    const response = await call('GET', '/api/v1/reports/aging', tokens.manager);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    const exact = JSON.stringify(await loadAgingReport(t.runtime.prisma, { asOf: today }));
    const order = (JSON.parse(exact) as { customers: Array<{ customer: { externalId: string } }> }).customers
      .map((c) => c.customer.externalId)
      .filter((id) => ['AGING-9', 'aging-10', 'SEED-1'].includes(id));
    expect(order).toEqual(['aging-10', 'AGING-9', 'SEED-1']);
    expect(response.body).toBe(exact);
  });

  it('refuses a revoked token', async () => {
    const { revokeApiToken } = await import('../../../../src/users/user.service.js');
    const token = await t.token('collector', 'ledger:read');
    expect((await call('GET', '/api/v1/cases', token)).statusCode).toBe(200);
    expect(await revokeApiToken(t.runtime, token.slice(0, 12), 'test')).toBe(1);
    expect((await call('GET', '/api/v1/cases', token)).statusCode).toBe(401);
  });

  it('serves an OpenAPI 3.1 document covering every route, and a docs page', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const doc = response.json();
    expect(doc.openapi).toBe('3.1.0');
    for (const { method, url } of endpoints) {
      const path = url.split('?')[0]!.replace('/SEED-1-S-1', '/{externalId}').replace('/SEED-1', '/{customer}');
      expect(doc.paths[path]?.[method.toLowerCase()], `${method} ${path}`).toBeDefined();
    }
    expect(doc.paths['/api/v1/invoices'].post.requestBody.content['application/json'].schema.properties.items.maxItems).toBe(1000);
    const docs = await t.app.inject({ method: 'GET', url: '/api/v1/docs' });
    expect(docs.body).toContain('/api/v1/contact-log');
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const response = await call('GET', '/api/v1/nothing', tokens.admin);
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });

  it('serves /readyz and, for a metrics:read token, /metrics', async () => {
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await call('GET', '/metrics', tokens.readOnly)).statusCode).toBe(403);
    const metrics = await call('GET', '/metrics', await t.token('admin', 'metrics:read'));
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('arrears_queue_jobs{queue="deliver-email",state="waiting"} 0');
    expect(metrics.body).toContain('arrears_contacts{channel="note",status="logged"}');
    expect(metrics.body).toContain('arrears_tick_duration_seconds');
    expect(metrics.body).toContain('arrears_queue_lag_seconds{queue="tick"}');
  });
});
