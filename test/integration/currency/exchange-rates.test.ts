import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { convertToBase } from '../../../src/core/money.js';
import { loadRatesInForce } from '../../../src/db/exchange-rates.repository.js';
import { autoCommit } from '../../../src/db/transaction.js';
import { startTestHttpApp, type TestHttpApp } from '../../support/http-app.js';
import { startCli } from '../../support/processes.js';

// The CLI tests spawn `arrears` processes, which can take tens of seconds each on a busy machine.
const CLI_TIMEOUT = 240_000;

describe('exchange rates: import, API and the rates in force on a day', () => {
  let t: TestHttpApp;
  let dir: string;

  beforeAll(async () => {
    t = await startTestHttpApp();
    dir = await mkdtemp(path.join(os.tmpdir(), 'arrears-rates-'));
  });
  afterAll(async () => t?.close());

  const env = () => ({ DATABASE_URL: t.database.url, REDIS_URL: inject('redisUrl'), LOG_LEVEL: 'warn' });
  const rates = (asOf: string, base = 'EUR') => loadRatesInForce(autoCommit(t.runtime.prisma), base, asOf);

  it(
    'imports an ECB history file, and serves the latest rate on or before a day per currency',
    async () => {
      const file = path.join(dir, 'eurofxref-hist.csv');
      await writeFile(file, 'Date,USD,TRY,CYP,\n2026-12-04,1.0842,37.5,N/A,\n2026-12-01,1.0700,N/A,N/A,\n2026-11-28,1.0600,36.9,N/A,\n');
      const cli = startCli(['import', 'rates', file, '--json'], env());
      expect((await cli.exit).code, cli.output()).toBe(0);
      expect(JSON.parse(cli.output().trim().split('\n').at(-1)!)).toMatchObject({
        kind: 'rates',
        base: 'EUR',
        lines: 3,
        rates: 5,
        created: 5,
        rejected: 0,
        from: '2026-11-28',
        to: '2026-12-04',
        skipped_columns: ['CYP'],
      });
      expect(cli.output()).toContain('columns skipped (not ISO 4217 codes in use): CYP');

      const onThe2nd = await rates('2026-12-02');
      expect(onThe2nd.rates.get('USD')).toEqual({ currency: 'USD', rate: '1.07', rateDate: '2026-12-01' });
      expect(onThe2nd.rates.get('TRY')).toEqual({ currency: 'TRY', rate: '36.9', rateDate: '2026-11-28' });
      expect(convertToBase(3_690_000n, 'TRY', onThe2nd)).toMatchObject({ ok: true, minor: 100_000n, rateDate: '2026-11-28' });
      const before = await rates('2026-11-27');
      expect(before.rates.size).toBe(0);
      expect(convertToBase(100n, 'USD', before)).toEqual({ ok: false, currency: 'USD', reason: 'no rate for USD on or before 2026-11-27' });

      // Importing the same file again changes nothing.
      const again = startCli(['import', 'rates', file, '--json'], env());
      expect((await again.exit).code).toBe(0);
      expect(JSON.parse(again.output().trim().split('\n').at(-1)!)).toMatchObject({ created: 0, updated: 0, unchanged: 5 });
    },
    CLI_TIMEOUT,
  );

  it(
    'reports bad lines with their numbers, stores the good ones and exits 3',
    async () => {
      const file = path.join(dir, 'bad.csv');
      await writeFile(file, 'Date,USD,GBP\n2026-12-05,1.09,0.85\n2026-12-06,1.1O,0.86\n6 December 2026,1.1,0.86\nyesterday,1.1,0.9\n');
      const cli = startCli(['import', 'rates', file], env());
      expect((await cli.exit).code).toBe(3);
      expect(cli.output()).toContain('line 3: USD: "1.1O" is not a rate; rates are positive decimals such as 1.0842');
      expect(cli.output()).toContain('line 4: Date: 2026-12-06 already appears on line 3');
      expect(cli.output()).toContain('line 5: Date: "yesterday" is not a date');
      expect(cli.output()).toMatch(
        /4 line\(s\), 2 rate\(s\) dated 2026-12-05 to 2026-12-05; 2 created, 0 updated, 0 unchanged, 3 line\(s\) rejected/,
      );
      expect((await rates('2026-12-31')).rates.get('GBP')).toMatchObject({ rate: '0.85', rateDate: '2026-12-05' });
    },
    CLI_TIMEOUT,
  );

  it(
    'refuses a header it cannot read, before writing anything (exit 2)',
    async () => {
      const file = path.join(dir, 'header.csv');
      await writeFile(file, 'Day,USD\n2026-12-07,1.2\n');
      const cli = startCli(['import', 'rates', file], env());
      expect((await cli.exit).code).toBe(2);
      expect(cli.output()).toContain('the first column must be "Date", not "Day"');
    },
    CLI_TIMEOUT,
  );

  it(
    'derives cross rates on import when BASE_CURRENCY is not EUR, kept apart from the EUR-based ones',
    async () => {
      const file = path.join(dir, 'usd.csv');
      await writeFile(file, 'Date,USD,TRY\n2026-12-04,1.0842,37.5\n');
      const cli = startCli(['import', 'rates', file, '--json'], { ...env(), BASE_CURRENCY: 'USD' });
      expect((await cli.exit).code, cli.output()).toBe(0);
      const usd = await rates('2026-12-04', 'USD');
      expect(Object.fromEntries([...usd.rates].map(([c, r]) => [c, r.rate]))).toEqual({ EUR: '0.9223390518', TRY: '34.5877144438' });
      expect((await rates('2026-12-04', 'EUR')).rates.get('TRY')?.rate).toBe('37.5');
    },
    CLI_TIMEOUT,
  );

  describe('POST /api/v1/exchange-rates', () => {
    const post = async (role: 'collector' | 'manager', payload: unknown) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/exchange-rates',
        headers: { authorization: `Bearer ${await t.token(role)}` },
        payload: payload as object,
      });

    it('stores rates against the base for a manager', async () => {
      const response = await post('manager', {
        items: [
          { currency: 'chf', rate_date: '2026-12-04', rate: '0.9412' },
          { currency: 'JPY', rate_date: '2026-12-04', rate: 162.15, source: 'treasury desk' },
        ],
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({ base: 'EUR', created: 2, updated: 0, unchanged: 0 });
      const inForce = await rates('2026-12-10');
      expect(inForce.rates.get('CHF')).toEqual({ currency: 'CHF', rate: '0.9412', rateDate: '2026-12-04' });
      expect(inForce.rates.get('JPY')?.rate).toBe('162.15');
    });

    it('answers 400 naming each bad field, and writes nothing', async () => {
      const response = await post('manager', {
        items: [
          { currency: 'SEK', rate_date: '2026-12-04', rate: '11.5' },
          { currency: 'TRX', rate_date: '2026-12-04', rate: '1' },
          { currency: 'EUR', rate_date: '2026-12-04', rate: '1' },
          { currency: 'NOK', rate_date: '2026-02-30', rate: '0' },
        ],
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([
        { field: 'items[1].currency', index: 1, message: '"TRX" is not an ISO 4217 currency code' },
        { field: 'items[2].currency', index: 2, message: 'EUR is the base currency; its rate is 1 by definition' },
        { field: 'items[3].rate_date', index: 3, message: '"2026-02-30" is not a date (YYYY-MM-DD)' },
        { field: 'items[3].rate', index: 3, message: '"0" is not a rate; rates are positive decimals such as 1.0842' },
      ]);
      expect((await rates('2026-12-10')).rates.has('SEK')).toBe(false);
      const missing = await post('manager', { items: [{ currency: 'SEK', rate: '11.5' }] });
      expect(missing.statusCode).toBe(400);
      expect(missing.json().errors[0].field).toBe('items[0].rate_date');
    });

    it('is for managers and above', async () => {
      const response = await post('collector', { items: [{ currency: 'SEK', rate_date: '2026-12-04', rate: '11.5' }] });
      expect(response.statusCode).toBe(403);
    });
  });
});
