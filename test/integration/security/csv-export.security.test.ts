import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestHttpApp, type TestHttpApp } from '../../support/http-app.js';
import { seedLedger } from '../../support/ledger.js';
import { startCli } from '../../support/processes.js';

// Finding 4: every CSV export wrote cells beginning with = + - @ as they were, so a hostile
// customer name, note or invoice number ran as a formula in the spreadsheet that opened it.
// Each export is read back cell by cell: no cell may start with a formula character.
const HOSTILE_NAME = '=HYPERLINK("http://evil.example","Pay here")';
const HOSTILE_EXTERNAL_ID = '+CSV-1';
const HOSTILE_INVOICE = '@SUM(1+1)';
const HOSTILE_NOTE = "-2+3 cmd|' /C calc'!A0";
const HOSTILE_SUBJECT = '\t=1+1';

/** Splits RFC 4180 CSV into records of cells (quoted cells may hold commas, quotes, line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted && ch === '"' && text[i + 1] === '"') {
      cell += '"';
      i += 1;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && ch === ',') {
      record.push(cell);
      cell = '';
    } else if (!quoted && ch === '\r' && text[i + 1] === '\n') {
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
      i += 1;
    } else {
      cell += ch;
    }
  }
  if (cell !== '' || record.length > 0) records.push([...record, cell]);
  return records;
}

function expectNoFormulaCells(csv: string, hostile: string[]) {
  const cells = parseCsv(csv).flat();
  for (const cell of cells) expect(cell, `cell ${JSON.stringify(cell)}`).not.toMatch(/^[=+@\t\r]|^-(?!\d+$)/);
  // Each hostile value is still there, readable, behind its apostrophe.
  for (const value of hostile) expect(cells).toContain(`'${value}`);
}

describe('CSV exports neutralise formulas (OWASP CSV injection)', () => {
  let t: TestHttpApp;

  beforeAll(async () => {
    t = await startTestHttpApp();
    const ids = await seedLedger(t.runtime.prisma, [
      {
        externalId: HOSTILE_EXTERNAL_ID,
        name: HOSTILE_NAME,
        currency: 'EUR',
        invoices: [{ number: HOSTILE_INVOICE, amountMinor: 120_00, issuedOn: '2026-01-01', dueOn: '2026-01-31' }],
      },
    ]);
    await t.runtime.prisma.contact.create({
      data: {
        customerId: ids.get(HOSTILE_EXTERNAL_ID)!,
        channel: 'note',
        status: 'logged',
        actor: t.users.collector.id,
        subject: HOSTILE_SUBJECT,
        notes: HOSTILE_NOTE,
        idempotencyKey: 'csv-hostile-note',
      },
    });
  });
  afterAll(async () => t?.close());

  it('the contact-log API export', async () => {
    const token = await t.token('collector');
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/v1/contact-log?customer=${encodeURIComponent(HOSTILE_EXTERNAL_ID)}&format=csv`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.statusCode).toBe(200);
    expectNoFormulaCells(response.body, [HOSTILE_EXTERNAL_ID, HOSTILE_NOTE, HOSTILE_SUBJECT]);
  });

  it('arrears report aging --csv', async () => {
    const cli = startCli(['report', 'aging', '--as-of', '2026-03-31', '--csv'], {
      DATABASE_URL: t.database.url,
      REDIS_URL: inject('redisUrl'),
      LOG_LEVEL: 'silent',
    });
    expect((await cli.exit).code).toBe(0);
    expectNoFormulaCells(cli.output(), [HOSTILE_EXTERNAL_ID, HOSTILE_NAME]);
  });

  it('arrears report statement --csv', async () => {
    const cli = startCli(['report', 'statement', '--customer', HOSTILE_EXTERNAL_ID, '--as-of', '2026-03-31', '--csv'], {
      DATABASE_URL: t.database.url,
      REDIS_URL: inject('redisUrl'),
      LOG_LEVEL: 'silent',
    });
    expect((await cli.exit).code).toBe(0);
    expectNoFormulaCells(cli.output(), [HOSTILE_INVOICE]);
  });

  it('arrears report predicted --csv', async () => {
    const cli = startCli(['report', 'predicted', '--as-of', '2026-03-31', '--csv'], {
      DATABASE_URL: t.database.url,
      REDIS_URL: inject('redisUrl'),
      LOG_LEVEL: 'silent',
    });
    expect((await cli.exit).code).toBe(0);
    expectNoFormulaCells(cli.output(), [HOSTILE_EXTERNAL_ID, HOSTILE_NAME, HOSTILE_INVOICE]);
  });
});
