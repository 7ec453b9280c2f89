import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAtAndWait } from '../../src/jobs/run-tick.js';
import type { TestDatabase } from '../support/databases.js';
import type { LocalTwilioServer } from '../support/fake-twilio.js';
import { seedLedger } from '../support/ledger.js';
import type { SmtpSink } from '../support/smtp-sink.js';
import { closeTestPipeline, startTestPipeline, type TestArrears } from '../support/arrears.js';

const statementsAt = (arrears: TestArrears, iso: string) => runAtAndWait(arrears.queues, 'statements', DateTime.fromISO(iso));

describe('statements of account', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let twilio: LocalTwilioServer;
  let arrears: TestArrears;

  beforeAll(async () => {
    ({ database, sink, twilio, arrears } = await startTestPipeline());
    const invoices = [
      { number: 'S-1', amountMinor: 150000, issuedOn: '2026-01-10', dueOn: '2026-02-09' },
      { number: 'S-2', amountMinor: 20000, issuedOn: '2026-02-20', dueOn: '2026-03-22' },
    ];
    const ids = await seedLedger(arrears.runtime.prisma, [
      { externalId: 'MONTHLY', locale: 'en', currency: 'USD', timeZone: 'America/Chicago', invoices },
      { externalId: 'WEEKLY', locale: 'tr', currency: 'TRY', timeZone: 'Europe/Istanbul', invoices },
      { externalId: 'NONE', invoices },
      { externalId: 'PAID', invoices: [{ ...invoices[0]!, balanceMinor: 0 }] },
    ]);
    await arrears.runtime.prisma.customer.update({ where: { id: ids.get('WEEKLY') }, data: { statementSchedule: 'weekly' } });
    await arrears.runtime.prisma.customer.update({ where: { id: ids.get('NONE') }, data: { statementSchedule: 'none' } });
    await arrears.runtime.prisma.invoice.updateMany({ where: { customerId: ids.get('PAID') }, data: { status: 'paid' } });
  });

  afterAll(async () => {
    await closeTestPipeline({ database, sink, twilio, arrears });
  });

  it('sends each scheduled customer who owes something one statement per period, inside their window', async () => {
    // Monday 2 March 2026, 07:00Z: 10:00 in Istanbul (open), 01:00 in Chicago (closed).
    await statementsAt(arrears, '2026-03-02T07:00:00Z');
    expect(sink.messages.map((m) => m.envelope.to[0])).toEqual(['weekly@example.com']);

    // 15:00Z: 09:00 in Chicago. Istanbul already has this week's.
    await statementsAt(arrears, '2026-03-02T15:00:00Z');
    expect(sink.messages.map((m) => m.envelope.to[0])).toEqual(['weekly@example.com', 'monthly@example.com']);
    const monthly = sink.messages[1]!.parsed;
    expect(monthly.subject).toMatch(/Statement of account/);
    expect(monthly.text).toContain('S-1');
    expect(monthly.text).toContain('S-2');
    expect(monthly.text).toContain('$1,700.00');

    // Later the same week and month: nothing new. The next week: the weekly one again.
    await statementsAt(arrears, '2026-03-04T15:00:00Z');
    expect(sink.messages).toHaveLength(2);
    await statementsAt(arrears, '2026-03-09T08:00:00Z');
    expect(sink.messages.map((m) => m.envelope.to[0])).toEqual(['weekly@example.com', 'monthly@example.com', 'weekly@example.com']);

    const logged = await arrears.runtime.prisma.contact.findMany({ where: { templateId: 'statement-of-account' } });
    expect(logged.map((c) => c.status)).toEqual(['sent', 'sent', 'sent']);
  });
});
