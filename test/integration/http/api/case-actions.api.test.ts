import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHttpApp, type TestHttpApp } from '../../../support/http-app.js';
import { seedLedger } from '../../../support/ledger.js';

/** A calendar day `n` days from now (UTC): promised dates and instalments stay in the future whenever the test runs. */
const daysFromNow = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

type Role = 'collector' | 'manager';
type Body = Record<string, unknown>;

interface ActionCase {
  name: string;
  /** Below `/api/v1/cases/<customer>`. */
  path: string;
  /** The least role; a manager action is refused to a collector. */
  role: Role;
  /** Done first (as a manager) so the action applies; their answers are handed to `body`. */
  before?: Array<{ path: string; body: Body }>;
  body: Body | ((previous: Body[]) => Body);
  /** A bad input and the field its 400 must name. */
  invalid: { body: Body; field: string };
  /** What the action wrote, read back. */
  check(t: TestHttpApp, customerId: string): Promise<void>;
}

const reason = { reason: 'agreed with the customer' };

const ACTIONS: ActionCase[] = [
  {
    name: 'legal hold',
    path: '/legal-hold',
    role: 'manager',
    body: { reason: 'handed to agency', agency: 'Lex & Co' },
    invalid: { body: { reason: '' }, field: 'reason' },
    check: async (t, id) =>
      expect((await t.runtime.prisma.legalHold.findFirstOrThrow({ where: { customerId: id } })).agency).toBe('Lex & Co'),
  },
  {
    name: 'legal hold release',
    path: '/legal-hold/release',
    role: 'manager',
    before: [{ path: '/legal-hold', body: reason }],
    body: reason,
    invalid: { body: { reason: 'x', colour: 'red' }, field: '(body)' },
    check: async (t, id) =>
      expect((await t.runtime.prisma.legalHold.findFirstOrThrow({ where: { customerId: id } })).releasedAt).not.toBeNull(),
  },
  {
    name: 'bankruptcy',
    path: '/bankruptcy',
    role: 'manager',
    body: { filedOn: '2026-01-15', chapter: '7', caseNumber: 'B-123' },
    invalid: { body: { filedOn: '2026-02-30', chapter: '7' }, field: 'filedOn' },
    check: async (t, id) =>
      expect((await t.runtime.prisma.bankruptcyFiling.findFirstOrThrow({ where: { customerId: id } })).caseNumber).toBe('B-123'),
  },
  {
    name: 'bankruptcy discharge',
    path: '/bankruptcy/discharge',
    role: 'manager',
    before: [{ path: '/bankruptcy', body: { filedOn: '2026-01-15', chapter: '7' } }],
    body: reason,
    invalid: { body: {}, field: 'reason' },
    check: async (t, id) =>
      expect((await t.runtime.prisma.bankruptcyFiling.findFirstOrThrow({ where: { customerId: id } })).dischargedAt).not.toBeNull(),
  },
  {
    name: 'bankruptcy dismissal',
    path: '/bankruptcy/dismiss',
    role: 'manager',
    before: [{ path: '/bankruptcy', body: { filedOn: '2026-01-15', chapter: '11' } }],
    body: reason,
    invalid: { body: { reason: 42 }, field: 'reason' },
    check: async (t, id) =>
      expect((await t.runtime.prisma.bankruptcyFiling.findFirstOrThrow({ where: { customerId: id } })).dismissedAt).not.toBeNull(),
  },
  {
    name: 'credit hold',
    path: '/credit-hold',
    role: 'manager',
    body: { reason: 'over the limit' },
    invalid: { body: {}, field: 'reason' },
    check: async (t, id) => expect(await t.runtime.prisma.creditHold.count({ where: { customerId: id, releasedAt: null } })).toBe(1),
  },
  {
    name: 'credit hold release',
    path: '/credit-hold/release',
    role: 'manager',
    before: [{ path: '/credit-hold', body: reason }],
    body: reason,
    invalid: { body: { reason: '   ' }, field: 'reason' },
    check: async (t, id) => expect(await t.runtime.prisma.creditHold.count({ where: { customerId: id, releasedAt: null } })).toBe(0),
  },
  {
    name: 'write-off',
    path: '/write-off',
    role: 'manager',
    body: { invoice: 'INV-1', reason: 'customer ceased trading' },
    // Neither an invoice nor `all`: the service's own refinement names the field.
    invalid: { body: { reason: 'uncollectable' }, field: 'invoice' },
    check: async (t, id) =>
      expect(await t.runtime.prisma.invoice.findFirstOrThrow({ where: { customerId: id } })).toMatchObject({
        status: 'written_off',
        writtenOffMinor: 2_000_00n,
      }),
  },
  {
    name: 'dispute',
    path: '/disputes',
    role: 'collector',
    body: { invoice: 'INV-1', reasonCode: 'not_received', notes: 'never arrived' },
    invalid: { body: { invoice: 'INV-1', reasonCode: 'Not Received' }, field: 'reasonCode' },
    check: async (t, id) =>
      expect((await t.runtime.prisma.dispute.findFirstOrThrow({ where: { customerId: id } })).reasonCode).toBe('not_received'),
  },
  {
    name: 'dispute resolution',
    path: '/disputes/resolve',
    role: 'collector',
    before: [{ path: '/disputes', body: { invoice: 'INV-1', reasonCode: 'pricing' } }],
    body: { invoice: 'INV-1', resolution: 'credit note issued' },
    invalid: { body: { invoice: 'INV-1' }, field: 'resolution' },
    check: async (t, id) =>
      expect((await t.runtime.prisma.dispute.findFirstOrThrow({ where: { customerId: id } })).resolution).toBe('credit note issued'),
  },
  {
    name: 'promise',
    path: '/promises',
    role: 'collector',
    body: { amountMinor: 500_00, promisedOn: daysFromNow(10) },
    // Checked by the service against the customer's today, not by the schema.
    invalid: { body: { amountMinor: 500_00, promisedOn: '2020-01-01' }, field: 'promisedOn' },
    check: async (t, id) =>
      expect((await t.runtime.prisma.promiseToPay.findFirstOrThrow({ where: { customerId: id } })).amountMinor).toBe(50000n),
  },
  {
    name: 'promise cancellation',
    path: '/promises/cancel',
    role: 'collector',
    before: [{ path: '/promises', body: { amountMinor: 100_00, promisedOn: daysFromNow(5), confirm: false } }],
    body: ([promise]) => ({ promiseId: promise!.promiseId, ...reason }),
    invalid: { body: { promiseId: 'not-a-uuid', ...reason }, field: 'promiseId' },
    check: async (t, id) =>
      expect((await t.runtime.prisma.promiseToPay.findFirstOrThrow({ where: { customerId: id } })).status).toBe('cancelled'),
  },
  {
    name: 'payment plan',
    path: '/payment-plan',
    role: 'manager',
    body: {
      totalMinor: 1_000_00,
      instalments: [
        { dueOn: daysFromNow(10), amountMinor: 500_00 },
        { dueOn: daysFromNow(40), amountMinor: 500_00 },
      ],
    },
    // The sum is checked by the service's own refinement.
    invalid: { body: { totalMinor: 1_000_00, instalments: [{ dueOn: daysFromNow(10), amountMinor: 400_00 }] }, field: 'instalments' },
    check: async (t, id) =>
      expect(
        (await t.runtime.prisma.paymentPlan.findFirstOrThrow({ where: { customerId: id }, include: { instalments: true } })).instalments,
      ).toHaveLength(2),
  },
  {
    name: 'payment plan cancellation',
    path: '/payment-plan/cancel',
    role: 'manager',
    before: [{ path: '/payment-plan', body: { totalMinor: 1_000_00, instalments: [{ dueOn: daysFromNow(10), amountMinor: 1_000_00 }] } }],
    body: reason,
    invalid: { body: {}, field: 'reason' },
    check: async (t, id) =>
      expect((await t.runtime.prisma.paymentPlan.findFirstOrThrow({ where: { customerId: id } })).status).toBe('cancelled'),
  },
  {
    name: 'call',
    path: '/calls',
    role: 'collector',
    body: { outcome: 'voicemail', notes: 'left a message' },
    invalid: { body: { outcome: 'shouting', notes: 'x' }, field: 'outcome' },
    check: async (t, id) =>
      expect((await t.runtime.prisma.contact.findFirstOrThrow({ where: { customerId: id, channel: 'call' } })).notes).toBe(
        'left a message',
      ),
  },
  {
    name: 'note',
    path: '/notes',
    role: 'collector',
    body: { text: 'prefers calls after 3pm' },
    invalid: { body: { text: '' }, field: 'text' },
    check: async (t, id) =>
      expect((await t.runtime.prisma.contact.findFirstOrThrow({ where: { customerId: id, channel: 'note' } })).notes).toBe(
        'prefers calls after 3pm',
      ),
  },
  {
    name: 'pause',
    path: '/pause',
    role: 'collector',
    body: { reason: 'on holiday', until: `${daysFromNow(7)}T08:00:00+02:00` },
    invalid: { body: { reason: 'on holiday', until: '2020-01-01T00:00:00Z' }, field: 'until' },
    check: async (t, id) =>
      expect((await t.runtime.prisma.collectionCase.findFirstOrThrow({ where: { customerId: id } })).state).toBe('paused'),
  },
  {
    name: 'resume',
    path: '/resume',
    role: 'collector',
    before: [{ path: '/pause', body: reason }],
    body: reason,
    invalid: { body: { because: 'x' }, field: 'reason' },
    check: async (t, id) =>
      expect((await t.runtime.prisma.collectionCase.findFirstOrThrow({ where: { customerId: id } })).state).toBe('active'),
  },
];

