import { DateTime } from 'luxon';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { recordBankruptcy, recordBankruptcyDischarge, recordBankruptcyDismissal } from '../../../src/cases/bankruptcy.service.js';
import type { CaseServices } from '../../../src/cases/case-services.js';
import { placeCreditHold, releaseCreditHold } from '../../../src/cases/credit-hold.service.js';
import { updateCustomerSettings } from '../../../src/cases/customer-settings.service.js';
import { InvalidInput, InvalidTransition, NotFound, PermissionDenied } from '../../../src/cases/errors.js';
import { runCaseSweep } from '../../../src/cases/sweep.js';
import { writeOff } from '../../../src/cases/write-off.service.js';
import { loadAgingReport, loadDsoReport, loadStatement } from '../../../src/reports/sources/reports.source.js';
import { closeTestPipeline, startTestPipeline, type TestPipeline } from '../../support/arrears.js';
import { testQueuePrefix } from '../../support/databases.js';
import { seedLedger } from '../../support/ledger.js';
import { startCli } from '../../support/processes.js';
import { importCsv } from '../ingest/import-helpers.js';
import { caseServicesOf, seedUsers } from './case-support.js';

// Issue 14's lifecycle gaps, against real Postgres and Redis: write-off (service, CLI, reports),
// bankruptcy discharge, the customer fields a manager sets, and credit holds a person placed.

const ZONE = 'Europe/Bucharest';
const overdue = (number: string, amountMinor: number, dueOn = '2026-01-31') => ({ number, amountMinor, issuedOn: '2026-01-01', dueOn });

