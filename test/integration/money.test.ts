import { Readable } from 'node:stream';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgDatabase } from '../../src/db/sql.js';
import { runImport } from '../../src/ingest/run-import.js';
import { startCli } from '../support/processes.js';
import { closeTestPipeline, startTestPipeline, type TestPipeline } from '../support/arrears.js';

// HUF has 2 decimals in ISO 4217 but none in Intl's display default: the invoice below is stored
// as 123450 fillér and must reach the customer as 1,234.50, never as "HUF 123,450" or "HUF 1,235".
// It goes in through the CSV import, out through `templates preview` and the real send pipeline.

// Monday 2026-03-09, 11:00 in Bucharest: the overdue-7 step of an invoice due on 1 March.
const DAY_8 = '2026-03-09T09:00:00Z';

const CUSTOMERS = [
  'external_id,name,email,phone,timezone,locale,currency,credit_limit,sms_consent,policy',
  'HU-EN,Duna Trading Kft.,penz@example.hu,,Europe/Bucharest,en,HUF,,false,default',
  'HU-RO,Tisa Agro SRL,plata@example.ro,+40721000222,Europe/Bucharest,ro,HUF,,true,default',
];
const INVOICES = [
  'external_id,customer_external_id,number,currency,amount,balance,issued_on,due_on',
  'HU-EN-1,HU-EN,HU-001,HUF,1234.50,,2026-01-30,2026-03-01',
  'HU-RO-1,HU-RO,HU-002,HUF,1234.50,,2026-01-30,2026-03-01',
];

/** The amount as each locale writes it (Intl puts a no-break space between number and code). */
const EXPECTED = { 'HU-EN': 'HUF\u00a01,234.50', 'HU-RO': '1.234,50\u00a0HUF' } as const;

describe('a HUF 1,234.50 invoice imported by CSV', () => {
  let pipeline: TestPipeline;

  beforeAll(async () => {
    pipeline = await startTestPipeline();
    const pool = new pg.Pool({ connectionString: pipeline.database.url, max: 2 });
    try {
      for (const [kind, lines] of [
        ['customers', CUSTOMERS],
        ['invoices', INVOICES],
      ] as const) {
        const summary = await runImport({
          kind,
          input: Readable.from([`${lines.join('\n')}\n`]),
          db: pgDatabase(pool),
          now: new Date('2026-03-01T00:00:00Z'),
          knownPolicies: new Set(['default']),
        });
        expect(summary.rejected).toBe(0);
      }
      const stored = await pool.query(`select number, amount_minor::text, open_balance_minor::text from invoices order by number`);
      expect(stored.rows).toEqual([
        { number: 'HU-001', amount_minor: '123450', open_balance_minor: '123450' },
        { number: 'HU-002', amount_minor: '123450', open_balance_minor: '123450' },
      ]);
    } finally {
      await pool.end();
    }
  });

  afterAll(async () => {
    await closeTestPipeline(pipeline ?? {});
  });

  it.each(Object.entries(EXPECTED))('is previewed for %s as %s', async (customer, amount) => {
    const cli = startCli(['templates', 'preview', 'default/overdue-7', '--customer', customer, '--as-of', DAY_8], {
      DATABASE_URL: pipeline.database.url,
      REDIS_URL: 'redis://127.0.0.1:9',
      TEMPLATES_DIR: '',
      LOG_LEVEL: 'warn',
    });
    const { code } = await cli.exit;
    const output = cli.output();
    expect(code, output).toBe(0);
    expect(output).toContain(amount);
    expect(output).not.toMatch(/123[.,]450|1[.,]235\b/);
  });

  it('is sent as 1,234.50 in each locale, by email and SMS', async () => {
    await pipeline.arrears.tick(DAY_8);

    const { sink, twilio } = pipeline;
    expect(sink.messages.flatMap((m) => m.envelope.to).sort()).toEqual(['penz@example.hu', 'plata@example.ro']);
    for (const [customer, to] of [
      ['HU-EN', 'penz@example.hu'],
      ['HU-RO', 'plata@example.ro'],
    ] as const) {
      const mail = await simpleParser(sink.messages.find((m) => m.envelope.to.includes(to))!.raw);
      expect(mail.text).toContain(EXPECTED[customer]);
      expect(mail.html || '').toContain(EXPECTED[customer]);
      expect(`${mail.subject ?? ''}\n${mail.text ?? ''}`).not.toMatch(/123[.,]450|1[.,]235\b/);
    }
    expect(twilio.messages.map((m) => m.to)).toEqual(['+40721000222']);
    // SMS keeps to GSM-7, where the no-break space becomes a plain one.
    expect(twilio.messages[0]!.body).toContain('total 1.234,50 HUF.');
  });
});
