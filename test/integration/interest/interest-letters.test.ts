import { simpleParser } from 'mailparser';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '../../support/databases.js';
import type { LocalTwilioServer } from '../../support/fake-twilio.js';
import { buildCaseFile } from '../../../src/cases/case-file.js';
import { loadCaseFileRows } from '../../../src/db/case-file.repository.js';
import { seedLedger } from '../../support/ledger.js';
import type { SmtpSink } from '../../support/smtp-sink.js';
import { closeTestPipeline, startTestPipeline, type TestArrears } from '../../support/arrears.js';

// Friday 31 October 2025, 11:00 in Bucharest: day 60 of invoices due 1 September 2025 (the
// default policy's final notice, `interest: true`) and day 30 of one due 1 October (firm-30, no flag).
const DAY_60 = '2025-10-31T09:00:00Z';

// EU rule (INTEREST_RULE): the ECB rate read on 1 July 2025 (2.15 %) + 8 = 10.15 %.
// €1,000 for 60 days: 1,000 × 10.15 % × 60 / 365 = 16.684… → €16.68; €40 compensation.
// €200 paid 20 days late (21 August): 200 × 10.15 % × 20 / 365 = 1.112… → €1.11; €40.
const EXPECTED: Record<string, string[]> = {
  'EN-1': [
    'Invoice A-1: principal €1,000.00, 60 days late at 10.15% a year: interest €16.68, compensation €40.00',
    'Invoice A-3: principal €200.00, 20 days late at 10.15% a year: interest €1.11, compensation €40.00',
    'Interest to date: €17.79; fixed compensation: €80.00.',
    'Directive 2011/7/EU',
  ],
  'RO-1': ['Factura B-1: principal 1.000,00 EUR, 60 zile de întârziere la 10,15 % pe an: dobândă 16,68 EUR, despăgubire 40,00 EUR'],
  'TR-1': ['€1.000,00', '60 gün gecikme', '€16,68', '€40,00', 'Directive 2011/7/EU'],
  'ZH-1': ['发票D-1：本金€1,000.00，逾期60天，年利率10.15%：利息€16.68，补偿€40.00'],
};

