import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../../../src/db/client.js';
import { HeaderError } from '../../../src/ingest/header.js';
import { defaultPolicy } from '../../../src/workflows/policies/default.policy.js';
import { startTestHttpApp, type TestHttpApp } from '../../support/http-app.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import { startCli } from '../../support/processes.js';
import { importCsv } from './import-helpers.js';

// Issue 14: every customer field the schema holds can be set by the business — the CSV import's
// optional columns, the API's customer items — and `arrears import customers` knows the
// policies of POLICIES_DIR.

const HEADER = 'external_id,name,email,phone,timezone,locale,currency,credit_limit,sms_consent,policy';
const OPTIONAL = 'collector,profile,holiday_calendar,do_not_contact,statement_schedule,sales_contact_email';
const base = (id: string) => `${id},${id} SRL,,,Europe/Bucharest,ro,RON,,,`;

describe('customer fields through the CSV import', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let prisma: PrismaClient;
  let collectorId: string;
  const deps = () => ({ pool, prisma });
  const customer = (externalId: string) => prisma.customer.findUniqueOrThrow({ where: { externalId } });

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    prisma = createPrisma(database.url);
    collectorId = (await prisma.user.create({ data: { email: 'Cora@Example.com', name: 'Cora', role: 'collector' } })).id;
    await prisma.user.create({ data: { email: 'gone@example.com', name: 'Gone', role: 'collector', active: false } });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await pool?.end();
    await database?.drop();
  });

  it('sets the optional columns, in any order, and gives a new customer the defaults where empty', async () => {
    const csv = [
      `sales_contact_email,${HEADER},statement_schedule,collector,do_not_contact,holiday_calendar,profile`,
      `sales@one.example,${base('CF-1')},weekly,cora@example.com,yes,RO,consumer`,
      `,${base('CF-2')},,,,,`,
    ].join('\n');
    const { summary, rejections } = await importCsv(deps(), 'customers', `${csv}\n`);
    expect(rejections).toEqual([]);
    expect(summary).toMatchObject({ created: 2, rejected: 0 });
    expect(await customer('CF-1')).toMatchObject({
      assignedCollectorId: collectorId,
      profile: 'consumer',
      holidayCalendar: 'RO',
      doNotContact: true,
      statementSchedule: 'weekly',
      salesContactEmail: 'sales@one.example',
    });
    expect(await customer('CF-2')).toMatchObject({
      assignedCollectorId: null,
      profile: 'business',
      holidayCalendar: null,
      doNotContact: false,
      statementSchedule: 'monthly',
      salesContactEmail: null,
    });
  });

  it('leaves an existing customer as it is where a column is empty or absent, and counts a change as updated', async () => {
    const same = await importCsv(deps(), 'customers', `${HEADER},${OPTIONAL}\n${base('CF-1')},,,,,,\n`);
    expect(same.summary).toMatchObject({ unchanged: 1, updated: 0 });
    const absent = await importCsv(deps(), 'customers', `${HEADER}\n${base('CF-1')}\n`);
    expect(absent.summary).toMatchObject({ unchanged: 1, updated: 0 });
    expect((await customer('CF-1')).doNotContact).toBe(true);

    const changed = await importCsv(deps(), 'customers', `${HEADER},do_not_contact,profile\n${base('CF-1')},no,Business\n`);
    expect(changed.summary).toMatchObject({ updated: 1 });
    expect(await customer('CF-1')).toMatchObject({
      doNotContact: false,
      profile: 'business',
      statementSchedule: 'weekly',
      assignedCollectorId: collectorId,
    });
  });

  it('rejects bad values and unknown or inactive collectors with their line numbers, and loads the good rows', async () => {
    const csv = [
      `${HEADER},${OPTIONAL}`,
      `${base('BAD-1')},cora@example.com,retail,,,,`,
      `${base('BAD-2')},,,,maybe,daily,`,
      `${base('BAD-3')},,,"DE BY",,,not-an-email`,
      `${base('BAD-4')},nobody@example.com,,,,,`,
      `${base('BAD-5')},gone@example.com,,,,,`,
      `${base('OK-1')},,consumer,,,none,`,
    ].join('\n');
    const { summary, rejections } = await importCsv(deps(), 'customers', `${csv}\n`);
    expect(summary).toMatchObject({ rows: 6, created: 1, rejected: 5 });
    expect(rejections.map((r) => [r.line, r.reason])).toEqual([
      [2, 'profile: "retail" is not one of business, consumer'],
      [
        3,
        'do_not_contact: "maybe" is not one of true, false, yes, no, 1, 0; statement_schedule: "daily" is not one of monthly, weekly, none',
      ],
      [
        4,
        'holiday_calendar: "DE BY" is not a calendar code such as DE or US-NY; sales_contact_email: "not-an-email" is not an email address',
      ],
      [5, 'collector: no user has the email nobody@example.com'],
      [6, 'collector: gone@example.com is not an active user'],
    ]);
    expect(await customer('OK-1')).toMatchObject({ profile: 'consumer', statementSchedule: 'none' });
    expect(await prisma.customer.count({ where: { externalId: { startsWith: 'BAD-' } } })).toBe(0);
  });

  it('still refuses a misspelled or unknown column, guessing the optional one meant', async () => {
    const error = await importCsv(deps(), 'customers', `${HEADER},colector,remarks\n${base('X-1')},,\n`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HeaderError);
    expect((error as HeaderError).problems).toEqual([
      'unexpected column "colector" (did you mean "collector"?)',
      'unexpected column "remarks"',
      `expected: ${HEADER}`,
      `optional: ${OPTIONAL}`,
    ]);
    const missing = await importCsv(deps(), 'customers', `external_id,name,collector\nX-1,X,\n`).catch((e: unknown) => e);
    expect((missing as HeaderError).problems.join('\n')).toContain('missing columns: email, phone, timezone');
  });

  it('accepts a policy from POLICIES_DIR on the command line, as the worker and the API do', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'arrears-policies-'));
    await writeFile(path.join(dir, 'gentle.json'), JSON.stringify({ ...defaultPolicy, id: 'gentle' }));
    const file = path.join(dir, 'customers.csv');
    await writeFile(file, `${HEADER},collector\nPOL-1,Pol SRL,,,Europe/Bucharest,ro,RON,,,gentle,cora@example.com\n`);
    const env = { DATABASE_URL: database.url, REDIS_URL: inject('redisUrl'), LOG_LEVEL: 'warn' };

    const without = startCli(['import', 'customers', file], env);
    expect((await without.exit).code).toBe(3);
    expect(without.output()).toContain('line 2: policy: "gentle" is not a known policy');

    const withDir = startCli(['import', 'customers', file, '--json'], { ...env, POLICIES_DIR: dir });
    expect((await withDir.exit).code, withDir.output()).toBe(0);
    expect(await customer('POL-1')).toMatchObject({ policyId: 'gentle', assignedCollectorId: collectorId });
  }, 60_000);
});

