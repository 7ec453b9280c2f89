import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../../../src/db/client.js';
import { HeaderError } from '../../../src/ingest/header.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import { startCli } from '../../support/processes.js';
import { FIXTURES, IMPORT_NOW, importCsv, ledgerCounts } from './import-helpers.js';

describe('arrears import (library)', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let prisma: PrismaClient;
  const deps = () => ({ pool, prisma });

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    prisma = createPrisma(database.url);
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await pool?.end();
    await database?.drop();
  });

  it('loads customers, invoices and payments from the sample files', async () => {
    const customers = await importCsv(deps(), 'customers', 'sample-customers.csv');
    expect(customers.summary).toMatchObject({ rows: 8, created: 8, updated: 0, unchanged: 0, rejected: 0 });
    const invoices = await importCsv(deps(), 'invoices', 'sample-invoices.csv');
    expect(invoices.summary).toMatchObject({ rows: 13, created: 13, rejected: 0 });
    const payments = await importCsv(deps(), 'payments', 'sample-payments.csv');
    expect(payments.summary).toMatchObject({ rows: 6, created: 6, rejected: 0 });
    expect(payments.summary.cash).toMatchObject({ byReference: 4, byAge: 2, invoicesPaid: 5 });
    expect(payments.summary.cash?.totals.find((t) => t.currency === 'USD')).toEqual({
      currency: 'USD',
      appliedMinor: 1_943_125n,
      unappliedMinor: 154_925n,
    });

    const contacts = await pool.query(
      `select c.external_id, cc.kind::text, cc.value, cc.is_mobile from contact_points cc join customers c on c.id = cc.customer_id
        where c.external_id in ('US-1001', 'US-1002', 'CN-2001', 'RO-3001', 'TR-4001') and cc.kind = 'phone' order by 1`,
    );
    expect(contacts.rows).toEqual([
      { external_id: 'CN-2001', kind: 'phone', value: '+8613800138000', is_mobile: true },
      { external_id: 'RO-3001', kind: 'phone', value: '+40721234567', is_mobile: true },
      { external_id: 'TR-4001', kind: 'phone', value: '+905321234567', is_mobile: true },
      { external_id: 'US-1001', kind: 'phone', value: '+12125550143', is_mobile: true },
      { external_id: 'US-1002', kind: 'phone', value: '+14155550199', is_mobile: false },
    ]);
    const customer = await pool.query(
      `select name, locale, currency, credit_limit_minor::text, sms_consent, dunning_policy_id from customers where external_id = 'TR-4002'`,
    );
    expect(customer.rows[0]).toEqual({
      name: 'Ege Gıda Ltd. Şti.',
      locale: 'tr',
      currency: 'TRY',
      credit_limit_minor: null,
      sms_consent: false,
      dunning_policy_id: 'default',
    });
    const invoice = await pool.query(
      `select amount_minor::text, open_balance_minor::text, status::text from invoices where external_id in ('INV-US-3', 'INV-CN-3') order by external_id`,
    );
    expect(invoice.rows).toEqual([
      { amount_minor: '1280000', open_balance_minor: '1280000', status: 'open' },
      { amount_minor: '340000', open_balance_minor: '140000', status: 'open' },
    ]);
  });

  it('asks for a fresh decision on every customer whose ledger changed', async () => {
    const cases = await pool.query<{ external_id: string; next_look_at: Date }>(
      `select c.external_id, cc.next_look_at from collection_cases cc join customers c on c.id = cc.customer_id order by 1`,
    );
    expect(cases.rows.map((r) => r.external_id)).toEqual([
      'CN-2001',
      'CN-2002',
      'RO-3001',
      'RO-3002',
      'TR-4001',
      'TR-4002',
      'US-1001',
      'US-1002',
    ]);
    expect(cases.rows.every((r) => r.next_look_at.getTime() === IMPORT_NOW.getTime())).toBe(true);
  });

  it('changes nothing when the same files are imported again', async () => {
    const before = await ledgerCounts(pool);
    const balances = (await pool.query(`select external_id, open_balance_minor::text, status::text from invoices order by 1`)).rows;
    for (const [kind, rows] of [
      ['customers', 8],
      ['invoices', 13],
      ['payments', 6],
    ] as const) {
      const again = await importCsv(deps(), kind, `sample-${kind}.csv`, { now: new Date('2026-03-11T08:00:00Z') });
      expect(again.summary).toMatchObject({ rows, created: 0, updated: 0, unchanged: rows, rejected: 0 });
    }
    expect(await ledgerCounts(pool)).toEqual(before);
    expect((await pool.query(`select external_id, open_balance_minor::text, status::text from invoices order by 1`)).rows).toEqual(
      balances,
    );
  });

  it('updates what changed and counts it', async () => {
    const text = [
      'external_id,name,email,phone,timezone,locale,currency,credit_limit,sms_consent,policy',
      'US-1001,Acme Hardware Supply,ap@acmehardware.example,(212) 555-0143,America/New_York,en-US,USD,30000.00,yes,default',
      'US-1002,"Pacific Coast Logistics, Inc.",ar@pacificcoast.example,,America/Los_Angeles,en-US,USD,,,',
      'CN-2002,深圳明达电子有限公司,finance@mingda.example,,Asia/Shanghai,zh-CN,CNY,,,',
    ].join('\n');
    const result = await importCsv(deps(), 'customers', text);
    expect(result.summary).toMatchObject({ created: 0, updated: 2, unchanged: 1 });
    const emails = await pool.query(
      `select value, role::text from contact_points cc join customers c on c.id = cc.customer_id
        where c.external_id = 'US-1002' and cc.kind = 'email' order by value`,
    );
    // The previous primary is kept (with its bounce marks) as another address.
    expect(emails.rows).toEqual([
      { value: 'ar@pacificcoast.example', role: 'primary' },
      { value: 'billing@pacificcoast.example', role: 'other' },
    ]);
    const kept = await pool.query(`select dunning_policy_id, sms_consent from customers where external_id = 'US-1002'`);
    expect(kept.rows[0]).toEqual({ dunning_policy_id: 'key-account', sms_consent: false });
  });

  it('rejects bad rows with their line numbers and reasons, and loads the good ones', async () => {
    const before = await ledgerCounts(pool);
    const { summary, rejections } = await importCsv(deps(), 'invoices', 'bad-invoices.csv');
    expect(summary).toMatchObject({ rows: 11, created: 2, updated: 0, unchanged: 0, rejected: 9 });
    expect(rejections.map((r) => [r.line, r.reason])).toEqual([
      [2, 'issued_on: "2026-02-30" is not a calendar date'],
      [3, 'customer_external_id: no customer "NOPE-1" (import customers first)'],
      [4, 'amount: "12.345" has 3 decimals; USD allows at most 2 decimals'],
      [6, "currency: EUR does not match the customer's currency USD"],
      [7, 'number: INV-2026-0041 is already invoice INV-US-1 of this customer'],
      [8, 'balance: 150.00 is more than the amount 100.00'],
      [9, 'amount: -5.00 must be zero or more'],
      [10, 'expected 8 columns, found 5'],
      [12, 'unterminated quote'],
    ]);
    expect(rejections[2]?.raw).toBe('X-3,US-1001,"INV-9003\nsecond line",USD,12.345,,2026-02-01,2026-03-01');
    expect((await ledgerCounts(pool)).invoices).toBe(before.invoices! + 2);
  });

  it('rejects duplicates within a file and a balance below what payments already paid', async () => {
    const text = [
      'external_id,customer_external_id,number,currency,amount,balance,issued_on,due_on',
      'D-1,RO-3001,CRP 2001,RON,10.00,,2026-03-01,2026-03-31',
      'D-1,RO-3001,CRP 2002,RON,10.00,,2026-03-01,2026-03-31',
      'D-2,RO-3001,CRP 2001,RON,10.00,,2026-03-01,2026-03-31',
      // INV-US-2 (980.50) was paid in full by PAY-US-1: the ERP cannot say 500.00 is still open.
      'INV-US-2,US-1001,INV-2026-0042,USD,980.50,500.00,2026-01-20,2026-02-19',
    ].join('\n');
    const { summary, rejections } = await importCsv(deps(), 'invoices', text);
    expect(summary).toMatchObject({ created: 1, rejected: 3 });
    expect(rejections.map((r) => [r.line, r.reason])).toEqual([
      [3, 'external_id: D-1 already appears on line 2'],
      [4, 'number: CRP 2001 is already used for this customer on line 2'],
      [5, 'balance: 500.00 is less than the 980.50 already applied from payments in Arrears'],
    ]);
  });

  it('validates without writing on a dry run', async () => {
    const before = await ledgerCounts(pool);
    const text = [
      'external_id,customer_external_id,number,currency,amount,balance,issued_on,due_on',
      'DRY-1,TR-4002,EGE-900,TRY,100.00,,2026-03-01,2026-03-31',
      'INV-TR-3,TR-4002,EGE-553,TRY,27400.50,20000.00,2026-02-20,2026-03-22',
      'INV-TR-2,TR-4001,ANT2026000162,TRY,92500.00,,2026-02-05,2026-03-07',
      'DRY-2,TR-4002,EGE-901,TRY,1.001,,2026-03-01,2026-03-31',
    ].join('\n');
    const { summary } = await importCsv(deps(), 'invoices', text, { dryRun: true, now: new Date('2026-03-12T00:00:00Z') });
    expect(summary).toMatchObject({ dryRun: true, created: 1, updated: 1, unchanged: 1, rejected: 1 });
    expect(await ledgerCounts(pool)).toEqual(before);
    const balance = await pool.query(`select open_balance_minor::text from invoices where external_id = 'INV-TR-3'`);
    expect(balance.rows[0]).toEqual({ open_balance_minor: '2740050' });
  });

  it('refuses a file whose header is wrong before reading any row', async () => {
    const before = await ledgerCounts(pool);
    const text = 'external_id,customer_id,amount,currency,received,reference,notes\nP-1,US-1001,1.00,USD,2026-03-01,x,y\n';
    const error = await importCsv(deps(), 'payments', text).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HeaderError);
    expect((error as HeaderError).problems).toEqual([
      'unexpected column "customer_id" (did you mean "customer_external_id"?)',
      'unexpected column "received" (did you mean "received_on"?)',
      'unexpected column "notes"',
      'missing columns: customer_external_id, received_on',
      'expected: external_id,customer_external_id,amount,currency,received_on,reference',
    ]);
    expect(await ledgerCounts(pool)).toEqual(before);
  });

  it('imports in small batches with the same result', async () => {
    const text = ['external_id,customer_external_id,number,currency,amount,balance,issued_on,due_on']
      .concat(Array.from({ length: 25 }, (_, i) => `B-${i},CN-2002,MD-B${i},CNY,${i + 1}.00,,2026-03-01,2026-03-31`))
      .join('\n');
    const first = await importCsv(deps(), 'invoices', text, { batchSize: 4 });
    expect(first.summary).toMatchObject({ rows: 25, created: 25 });
    const again = await importCsv(deps(), 'invoices', text, { batchSize: 7 });
    expect(again.summary).toMatchObject({ rows: 25, unchanged: 25 });
  });

  it('gives a contested invoice number to the earlier line although batches are written two at a time', async () => {
    const header = 'external_id,customer_external_id,number,currency,amount,balance,issued_on,due_on';
    const row = (id: string, number: string) => `${id},CN-2002,${number},CNY,10.00,,2026-03-01,2026-03-31`;
    // The second batch claims the first batch's two numbers in the opposite order.
    const text = [header, row('DL-A1', 'DL-N1'), row('DL-A2', 'DL-N2'), row('DL-B1', 'DL-N2'), row('DL-B2', 'DL-N1')].join('\n');
    const { summary, rejections } = await importCsv(deps(), 'invoices', text, { batchSize: 2 });
    expect(summary).toMatchObject({ rows: 4, created: 2, rejected: 2 });
    expect(rejections.map((r) => r.line)).toEqual([4, 5]);
  });

  it('writes batches two at a time yet keeps file order: the later row wins, rejections come in line order', async () => {
    const header = 'external_id,customer_external_id,number,currency,amount,balance,issued_on,due_on';
    const rows = Array.from({ length: 40 }, (_, i) => `W-${i},CN-2002,MD-W${i},CNY,${i + 1}.00,,2026-03-01,2026-03-31`);
    // W-5 comes again in the next batch (written alongside) with a new amount; every seventh line is malformed.
    rows.splice(10, 0, 'W-5,CN-2002,MD-W5,CNY,555.00,,2026-03-01,2026-03-31');
    for (let line = 7; line < rows.length; line += 7)
      rows.splice(line, 0, `BAD-${line},CN-2002,MD-X${line},CNY,not-money,,2026-03-01,2026-03-31`);
    const { summary, rejections } = await importCsv(deps(), 'invoices', [header, ...rows].join('\n'), { batchSize: 5 });

    expect(summary).toMatchObject({ rows: rows.length, created: 40, updated: 1, rejected: rejections.length });
    expect(rejections.length).toBeGreaterThan(4);
    expect(rejections.map((r) => r.line)).toEqual([...rejections.map((r) => r.line)].sort((a, b) => a - b));
    const {
      rows: [w5],
    } = await pool.query<{ amount_minor: string }>(`select amount_minor::text from invoices where external_id = 'W-5'`);
    expect(w5?.amount_minor).toBe('55500');
  });
});