describe('a policy step with interest: true claims late-payment interest in its email', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let twilio: LocalTwilioServer;
  let arrears: TestArrears;
  let ids: Map<string, string>;

  beforeAll(async () => {
    ({ database, sink, twilio, arrears } = await startTestPipeline({ INTEREST_RULE: 'eu-late-payment', BASE_CURRENCY: 'EUR' }));
    const due = { issuedOn: '2025-08-01', dueOn: '2025-09-01' };
    ids = await seedLedger(arrears.runtime.prisma, [
      {
        externalId: 'EN-1',
        locale: 'en-GB',
        currency: 'EUR',
        invoices: [
          { number: 'A-1', amountMinor: 100_000, ...due },
          { number: 'A-2', amountMinor: 50_000, ...due },
          { number: 'A-3', amountMinor: 20_000, balanceMinor: 0, issuedOn: '2025-07-01', dueOn: '2025-08-01' },
        ],
      },
      { externalId: 'RO-1', locale: 'ro', currency: 'EUR', invoices: [{ number: 'B-1', amountMinor: 100_000, ...due }] },
      { externalId: 'TR-1', locale: 'tr', currency: 'EUR', invoices: [{ number: 'C-1', amountMinor: 100_000, ...due }] },
      { externalId: 'ZH-1', locale: 'zh-CN', currency: 'EUR', invoices: [{ number: 'D-1', amountMinor: 100_000, ...due }] },
      { externalId: 'CONS-1', locale: 'en-GB', currency: 'EUR', invoices: [{ number: 'E-1', amountMinor: 100_000, ...due }] },
      {
        externalId: 'FIRM-1',
        locale: 'en-GB',
        currency: 'EUR',
        invoices: [{ number: 'F-1', amountMinor: 100_000, issuedOn: '2025-09-01', dueOn: '2025-10-01' }],
      },
    ]);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    // A-3 was paid 20 days late (its claim survives), A-2's claim was waived, CONS-1 is a consumer.
    await client.query(
      `update invoices set status = 'paid', paid_at = '2025-08-21T10:00:00Z' where number = 'A-3';
       insert into payments (id, external_id, customer_id, amount_minor, currency, received_on, unapplied_minor)
       values ('00000000-0000-0000-0000-000000000301', 'P-A3', '${ids.get('EN-1')}', 20000, 'EUR', '2025-08-21', 0);
       insert into payment_allocations (payment_id, invoice_id, amount_minor)
       select '00000000-0000-0000-0000-000000000301', id, 20000 from invoices where number = 'A-3';
       insert into interest_waivers (invoice_id, waived_by, reason, waived_at)
       select id, 'manager@example.com', 'goodwill', '2025-10-01T00:00:00Z' from invoices where number = 'A-2';
       update customers set profile = 'consumer' where external_id = 'CONS-1';`,
    );
    await client.end();
    await arrears.tick(DAY_60);
  });

  afterAll(async () => {
    await closeTestPipeline({ database, sink, twilio, arrears });
  });

  const mailTo = async (externalId: string) => {
    const mail = sink.messages.find((m) => m.envelope.to.includes(`${externalId.toLowerCase()}@example.com`));
    if (!mail) throw new Error(`no mail to ${externalId}`);
    const parsed = await simpleParser(mail.raw);
    const plain = (text: string) => text.replaceAll('\u00a0', ' ').replaceAll('\u202f', ' ');
    return { text: plain(parsed.text ?? ''), html: plain(typeof parsed.html === 'string' ? parsed.html : '') };
  };

  it.each(Object.entries(EXPECTED))(
    '%s: principal, interest to date, compensation and legal basis in the customer’s locale',
    async (customer, figures) => {
      const { text, html } = await mailTo(customer);
      for (const figure of figures) {
        expect(text).toContain(figure);
        expect(html).toContain(figure.split(':')[0]!.replace('Invoice ', ''));
      }
    },
  );

  it('leaves out a waived claim, and states none to a consumer or at a step without the flag', async () => {
    const en = await mailTo('EN-1');
    expect(en.text).toContain('A-2'); // still owed, in the invoice table…
    expect(en.text).not.toMatch(/Invoice A-2: principal/); // …but its claim was waived
    for (const customer of ['CONS-1', 'FIRM-1']) {
      const { text, html } = await mailTo(customer);
      expect(text).not.toContain('Late-payment interest');
      expect(html).not.toContain('Late-payment interest');
    }
    const steps = await arrears.runtime.prisma.contact.findMany({ select: { stepId: true, customerId: true } });
    expect(steps.find((s) => s.customerId === ids.get('FIRM-1'))?.stepId).toBe('firm-30');
  });

  it('records the claim with the contact that stated it', async () => {
    const rows = await arrears.runtime.prisma.contactInterestClaim.findMany({
      select: {
        contact: { select: { customerId: true, stepId: true, channel: true } },
        invoice: { select: { number: true } },
        asOf: true,
        currency: true,
        principalMinor: true,
        daysLate: true,
        rule: true,
        rates: true,
        interestMinor: true,
        compensationMinor: true,
        legalBasis: true,
      },
      orderBy: { invoice: { number: 'asc' } },
    });
    expect(rows.map((r) => r.invoice.number)).toEqual(['A-1', 'A-3', 'B-1', 'C-1', 'D-1']);
    expect(rows[0]).toMatchObject({
      contact: { customerId: ids.get('EN-1'), stepId: 'final-notice-60', channel: 'email' },
      asOf: new Date('2025-10-31T00:00:00Z'),
      currency: 'EUR',
      principalMinor: 100_000n,
      daysLate: 60,
      rule: 'eu-late-payment',
      rates: '10.15%',
      interestMinor: 1_668n,
      compensationMinor: 4_000n,
      legalBasis: expect.stringContaining('Directive 2011/7/EU'),
    });
    expect(rows[1]).toMatchObject({ daysLate: 20, interestMinor: 111n, compensationMinor: 4_000n });
  });

  it('the case file shows what was claimed in that message', async () => {
    const rows = await loadCaseFileRows(arrears.runtime.prisma, ids.get('EN-1')!);
    const file = buildCaseFile(rows!, new Date('2025-11-03T10:00:00Z'));
    const notice = file.json.contacts.find((c) => c.interestClaimed.length > 0);
    expect(notice?.interestClaimed.map((c) => [c.invoice, c.asOf, c.interestMinor, c.compensationMinor, c.rates])).toEqual([
      ['A-1', '2025-10-31', '1668', '4000', '10.15%'],
      ['A-3', '2025-10-31', '111', '4000', '10.15%'],
    ]);
    expect(file.html).toContain(
      'Claimed in this message (to 31 Oct 2025): A-1 interest €16.68, compensation €40.00 (eu-late-payment, 10.15%, 60 days); A-3 interest €1.11',
    );
  });
});
