import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../../../src/db/client.js';
import { rejectsLine } from '../../../src/ingest/rejects-file.js';
import { CUSTOMER_COLUMNS, INVOICE_COLUMNS, PAYMENT_COLUMNS } from '../../../src/ingest/rows.js';
import type { Rejection } from '../../../src/ingest/run-import.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import {
  BAD_AMOUNTS,
  BAD_CURRENCIES,
  BAD_DATES,
  BAD_EMAILS,
  BAD_LOCALES,
  BAD_PHONES,
  BAD_ZONES,
  DEFAULT_SEED,
  HUGE,
  INJECTIONS,
  Rng,
  assembleCsv,
  csvRow,
  marker,
  shuffle,
  type CsvCase,
  type CsvFile,
} from '../../support/generators.js';
import { importCsv, ledgerCounts } from '../ingest/import-helpers.js';
import { databaseText } from './db-snapshot.js';

// ≥ 200 generated malformed CSV rows (seeded), mixed with good rows in the same three files, with
// mixed line endings and multi-line quoted fields: every bad row is rejected at its physical line
// with a short reason naming its column, every good row loads, and nothing of a rejected row
// reaches any table.

const rng = new Rng(DEFAULT_SEED);
const pad = (n: number) => String(n).padStart(3, '0');
let markers = 0;
const nextMarker = () => marker((markers += 1));

type Fields = Record<string, string>;
const rowOf = (columns: readonly string[], fields: Fields) => csvRow(columns.map((c) => fields[c] ?? ''));

/** A bad case from valid fields with one mutation; `reason` must name `column` unless given. */
function bad(columns: readonly string[], fields: Fields, label: string, mark: string, mutate: Fields, reason?: RegExp): CsvCase {
  const column = Object.keys(mutate)[0]!;
  return { text: rowOf(columns, { ...fields, ...mutate }), label, marker: mark, reason: reason ?? new RegExp(`(^|; )${column}: `) };
}

/** Structural damage: a column too many or too few, and a quote left open. */
function structural(columns: readonly string[], fields: Fields, mark: string): CsvCase[] {
  const cells = columns.map((c) => fields[c] ?? '');
  return [
    {
      text: csvRow([...cells, 'extra']),
      label: 'a column too many',
      marker: mark,
      reason: new RegExp(`^expected ${columns.length} columns, found ${columns.length + 1}$`),
    },
    {
      text: csvRow(cells.slice(0, -2)),
      label: 'two columns missing',
      marker: mark,
      reason: new RegExp(`^expected ${columns.length} columns, found ${columns.length - 2}$`),
    },
    {
      text: `${csvRow(cells.slice(0, 1))},"${cells[1]} open quote,${csvRow(cells.slice(2))}`,
      label: 'unterminated quote',
      marker: mark,
      reason: /^unterminated quote$/,
    },
  ];
}

const GOOD_CUSTOMERS = Array.from({ length: 30 }, (_, i) => `G-C-${pad(i)}`);