describe('customer fields through POST /api/v1/customers', () => {
  let t: TestHttpApp;
  let token: string;
  const post = (items: unknown[]) =>
    t.app.inject({ method: 'POST', url: '/api/v1/customers', headers: { authorization: `Bearer ${token}` }, payload: { items } });
  const item = (externalId: string, extra: Record<string, unknown> = {}) => ({
    external_id: externalId,
    name: `${externalId} SRL`,
    timezone: 'Europe/Bucharest',
    locale: 'ro',
    currency: 'RON',
    ...extra,
  });

  beforeAll(async () => {
    t = await startTestHttpApp();
    token = await t.token('manager', 'ledger:write');
  });
  afterAll(async () => t?.close());

  it('sets the collector, profile, calendar, do-not-contact, statement schedule and sales contact', async () => {
    const response = await post([
      item('API-1', {
        collector: 'collector@example.com',
        profile: 'consumer',
        holiday_calendar: 'US-NY',
        do_not_contact: true,
        statement_schedule: 'none',
        sales_contact_email: 'sales@api.example',
      }),
    ]);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ created: 1, updated: 0, unchanged: 0 });
    expect(await t.runtime.prisma.customer.findUniqueOrThrow({ where: { externalId: 'API-1' } })).toMatchObject({
      assignedCollectorId: t.users.collector.id,
      profile: 'consumer',
      holidayCalendar: 'US-NY',
      doNotContact: true,
      statementSchedule: 'none',
      salesContactEmail: 'sales@api.example',
    });
    const again = await post([item('API-1', { do_not_contact: null })]);
    expect(again.json()).toEqual({ created: 0, updated: 0, unchanged: 1 });
  });

  it('answers 400 naming the item and field for a bad value or an unknown collector, and writes nothing', async () => {
    const bad = await post([item('API-2'), item('API-3', { profile: 'retail' })]);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(['items[1].profile']);
    const unknown = await post([item('API-2'), item('API-3', { collector: 'nobody@example.com' })]);
    expect(unknown.statusCode, unknown.body).toBe(400);
    expect(unknown.json().errors).toEqual([{ field: 'items[1].collector', index: 1, message: 'no user has the email nobody@example.com' }]);
    expect(await t.runtime.prisma.customer.count({ where: { externalId: { in: ['API-2', 'API-3'] } } })).toBe(0);
  });

  it('describes the new fields in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const schema = doc.paths['/api/v1/customers'].post.requestBody.content['application/json'].schema;
    const properties = Object.keys(schema.properties.items.items.properties);
    expect(properties).toEqual(
      expect.arrayContaining(['collector', 'profile', 'holiday_calendar', 'do_not_contact', 'statement_schedule', 'sales_contact_email']),
    );
  });
});