describe('case lifecycle: write-off, discharge, customer settings, credit holds', () => {
  let pipeline: TestPipeline;
  let cases: CaseServices;
  let users: Awaited<ReturnType<typeof seedUsers>>;
  let ids: Map<string, string>;
  let pool: pg.Pool;

  beforeAll(async () => {
    pipeline = await startTestPipeline();
    cases = caseServicesOf(pipeline.arrears);
    users = await seedUsers(pipeline.arrears);
    pool = new pg.Pool({ connectionString: pipeline.database.url, max: 2 });
    ids = await seedLedger(prisma(), [
      // EUR: the only customer in its currency, so the currency's aging and allowance are its own.
      {
        externalId: 'WO-1',
        currency: 'EUR',
        invoices: [overdue('A-1', 1_000_00), overdue('A-2', 500_00, '2026-02-28'), overdue('A-3', 200_00)],
      },
      { externalId: 'WO-2', invoices: [overdue('B-1', 300_00), overdue('B-2', 700_00)] },
      { externalId: 'WO-3', invoices: [overdue('C-1', 100_00), overdue('C-2', 50_00)] },
      { externalId: 'BK-1', invoices: [overdue('D-1', 900_00), overdue('D-2', 100_00)] },
      { externalId: 'BK-2', invoices: [overdue('E-1', 400_00)] },
      { externalId: 'CH-1', invoices: [overdue('F-1', 100_00)] },
      { externalId: 'CH-2', invoices: [overdue('G-1', 100_00)] },
      { externalId: 'SET-1', invoices: [] },
    ]);
    await prisma().invoice.updateMany({
      where: { number: 'A-3' },
      data: { status: 'paid', openBalanceMinor: 0n, paidAt: new Date('2026-02-01T00:00:00Z') },
    });
  });

  afterAll(async () => {
    await pool?.end();
    await closeTestPipeline(pipeline ?? {});
  });

  const prisma = () => pipeline.arrears.runtime.prisma;
  const invoice = (number: string) => prisma().invoice.findFirstOrThrow({ where: { number } });
  const today = () => DateTime.now().setZone(ZONE).toISODate()!;
  const yesterday = () => DateTime.now().setZone(ZONE).minus({ days: 1 }).toISODate()!;

  it('writes off one invoice: written_off with its balance kept, audited, the case decided again; the rest stays in dunning', async () => {
    await prisma().collectionCase.update({
      where: { customerId: ids.get('WO-1') },
      data: { nextLookAt: new Date('2100-01-01T00:00:00Z') },
    });
    const result = await writeOff(cases.cases, users.manager.email, {
      customer: 'WO-1',
      invoice: 'A-1',
      reason: 'customer ceased trading',
    });
    expect(result).toEqual({
      invoices: [{ number: 'A-1', currency: 'EUR', writtenOffMinor: '100000' }],
      totals: [{ currency: 'EUR', writtenOffMinor: '100000' }],
    });
    expect(await invoice('A-1')).toMatchObject({
      status: 'written_off',
      openBalanceMinor: 0n,
      writtenOffMinor: 100000n,
      writtenOffBy: users.manager.id,
      writeOffReason: 'customer ceased trading',
    });
    expect((await invoice('A-2')).status).toBe('open');
    const [audit] = await prisma().auditEvent.findMany({ where: { action: 'invoice.written_off', entityId: ids.get('WO-1') } });
    expect(audit).toMatchObject({ actor: users.manager.id, entityType: 'customer', reason: 'customer ceased trading' });
    expect(audit!.before).toMatchObject({ invoice: 'A-1', status: 'open', openBalanceMinor: '100000' });
    const kase = await prisma().collectionCase.findUniqueOrThrow({ where: { customerId: ids.get('WO-1') } });
    expect(kase.nextLookAt!.getTime()).toBeLessThanOrEqual(Date.now());

    // The worklist's balances (kept by the invoices' triggers) follow the write-off.
    const balance = await prisma().customerBalance.findUniqueOrThrow({ where: { customerId: ids.get('WO-1')! } });
    expect(balance).toMatchObject({ balanceMinor: 500_00n, openInvoices: 1, writtenOffMinor: 100000n });
  });

  it('refuses a collector, a missing choice, an unknown invoice and one with nothing open, writing nothing', async () => {
    const before = await prisma().auditEvent.count();
    const refused = await writeOff(cases.cases, users.collector.email, { customer: 'WO-1', invoice: 'A-2', reason: 'r' }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(PermissionDenied);
    expect(refused).toMatchObject({ action: 'invoice.write_off', role: 'collector' });
    const neither = await writeOff(cases.cases, users.manager.email, { customer: 'WO-1', reason: 'r' }).catch((e: unknown) => e);
    expect(neither).toBeInstanceOf(InvalidInput);
    expect((neither as InvalidInput).fields.map((f) => f.field)).toEqual(['invoice']);
    await expect(writeOff(cases.cases, users.manager.email, { customer: 'WO-1', invoice: 'A-2', reason: ' ' })).rejects.toThrow(/reason/);
    await expect(writeOff(cases.cases, users.manager.email, { customer: 'WO-1', invoice: 'NOPE', reason: 'r' })).rejects.toThrow(NotFound);
    await expect(writeOff(cases.cases, users.manager.email, { customer: 'WO-1', invoice: 'A-1', reason: 'r' })).rejects.toThrow(
      InvalidTransition,
    );
    await expect(writeOff(cases.cases, users.manager.email, { customer: 'WO-1', invoice: 'A-3', reason: 'r' })).rejects.toThrow(
      /nothing open to write off \(paid\)/,
    );
    expect(await prisma().auditEvent.count()).toBe(before);
    expect((await invoice('A-2')).status).toBe('open');
  });

  it('leaves the reports from the day of the write-off on, and counts the invoice before it', async () => {
    const now = await loadAgingReport(prisma(), { asOf: today() });
    const eur = now.currencies.find((c) => c.currency === 'EUR')!;
    expect(eur.totalMinor).toBe(500_00);
    // Default rates: A-2 is over 90 days past due at the earliest whenever this runs (due 2026-02-28).
    expect(eur.allowanceMinor).toBe(Object.values(eur.allowance).reduce((a, b) => a + b, 0));
    expect(eur.netRealisableMinor).toBe(500_00 - eur.allowanceMinor);
    expect(now.customers.filter((c) => c.customer.externalId === 'WO-1').map((c) => c.totalMinor)).toEqual([500_00]);

    const before = await loadAgingReport(prisma(), { asOf: yesterday() });
    expect(before.currencies.find((c) => c.currency === 'EUR')!.totalMinor).toBe(1_500_00);
    expect(before.currencies.find((c) => c.currency === 'EUR')!.allowanceMinor).toBeGreaterThan(eur.allowanceMinor);

    const statement = await loadStatement(prisma(), { asOf: today(), externalId: 'WO-1' });
    expect(JSON.stringify(statement)).not.toContain('A-1');
    const dso = await loadDsoReport(prisma(), { asOf: today(), period: { unit: 'days', count: 90 } });
    expect(dso.currencies.find((c) => c.currency === 'EUR')?.receivablesMinor).toBe(500_00);
  });

  it('keeps a written-off invoice written off at zero when the ERP file brings it again', async () => {
    const csv =
      'external_id,customer_external_id,number,currency,amount,balance,issued_on,due_on\nWO-1-A-1,WO-1,A-1,EUR,1000.00,1000.00,2026-01-01,2026-01-31\n';
    const { summary } = await importCsv({ pool, prisma: prisma() }, 'invoices', csv);
    expect(summary).toMatchObject({ unchanged: 1, updated: 0, rejected: 0 });
    expect(await invoice('A-1')).toMatchObject({ status: 'written_off', openBalanceMinor: 0n, writtenOffMinor: 100000n });
  });

  it('writes off the whole open balance: open promises and the active plan are cancelled; then 409', async () => {
    const customerId = ids.get('WO-2')!;
    const promise = await prisma().promiseToPay.create({
      data: {
        customerId,
        amountMinor: 100_00n,
        currency: 'RON',
        promisedOn: new Date('2030-01-01T00:00:00Z'),
        createdBy: users.collector.id,
      },
    });
    const plan = await prisma().paymentPlan.create({
      data: { customerId, currency: 'RON', totalMinor: 1_000_00n, createdBy: users.manager.id },
    });
    const result = await writeOff(cases.cases, users.admin.email, { customer: 'WO-2', all: true, reason: 'uneconomic to pursue' });
    expect(result.invoices.map((i) => [i.number, i.writtenOffMinor])).toEqual([
      ['B-1', '30000'],
      ['B-2', '70000'],
    ]);
    expect(result.totals).toEqual([{ currency: 'RON', writtenOffMinor: '100000' }]);
    expect((await prisma().promiseToPay.findUniqueOrThrow({ where: { id: promise.id } })).status).toBe('cancelled');
    expect((await prisma().paymentPlan.findUniqueOrThrow({ where: { id: plan.id } })).status).toBe('cancelled');
    expect(await prisma().auditEvent.count({ where: { action: 'invoice.written_off', entityId: customerId } })).toBe(2);
    const again = await writeOff(cases.cases, users.admin.email, { customer: 'WO-2', all: true, reason: 'again' }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(InvalidTransition);
    expect((again as Error).message).toContain('no open balance to write off');
    // Nothing left open: a written-off account, out of the worklist's default views.
    expect(await prisma().customerBalance.findUniqueOrThrow({ where: { customerId } })).toMatchObject({
      balanceMinor: 0n,
      openInvoices: 0,
    });
  });

  it('writes off from the command line (exit 0, JSON) and refuses a collector there (exit 2)', async () => {
    const env = { DATABASE_URL: pipeline.database.url, REDIS_URL: inject('redisUrl'), QUEUE_PREFIX: testQueuePrefix(), LOG_LEVEL: 'warn' };
    const refused = startCli(
      ['case', 'write-off', '--customer', 'WO-3', '--actor', users.collector.email, '--all', '--reason', 'gone'],
      env,
    );
    expect((await refused.exit).code).toBe(2);
    expect(refused.output()).toContain('invoice.write_off is not allowed for role collector');
    const done = startCli(
      ['case', 'write-off', '--customer', 'WO-3', '--actor', users.manager.email, '--invoice', 'C-1', '--reason', 'small balance'],
      env,
    );
    expect((await done.exit).code, done.output()).toBe(0);
    expect(done.output()).toContain('{"invoices":[{"number":"C-1","currency":"RON","writtenOffMinor":"10000"}]');
    expect((await invoice('C-1')).status).toBe('written_off');
    expect((await invoice('C-2')).status).toBe('open');
  }, 60_000);

  it('discharges a bankruptcy by writing off the open balance and stopping contact for good; a dismissal does neither', async () => {
    await recordBankruptcy(cases.cases, users.manager.email, { customer: 'BK-1', filedOn: '2026-02-01', chapter: '7' });
    const discharged = await recordBankruptcyDischarge(cases.cases, users.manager.email, {
      customer: 'BK-1',
      reason: 'court order 2026/55',
    });
    expect(discharged.writtenOff?.totals).toEqual([{ currency: 'RON', writtenOffMinor: '100000' }]);
    const written = await prisma().invoice.findMany({ where: { customerId: ids.get('BK-1') }, orderBy: { number: 'asc' } });
    expect(written.map((i) => [i.number, i.status, i.writeOffReason])).toEqual([
      ['D-1', 'written_off', 'bankruptcy discharge'],
      ['D-2', 'written_off', 'bankruptcy discharge'],
    ]);
    expect((await prisma().customer.findUniqueOrThrow({ where: { id: ids.get('BK-1') } })).doNotContact).toBe(true);
    const actions = (await prisma().auditEvent.findMany({ where: { entityId: ids.get('BK-1') }, orderBy: { at: 'asc' } })).map(
      (a) => a.action,
    );
    expect(actions).toEqual(expect.arrayContaining(['bankruptcy.discharged', 'invoice.written_off', 'customer.do_not_contact']));

    await recordBankruptcy(cases.cases, users.manager.email, { customer: 'BK-2', filedOn: '2026-02-01', chapter: '11' });
    const dismissed = await recordBankruptcyDismissal(cases.cases, users.manager.email, { customer: 'BK-2', reason: 'case dismissed' });
    expect(dismissed.writtenOff).toBeUndefined();
    expect((await invoice('E-1')).status).toBe('open');
    expect((await prisma().customer.findUniqueOrThrow({ where: { id: ids.get('BK-2') } })).doNotContact).toBe(false);
  });

  it('lets the sweep release a credit hold a policy step placed once paid, never one a person placed', async () => {
    await placeCreditHold(cases.cases, users.manager.email, { customer: 'CH-1', reason: 'risk review' });
    await prisma().creditHold.create({ data: { customerId: ids.get('CH-2')!, reason: 'policy step', placedBy: 'system' } });
    await prisma().invoice.updateMany({ where: { number: { in: ['F-1', 'G-1'] } }, data: { status: 'paid', openBalanceMinor: 0n } });

    const swept = await runCaseSweep(cases.cases, cases.sweep);
    expect(swept.creditHoldsReleased).toBe(1);
    const holds = await prisma().creditHold.findMany({ where: { customerId: { in: [ids.get('CH-1')!, ids.get('CH-2')!] } } });
    const of = (key: string) => holds.find((h) => h.customerId === ids.get(key))!;
    expect(of('CH-1')).toMatchObject({ placedBy: users.manager.id, releasedAt: null });
    expect(of('CH-2')).toMatchObject({ releasedBy: 'system', releaseReason: 'overdue balance paid' });
    expect((await runCaseSweep(cases.cases, cases.sweep)).creditHoldsReleased).toBe(0);

    await releaseCreditHold(cases.cases, users.manager.email, { customer: 'CH-1', reason: 'review done' });
    expect(await prisma().creditHold.count({ where: { customerId: ids.get('CH-1'), releasedAt: null } })).toBe(0);
  });

  it('lets a manager set every customer field the business owns, audited; refuses an unknown collector and a collector role', async () => {
    const result = await updateCustomerSettings(cases.cases, users.manager.email, {
      customer: 'SET-1',
      collector: 'CORA@example.com',
      profile: 'consumer',
      holidayCalendar: 'RO',
      doNotContact: true,
      statementSchedule: 'weekly',
      salesContactEmail: 'sales@set.example',
      reason: 'onboarding',
    });
    expect(result.changed).toEqual(['collector', 'profile', 'holidayCalendar', 'doNotContact', 'statementSchedule', 'salesContactEmail']);
    expect(await prisma().customer.findUniqueOrThrow({ where: { id: ids.get('SET-1') } })).toMatchObject({
      assignedCollectorId: users.collector.id,
      profile: 'consumer',
      holidayCalendar: 'RO',
      doNotContact: true,
      statementSchedule: 'weekly',
      salesContactEmail: 'sales@set.example',
    });
    const audit = await prisma().auditEvent.findFirstOrThrow({ where: { action: 'customer.updated', entityId: ids.get('SET-1') } });
    expect(audit).toMatchObject({
      actor: users.manager.id,
      reason: 'onboarding',
      before: { doNotContact: false, collector: null },
      after: { doNotContact: true, collector: 'cora@example.com' },
    });

    expect((await updateCustomerSettings(cases.cases, users.manager.email, { customer: 'SET-1', profile: 'consumer' })).changed).toEqual(
      [],
    );
    const cleared = await updateCustomerSettings(cases.cases, users.manager.email, {
      customer: 'SET-1',
      collector: null,
      holidayCalendar: null,
      doNotContact: false,
    });
    expect(cleared.changed).toEqual(['collector', 'holidayCalendar', 'doNotContact']);

    const unknown = await updateCustomerSettings(cases.cases, users.manager.email, {
      customer: 'SET-1',
      collector: 'nobody@example.com',
    }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(InvalidInput);
    expect((unknown as InvalidInput).fields).toEqual([{ field: 'collector', message: 'no user has the email nobody@example.com' }]);
    await expect(
      updateCustomerSettings(cases.cases, users.manager.email, { customer: 'SET-1', statementSchedule: 'daily' as 'weekly' }),
    ).rejects.toThrow(/statementSchedule/);
    await expect(updateCustomerSettings(cases.cases, users.collector.email, { customer: 'SET-1', doNotContact: true })).rejects.toThrow(
      PermissionDenied,
    );
  });
});