function customerCases(): CsvCase[] {
  const cases: CsvCase[] = GOOD_CUSTOMERS.map((id, i) => ({
    label: 'good customer',
    // Every fifth good name spans two lines (a quoted line break): later line numbers must still hold.
    text: rowOf(CUSTOMER_COLUMNS, {
      external_id: id,
      name: i % 5 === 0 ? `Firma ${id}\nDept. Contabilitate` : `Firma ${id} SRL`,
      email: `${id.toLowerCase()}@good.example`,
      phone: `+4072100${pad(i)}0`,
      timezone: 'Europe/Bucharest',
      locale: 'ro-RO',
      currency: 'RON',
      credit_limit: '1000.00',
      sms_consent: 'yes',
      policy: 'default',
    }),
  }));
  const bads: CsvCase[] = [];
  const valid = (m: string): Fields => ({
    external_id: `BC-${m}`,
    name: `Marker ${m} SRL`,
    email: `${m}@bad.example`,
    phone: '',
    timezone: 'Europe/Bucharest',
    locale: 'ro-RO',
    currency: 'RON',
    credit_limit: '',
    sms_consent: '',
    policy: '',
  });
  const add = (label: string, mutate: (m: string) => Fields, reason?: RegExp) => {
    const m = nextMarker();
    bads.push(bad(CUSTOMER_COLUMNS, valid(m), label, m, mutate(m), reason));
  };
  for (const column of ['external_id', 'name', 'timezone', 'locale', 'currency'] as const) add(`empty ${column}`, () => ({ [column]: '' }));
  add('blank name', () => ({ name: '   ' }));
  for (const zone of BAD_ZONES) add(`zone ${zone}`, () => ({ timezone: zone }));
  for (const locale of BAD_LOCALES) add(`locale ${locale}`, () => ({ locale }));
  for (const currency of BAD_CURRENCIES) add(`currency ${currency}`, () => ({ currency }));
  for (const email of BAD_EMAILS) add(`email ${email.slice(0, 30)}`, () => ({ email }));
  for (const phone of BAD_PHONES) add(`phone ${phone}`, () => ({ phone }));
  for (const amount of BAD_AMOUNTS) add(`credit_limit ${amount}`, () => ({ credit_limit: amount }));
  for (const consent of ['maybe', '2', 'true;drop', 'yess', 'null']) add(`sms_consent ${consent}`, () => ({ sms_consent: consent }));
  for (const policy of ['vip', INJECTIONS[0], INJECTIONS[2]]) add(`policy ${policy}`, () => ({ policy }));
  add('100 KB external_id', () => ({ external_id: rng.word(HUGE) }));
  add('100 KB name', (m) => ({ name: `${m}${rng.word(HUGE)}` }));
  add('100 KB locale', () => ({ locale: rng.word(HUGE) }));
  add('NUL in name', (m) => ({ name: `Marker\u0000${m}` }));
  add('NUL in external_id', () => ({ external_id: 'BC-\u0000' }));
  add('NUL in email', (m) => ({ email: `${m}\u0000@bad.example` }));
  // Formula injection in an otherwise good external id, on a row rejected for its zone: the rejects file must defuse it.
  for (const injection of INJECTIONS.slice(1, 6))
    add(`formula ${injection}`, () => ({ timezone: 'Nowhere/Else', external_id: injection }), /(^|; )timezone: /);
  for (let i = 0; i < 3; i += 1) {
    const m = nextMarker();
    bads.push(...structural(CUSTOMER_COLUMNS, valid(m), m));
  }
  // The same external id twice in one batch: the first (good) loads, the second is rejected.
  for (let i = 0; i < 3; i += 1) {
    const m = nextMarker();
    const id = `DUP-C-${i}`;
    cases.push({
      label: 'good first of a duplicate',
      text: rowOf(CUSTOMER_COLUMNS, { ...valid(`ok${i}`), external_id: id, name: `Dup ${i}`, email: '' }),
    });
    bads.push(
      bad(
        CUSTOMER_COLUMNS,
        valid(m),
        'repeated external_id',
        m,
        { external_id: id },
        /^external_id: DUP-C-\d already appears on line \d+$/,
      ),
    );
  }
  // A customer with a ledger cannot change currency (found by the writer, not the parser).
  const m = nextMarker();
  bads.push(
    bad(
      CUSTOMER_COLUMNS,
      valid(m),
      'currency change with a ledger',
      m,
      { external_id: 'LEDGER-1', currency: 'EUR' },
      /^currency: the customer has invoices/,
    ),
  );
  // Duplicates must come after their good first row: keep those in place, shuffle the rest around them.
  return [
    ...cases.slice(0, GOOD_CUSTOMERS.length),
    ...shuffle(rng, [...bads.filter((c) => !/repeated/.test(c.label)), ...cases.slice(GOOD_CUSTOMERS.length)]),
    ...bads.filter((c) => /repeated/.test(c.label)),
  ];
}

