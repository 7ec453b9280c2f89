import { describe, expect, it } from 'vitest';
import { collectionsReport, type CollectorRef } from '../../../src/reports/collections.report.js';

const ANA: CollectorRef = { id: 'u-ana', name: 'Ana' };
const NOBODY: CollectorRef = { id: null, name: 'unassigned' };

describe('collections report', () => {
  const report = collectionsReport({
    asOf: '2026-03-31',
    unit: 'month',
    periods: 2,
    payments: [
      { collector: ANA, currency: 'EUR', amountMinor: 30000, receivedOn: '2026-02-10' },
      { collector: ANA, currency: 'EUR', amountMinor: 12000, receivedOn: '2026-03-05' },
      { collector: NOBODY, currency: 'USD', amountMinor: 500, receivedOn: '2026-03-31' },
      { collector: ANA, currency: 'EUR', amountMinor: 99, receivedOn: '2026-01-31' }, // before the periods
    ],
    allocations: [
      { collector: ANA, currency: 'EUR', amountMinor: 30000, on: '2026-02-10', reversedOn: null },
      { collector: ANA, currency: 'EUR', amountMinor: 12000, on: '2026-03-05', reversedOn: '2026-03-20' }, // reversed by the as-of
    ],
    contacts: [
      { collector: ANA, channel: 'email', direction: 'outbound', status: 'delivered', on: '2026-03-02' },
      { collector: ANA, channel: 'email', direction: 'outbound', status: 'sent', on: '2026-03-09' },
      { collector: ANA, channel: 'sms', direction: 'outbound', status: 'sent', on: '2026-03-09' },
      { collector: ANA, channel: 'email', direction: 'outbound', status: 'bounced', on: '2026-03-10' }, // not sent
      { collector: ANA, channel: 'email', direction: 'outbound', status: 'queued', on: '2026-03-10' }, // not yet
      { collector: ANA, channel: 'sms', direction: 'inbound', status: 'delivered', on: '2026-03-10' }, // a reply
      { collector: NOBODY, channel: 'letter', direction: 'outbound', status: 'sent', on: '2026-02-27' },
    ],
    promises: [
      { collector: ANA, status: 'kept', on: '2026-02-20' },
      { collector: ANA, status: 'broken', on: '2026-03-15' },
      { collector: ANA, status: 'open', on: '2026-03-30' },
    ],
  });

  it('splits by calendar month and collector', () => {
    expect(report.periods.map((p) => [p.label, p.from, p.to])).toEqual([
      ['2026-02', '2026-02-01', '2026-02-28'],
      ['2026-03', '2026-03-01', '2026-03-31'],
    ]);
    expect(report.rows.map((r) => [r.period.label, r.collector?.name])).toEqual([
      ['2026-02', 'Ana'],
      ['2026-02', 'unassigned'],
      ['2026-03', 'Ana'],
      ['2026-03', 'unassigned'],
    ]);
  });

  it('counts cash received, what of it stayed applied, reminders sent and promise outcomes', () => {
    const anaMarch = report.rows.find((r) => r.period.label === '2026-03' && r.collector?.id === 'u-ana');
    expect(anaMarch).toMatchObject({
      collectedMinor: { EUR: 12000 },
      appliedMinor: {},
      remindersSent: { email: 2, sms: 1 },
      promisesKept: 0,
      promisesBroken: 1,
    });
    expect(report.totals[0]).toMatchObject({
      collectedMinor: { EUR: 30000 },
      appliedMinor: { EUR: 30000 },
      remindersSent: { letter: 1 },
      promisesKept: 1,
      promisesBroken: 0,
    });
    expect(report.totals[1]?.collectedMinor).toEqual({ EUR: 12000, USD: 500 });
  });

  it('uses ISO weeks, Monday to Sunday, the last one cut at the as-of date', () => {
    const weekly = collectionsReport({
      asOf: '2026-03-04',
      unit: 'week',
      periods: 2,
      payments: [],
      allocations: [],
      contacts: [],
      promises: [],
    });
    expect(weekly.periods.map((p) => [p.label, p.from, p.to, p.days])).toEqual([
      ['2026-W09', '2026-02-23', '2026-03-01', 7],
      ['2026-W10', '2026-03-02', '2026-03-04', 3],
    ]);
  });
});