describe('arrears import (command line)', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(() => database?.drop());

  const env = () => ({ DATABASE_URL: database.url, REDIS_URL: inject('redisUrl'), LOG_LEVEL: 'warn' });

  it('imports from a file, writes rejects with line numbers and prints a JSON summary', async () => {
    const customers = startCli(['import', 'customers', path.join(FIXTURES, 'sample-customers.csv'), '--json'], env());
    expect((await customers.exit).code).toBe(0);
    expect(JSON.parse(customers.output().trim().split('\n').at(-1)!)).toMatchObject({ kind: 'customers', created: 8, rejected: 0 });

    const dir = await mkdtemp(path.join(os.tmpdir(), 'arrears-rejects-'));
    const rejectsFile = path.join(dir, 'rejects.csv');
    const invoices = startCli(['import', 'invoices', path.join(FIXTURES, 'bad-invoices.csv'), '--rejects', rejectsFile], env());
    const { code } = await invoices.exit;
    expect(code).toBe(3);
    expect(invoices.output()).toContain('line 2: issued_on: "2026-02-30" is not a calendar date');
    expect(invoices.output()).toMatch(/created\s+3\n/); // X-5's number is free here: no sample invoices
    const rejects = await readFile(rejectsFile, 'utf8');
    expect(rejects.split('\n')[0]).toBe('line,reason,raw');
    expect(rejects).toContain(
      '4,"amount: ""12.345"" has 3 decimals; USD allows at most 2 decimals","X-3,US-1001,""INV-9003\nsecond line"",USD,12.345,,2026-02-01,2026-03-01"\n',
    );
    expect(
      rejects
        .split('\n')
        .filter((l) => /^\d+,/.test(l))
        .map((l) => l.split(',')[0]),
    ).toEqual(['2', '3', '4', '6', '8', '9', '10', '12']);
  });

  it('names the wrong header columns and exits 2', async () => {
    const cli = startCli(['import', 'payments', path.join(FIXTURES, 'sample-invoices.csv')], env());
    expect((await cli.exit).code).toBe(2);
    expect(cli.output()).toContain('unexpected column "number"');
    expect(cli.output()).toContain('missing columns: received_on, reference');
  });
});