function invoiceCases(): CsvCase[] {
  const goods: CsvCase[] = Array.from({ length: 30 }, (_, i) => ({
    label: 'good invoice',
    text: rowOf(INVOICE_COLUMNS, {
      external_id: `G-I-${pad(i)}`,
      customer_external_id: GOOD_CUSTOMERS[i % GOOD_CUSTOMERS.length]!,
      number: `GN-${pad(i)}`,
      currency: 'RON',
      amount: '100.00',
      balance: i % 2 === 0 ? '' : '40.50',
      issued_on: '2026-01-01',
      due_on: '2026-02-01',
    }),
  }));
  const bads: CsvCase[] = [];
  const valid = (m: string): Fields => ({
    external_id: `BI-${m}`,
    customer_external_id: 'GOOD-RON-1',
    number: `NUM-${m}`,
    currency: 'RON',
    amount: '10.00',
    balance: '',
    issued_on: '2026-01-05',
    due_on: '2026-02-05',
  });
  const add = (label: string, mutate: (m: string) => Fields, reason?: RegExp) => {
    const m = nextMarker();
    bads.push(bad(INVOICE_COLUMNS, valid(m), label, m, mutate(m), reason));
  };
  for (const column of ['external_id', 'customer_external_id', 'number', 'amount', 'issued_on', 'due_on'] as const)
    add(`empty ${column}`, () => ({ [column]: '' }));
  for (const id of ['NOPE-404', INJECTIONS[0], INJECTIONS[2]])
    add(`unknown customer ${id}`, () => ({ customer_external_id: id }), /^customer_external_id: no customer/);
  add('currency of another customer', () => ({ currency: 'EUR' }), /^currency: EUR does not match the customer's currency RON$/);
  for (const currency of BAD_CURRENCIES.slice(0, 4)) add(`currency ${currency}`, () => ({ currency }));
  for (const amount of BAD_AMOUNTS) add(`amount ${amount}`, () => ({ amount }));
  add(
    'decimals on JPY',
    () => ({ customer_external_id: 'GOOD-JPY', currency: 'JPY', amount: '12.5' }),
    /^amount: "12.5" has 1 decimals; JPY allows no decimals$/,
  );
  add('balance above amount', () => ({ balance: '20.00' }), /^balance: 20.00 is more than the amount 10.00$/);
  for (const balance of ['-1.00', 'NaN', '1e2']) add(`balance ${balance}`, () => ({ balance }));
  for (const date of BAD_DATES) add(`issued_on ${date}`, () => ({ issued_on: date }));
  for (const date of BAD_DATES.slice(0, 8)) add(`due_on ${date}`, () => ({ due_on: date }));
  add('due before issue', () => ({ issued_on: '2026-03-01', due_on: '2026-02-01' }), /^due_on: 2026-02-01 is before issued_on 2026-03-01$/);
  add(
    'number of an invoice already stored',
    () => ({ customer_external_id: 'LEDGER-1', number: 'N-1' }),
    /^number: N-1 is already invoice INV-BASE-1 of this customer$/,
  );
  add('100 KB number', () => ({ number: rng.word(HUGE) }));
  add('100 KB external_id', () => ({ external_id: rng.word(HUGE) }));
  add('NUL in number', (m) => ({ number: `${m}\u0000` }));
  add('NUL in customer_external_id', () => ({ customer_external_id: 'GOOD-RON-1\u0000' }));
  for (let i = 0; i < 2; i += 1) {
    const m = nextMarker();
    bads.push(...structural(INVOICE_COLUMNS, valid(m), m));
  }
  const tail: CsvCase[] = [];
  for (let i = 0; i < 3; i += 1) {
    goods.push({
      label: 'good first of a number pair',
      text: rowOf(INVOICE_COLUMNS, { ...valid(`p${i}`), external_id: `PAIR-${i}`, number: `PAIR-N-${i}` }),
    });
    const m = nextMarker();
    tail.push(
      bad(
        INVOICE_COLUMNS,
        valid(m),
        'number repeated in the file',
        m,
        { number: `PAIR-N-${i}` },
        /^number: PAIR-N-\d is already used for this customer on line \d+$/,
      ),
    );
    const n = nextMarker();
    tail.push(
      bad(
        INVOICE_COLUMNS,
        valid(n),
        'external_id repeated in the file',
        n,
        { external_id: `PAIR-${i}` },
        /^external_id: PAIR-\d already appears on line \d+$/,
      ),
    );
  }
  return [...shuffle(rng, [...goods, ...bads]), ...tail];
}

function paymentCases(): CsvCase[] {
  const goods: CsvCase[] = Array.from({ length: 20 }, (_, i) => ({
    label: 'good payment',
    text: rowOf(PAYMENT_COLUMNS, {
      external_id: `G-P-${pad(i)}`,
      customer_external_id: GOOD_CUSTOMERS[i]!,
      amount: '5.00',
      currency: 'RON',
      received_on: '2026-03-01',
      reference: `transfer ${pad(i)}`,
    }),
  }));
  const bads: CsvCase[] = [];
  const valid = (m: string): Fields => ({
    external_id: `BP-${m}`,
    customer_external_id: 'GOOD-RON-1',
    amount: '1.00',
    currency: 'RON',
    received_on: '2026-03-02',
    reference: `ref ${m}`,
  });
  const add = (label: string, mutate: (m: string) => Fields, reason?: RegExp) => {
    const m = nextMarker();
    bads.push(bad(PAYMENT_COLUMNS, valid(m), label, m, mutate(m), reason));
  };
  for (const column of ['external_id', 'customer_external_id', 'amount', 'currency', 'received_on'] as const)
    add(`empty ${column}`, () => ({ [column]: '' }));
  add('unknown customer', () => ({ customer_external_id: 'NOPE-404' }), /^customer_external_id: no customer "NOPE-404"/);
  add('currency of another customer', () => ({ currency: 'USD' }), /^currency: USD does not match/);
  for (const currency of BAD_CURRENCIES.slice(2)) add(`currency ${currency}`, () => ({ currency }));
  for (const amount of [...BAD_AMOUNTS, '0', '0.00']) add(`amount ${amount}`, () => ({ amount }));
  for (const date of BAD_DATES) add(`received_on ${date}`, () => ({ received_on: date }));
  add(
    'a known payment with another amount',
    () => ({ external_id: 'P-BASE-1', amount: '11.00', customer_external_id: 'LEDGER-1' }),
    /^external_id: payment P-BASE-1 was imported before/,
  );
  add('100 KB reference', (m) => ({ reference: `${m} ${rng.word(HUGE)}` }));
  add('NUL in reference', (m) => ({ reference: `${m}\u0000` }));
  for (let i = 0; i < 2; i += 1) {
    const m = nextMarker();
    bads.push(...structural(PAYMENT_COLUMNS, valid(m), m));
  }
  return shuffle(rng, [...goods, ...bads]);
}

describe(`bad CSV rows (seed ${DEFAULT_SEED})`, () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let prisma: PrismaClient;
  const deps = () => ({ pool, prisma });
  const files: Record<string, CsvFile> = {};
  const rejections: Record<string, Rejection[]> = {};
  const summaries: Record<string, Awaited<ReturnType<typeof importCsv>>['summary']> = {};
  let before: { customers: number; invoices: number; payments: number; contact_points: number };

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    prisma = createPrisma(database.url);
    // What the generated files refer to: customers in RON and JPY, one with an invoice and a payment.
    await importCsv(
      deps(),
      'customers',
      `${CUSTOMER_COLUMNS.join(',')}
GOOD-RON-1,Base RON SRL,,,Europe/Bucharest,ro-RO,RON,,,
GOOD-JPY,Base KK,,,Asia/Tokyo,ja-JP,JPY,,,
LEDGER-1,Ledger SRL,,,Europe/Bucharest,ro-RO,RON,,,
`,
    );
    await importCsv(deps(), 'invoices', `${INVOICE_COLUMNS.join(',')}\nINV-BASE-1,LEDGER-1,N-1,RON,100.00,,2026-01-01,2026-02-01\n`);
    await importCsv(deps(), 'payments', `${PAYMENT_COLUMNS.join(',')}\nP-BASE-1,LEDGER-1,10.00,RON,2026-02-10,N-1\n`);
    before = (await ledgerCounts(pool)) as typeof before;

    files.customers = assembleCsv(rng, CUSTOMER_COLUMNS, customerCases());
    files.invoices = assembleCsv(rng, INVOICE_COLUMNS, invoiceCases());
    files.payments = assembleCsv(rng, PAYMENT_COLUMNS, paymentCases());
    for (const kind of ['customers', 'invoices', 'payments'] as const) {
      const result = await importCsv(deps(), kind, files[kind]!.text);
      rejections[kind] = result.rejections;
      summaries[kind] = result.summary;
    }
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await pool?.end();
    await database?.drop();
  });

  const badRows = (kind: string) => files[kind]!.rows.filter((r) => r.reason !== undefined);
  const goodRows = (kind: string) => files[kind]!.rows.filter((r) => r.reason === undefined);

  it('generates at least 200 malformed rows', () => {
    const total = ['customers', 'invoices', 'payments'].reduce((n, kind) => n + badRows(kind).length, 0);
    expect(total).toBeGreaterThanOrEqual(200);
  });

  it.each(['customers', 'invoices', 'payments'])(
    '%s: rejects every bad row at its physical line with a short reason naming the column',
    (kind) => {
      const got = new Map(rejections[kind]!.map((r) => [r.line, r]));
      for (const row of badRows(kind)) {
        const rejection = got.get(row.line);
        expect(rejection, `line ${row.line} (${row.label}) was not rejected`).toBeDefined();
        expect(rejection!.reason, `line ${row.line} (${row.label})`).toMatch(row.reason!);
        expect(rejection!.reason.length, `line ${row.line} (${row.label}): reason too long`).toBeLessThanOrEqual(600);
      }
      expect(rejections[kind]!.map((r) => r.line)).toEqual(badRows(kind).map((r) => r.line));
      expect(summaries[kind]).toMatchObject({
        rows: files[kind]!.rows.length,
        rejected: badRows(kind).length,
        created: goodRows(kind).length,
      });
    },
  );

  it('loads every good row of the same files', async () => {
    const after = (await ledgerCounts(pool)) as Record<string, number> & typeof before;
    expect(after.customers - before.customers).toBe(goodRows('customers').length);
    expect(after.invoices - before.invoices).toBe(goodRows('invoices').length);
    expect(after.payments - before.payments).toBe(goodRows('payments').length);
    // One primary email and one phone per good customer with contact points (the duplicates' firsts have none).
    expect(after.contact_points - before.contact_points).toBe(GOOD_CUSTOMERS.length * 2);
    const names = await pool.query<{ name: string }>(`select name from customers where external_id = 'G-C-000'`);
    expect(names.rows[0]?.name).toBe('Firma G-C-000\nDept. Contabilitate');
    const ledger = await pool.query<{ currency: string }>(`select currency from customers where external_id = 'LEDGER-1'`);
    expect(ledger.rows[0]?.currency).toBe('RON');
    const payment = await pool.query<{ amount_minor: string }>(`select amount_minor::text from payments where external_id = 'P-BASE-1'`);
    expect(payment.rows[0]?.amount_minor).toBe('1000');
  });

  it('writes nothing of a rejected row anywhere in the database', async () => {
    const text = (await databaseText(pool)).toLowerCase();
    for (const kind of ['customers', 'invoices', 'payments']) {
      for (const row of badRows(kind))
        expect(text.includes(row.marker!), `line ${row.line} (${row.label}) of ${kind} reached the database`).toBe(false);
    }
    for (const injection of INJECTIONS) expect(text.includes(injection.toLowerCase()), injection).toBe(false);
    expect(text).not.toContain('\u0000');
    const tables = await pool.query(
      `select count(*)::int as n from information_schema.tables where table_name in ('customers', 'invoices')`,
    );
    expect(tables.rows[0].n).toBe(2);
  });

  it('neutralises formula-dangerous cells in the rejects file', () => {
    const lines = rejections.customers!.map(rejectsLine);
    const formulas = rejections.customers!.filter((r) => /^[=+\-@]/.test(r.raw));
    expect(formulas.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) {
      // Every cell after the line number: none may start with a formula character once unquoted.
      const cells = [...line.trimEnd().matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) =>
        m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"'),
      );
      for (const cell of cells.slice(1)) expect(cell, line.slice(0, 80)).not.toMatch(/^[=+\-@\t\r]/);
    }
    const calc = lines.find((l) => l.includes("cmd|' /C calc'!A0") && l.includes('Nowhere/Else'));
    expect(calc).toMatch(/,"?'[=+\-@]/);
  });
});
