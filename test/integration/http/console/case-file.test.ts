import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCaseServices } from '../../../../src/app/services.js';
import { placeLegalHold } from '../../../../src/cases/legal-hold.service.js';
import { consoleSession } from '../../../support/console-session.js';
import { startTestHttpApp, type TestHttpApp } from '../../../support/http-app.js';
import { seedLedger } from '../../../support/ledger.js';

describe('the case file for legal or an agency', () => {
  let t: TestHttpApp;

  beforeAll(async () => {
    t = await startTestHttpApp();
    await seedLedger(t.runtime.prisma, [
      {
        externalId: 'FILE-1',
        name: 'File One SRL',
        invoices: [{ number: 'F-9', amountMinor: 1_234_50, issuedOn: '2026-01-05', dueOn: '2026-02-04' }],
      },
    ]);
    const cases = (await openCaseServices(t.runtime)).cases;
    await placeLegalHold(cases, t.users.manager.email, { customer: 'FILE-1', reason: 'Handed to Lex & Co' });
  });
  afterAll(async () => t?.close());

  it('names people instead of user ids, formats dates in the customer’s zone and prints cleanly', async () => {
    const manager = await consoleSession(t.app, 'manager@example.com');
    const file = await manager.get('/console/customers/FILE-1/case-file');
    expect(file.statusCode).toBe(200);
    const html = file.body;
    expect(html).not.toContain(t.users.manager.id);
    expect(html).toContain('<td>Ana manager</td>');
    expect(html).toContain("Times are in the customer's time zone, Europe/Bucharest.");
    expect(html).toContain('<td>5 Jan 2026</td><td>4 Feb 2026</td>');
    const hold = await t.runtime.prisma.legalHold.findFirstOrThrow({});
    expect(html).toContain(`<td>${DateTime.fromJSDate(hold.placedAt).setZone('Europe/Bucharest').toFormat('d LLL yyyy, HH:mm')}</td>`);
    expect(html).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    expect(html).toContain('@media print');
  });
});