describe('REST API: case actions and alerts', () => {
  let t: TestHttpApp;
  let ids: Map<string, string>;
  const tokens: Record<string, string> = {};

  const call = (method: 'GET' | 'POST', url: string, token?: string, payload?: unknown) =>
    t.app.inject({
      method,
      url,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const customerOf = (index: number) => `CA-${index}`;

  beforeAll(async () => {
    t = await startTestHttpApp();
    tokens.collector = await t.token('collector', 'cases:write');
    tokens.manager = await t.token('manager', 'cases:write');
    tokens.noScope = await t.token('admin', 'ledger:read,ledger:write');
    ids = await seedLedger(t.runtime.prisma, [
      ...ACTIONS.map((_, i) => ({
        externalId: customerOf(i),
        invoices: [{ number: 'INV-1', amountMinor: 2_000_00, issuedOn: '2026-01-01', dueOn: '2026-01-31' }],
      })),
      { externalId: 'FILE-1', invoices: [{ number: 'F-1', amountMinor: 700_00, issuedOn: '2026-01-01', dueOn: '2026-01-31' }] },
    ]);
  });
  afterAll(async () => t?.close());

  describe.each(ACTIONS.map((action, index) => ({ ...action, index })))('POST /cases/:customer$path ($name)', (action) => {
    const url = `/api/v1/cases/${customerOf(action.index)}${action.path}`;

    it(`answers 400 naming ${action.invalid.field}, and writes nothing`, async () => {
      const audits = await t.runtime.prisma.auditEvent.count();
      const response = await call('POST', url, tokens[action.role], action.invalid.body);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(
        response.json().errors.map((e: { field: string }) => e.field),
        response.body,
      ).toContain(action.invalid.field);
      expect(await t.runtime.prisma.auditEvent.count()).toBe(audits);
    });

    it('refuses a token without cases:write (403)', async () => {
      const response = await call('POST', url, tokens.noScope, typeof action.body === 'function' ? {} : action.body);
      expect(response.statusCode).toBe(403);
      expect(response.json().detail).toContain('cases:write');
    });

    if (action.role === 'manager') {
      it("refuses a collector's token (403), and writes nothing", async () => {
        const audits = await t.runtime.prisma.auditEvent.count();
        const response = await call('POST', url, tokens.collector, typeof action.body === 'function' ? {} : action.body);
        expect(response.statusCode, response.body).toBe(403);
        expect(response.json().detail).toContain('manager');
        expect(await t.runtime.prisma.auditEvent.count()).toBe(audits);
      });
    }

    it(`succeeds for a ${action.role}, with the token's user as the audited actor`, async () => {
      const previous: Body[] = [];
      for (const step of action.before ?? []) {
        const response = await call('POST', `/api/v1/cases/${customerOf(action.index)}${step.path}`, tokens.manager, step.body);
        expect(response.statusCode, response.body).toBe(200);
        previous.push(response.json());
      }
      const body = typeof action.body === 'function' ? action.body(previous) : action.body;
      const response = await call('POST', url, tokens[action.role], body);
      expect(response.statusCode, response.body).toBe(200);
      await action.check(t, ids.get(customerOf(action.index))!);
      const last = await t.runtime.prisma.auditEvent.findFirstOrThrow({
        orderBy: { at: 'desc' },
        where: { action: { not: 'alert.raised' } },
      });
      expect(last.actor).toBe(t.users[action.role].id);
    });
  });

  it('answers 404 for an unknown customer and 409 for an action that does not apply', async () => {
    const missing = await call('POST', '/api/v1/cases/NOBODY/notes', tokens.collector, { text: 'hello' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().detail).toContain('NOBODY');
    const notHeld = await call('POST', '/api/v1/cases/FILE-1/legal-hold/release', tokens.manager, reason);
    expect(notHeld.statusCode, notHeld.body).toBe(409);
    expect(notHeld.headers['content-type']).toContain('application/problem+json');
    const noInvoice = await call('POST', '/api/v1/cases/FILE-1/disputes', tokens.collector, { invoice: 'NOPE', reasonCode: 'pricing' });
    expect(noInvoice.statusCode).toBe(404);
    const writtenOff = ACTIONS.findIndex((a) => a.path === '/write-off');
    const nothingOpen = await call('POST', `/api/v1/cases/${customerOf(writtenOff)}/write-off`, tokens.manager, {
      all: true,
      reason: 'again',
    });
    expect(nothingOpen.statusCode, nothingOpen.body).toBe(409);
    expect(nothingOpen.json().detail).toContain('no open balance to write off');
  });

  it('exports the case file as JSON and as HTML, for managers only', async () => {
    await call('POST', '/api/v1/cases/FILE-1/notes', tokens.collector, { text: 'called twice' });
    const json = await call('GET', '/api/v1/cases/FILE-1/file', tokens.manager);
    expect(json.statusCode, json.body).toBe(200);
    expect(json.json()).toMatchObject({ customer: { externalId: 'FILE-1' }, openInvoices: [{ number: 'F-1' }] });
    expect(json.json().contacts.some((c: { text: string | null }) => c.text?.includes('called twice'))).toBe(true);
    const html = await call('GET', '/api/v1/cases/FILE-1/file?format=html', tokens.manager);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain('Case file: FILE-1 SRL');
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    expect((await call('GET', '/api/v1/cases/FILE-1/file', tokens.collector)).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/cases/FILE-1/file?format=pdf', tokens.manager)).json().errors[0].field).toBe('query.format');
    expect((await call('GET', '/api/v1/cases/NOBODY/file', tokens.manager)).statusCode).toBe(404);
  });

  it('lists alerts and lets a manager (not a collector) acknowledge one, once', async () => {
    // A manager's own legal hold raises no open alert (they know what they did); one the system raised does.
    expect((await call('POST', '/api/v1/cases/FILE-1/legal-hold', tokens.manager, { reason: 'fraud suspected' })).statusCode).toBe(200);
    const fileAlert = async (kind: string) =>
      (await call('GET', '/api/v1/alerts', tokens.collector))
        .json()
        .items.find((a: { customerExternalId: string; kind: string }) => a.customerExternalId === 'FILE-1' && a.kind === kind);
    expect(await fileAlert('legal_hold')).toBeUndefined();
    const customer = await t.runtime.prisma.customer.findUniqueOrThrow({ where: { externalId: 'FILE-1' } });
    const now = new Date();
    await t.runtime.prisma.managerAlert.create({
      data: {
        kind: 'balance_threshold',
        customerId: customer.id,
        message: 'Balance above the threshold',
        raisedAt: now,
        lastRaisedAt: now,
      },
    });
    const alert = await fileAlert('balance_threshold');
    expect(alert).toBeDefined();
    const ackUrl = `/api/v1/alerts/${alert.id}/ack`;
    expect((await call('POST', ackUrl, tokens.collector, {})).statusCode).toBe(403);
    const bad = await call('POST', '/api/v1/alerts/not-a-uuid/ack', tokens.manager, {});
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('params.id');
    expect((await call('POST', '/api/v1/alerts/00000000-0000-4000-8000-000000000000/ack', tokens.manager, {})).statusCode).toBe(404);
    const acked = await call('POST', ackUrl, tokens.manager, { note: 'agency informed' });
    expect(acked.statusCode, acked.body).toBe(200);
    expect(acked.json()).toEqual({ alertId: alert.id });
    expect((await call('POST', ackUrl, tokens.manager)).statusCode).toBe(409);
    const stillOpen = (await call('GET', '/api/v1/alerts', tokens.manager)).json().items.map((a: { id: string }) => a.id);
    expect(stillOpen).not.toContain(alert.id);
    const all = (await call('GET', '/api/v1/alerts?status=all&days=1', tokens.manager)).json().items;
    expect(all.find((a: { id: string }) => a.id === alert.id).acknowledgedBy).toBe(t.users.manager.id);
  });

  it('describes every case route in the OpenAPI document with its scope, least role and body schema', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    for (const action of ACTIONS) {
      const operation = doc.paths[`/api/v1/cases/{customer}${action.path}`]?.post;
      expect(operation, action.path).toBeDefined();
      expect(operation['x-scope']).toBe('cases:write');
      expect(operation['x-role']).toBe(action.role);
      expect(operation.requestBody.content['application/json'].schema.properties).not.toHaveProperty('customer');
    }
    expect(doc.paths['/api/v1/cases/{customer}/promises'].post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['amountMinor', 'promisedOn']),
    );
    expect(doc.paths['/api/v1/cases/{customer}/file'].get['x-role']).toBe('manager');
    expect(doc.paths['/api/v1/alerts'].get).toBeDefined();
    expect(doc.paths['/api/v1/alerts/{id}/ack'].post['x-role']).toBe('manager');
  });
});
