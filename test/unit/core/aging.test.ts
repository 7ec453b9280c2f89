import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ageInvoice, agingBuckets, bucketFor, daysPastDue } from '../../../src/core/aging.js';
import { at } from '../../support/builders.js';

const BUCHAREST = 'Europe/Bucharest';
const NOW = at('2026-03-10T10:00', BUCHAREST);

describe('aging buckets at every boundary (basis: due date)', () => {
  it.each([
    { dueOn: '2026-03-20', days: -10, bucket: 'current' },
    { dueOn: '2026-03-10', days: 0, bucket: 'current' },
    { dueOn: '2026-03-09', days: 1, bucket: '1-30' },
    { dueOn: '2026-02-08', days: 30, bucket: '1-30' },
    { dueOn: '2026-02-07', days: 31, bucket: '31-60' },
    { dueOn: '2026-01-09', days: 60, bucket: '31-60' },
    { dueOn: '2026-01-08', days: 61, bucket: '61-90' },
    { dueOn: '2025-12-10', days: 90, bucket: '61-90' },
    { dueOn: '2025-12-09', days: 91, bucket: '90+' },
  ])('due $dueOn is $days days past due, bucket $bucket', ({ dueOn, days, bucket }) => {
    const aged = ageInvoice({ issuedOn: '2025-11-01', dueOn }, NOW, BUCHAREST);
    expect(aged.days).toBe(days);
    expect(aged.bucket.label).toBe(bucket);
  });
});

describe('days past due are counted on the customer’s local date', () => {
  it.each([
    { zone: 'Asia/Shanghai', utc: '2026-03-10T17:30:00Z', local: '2026-03-11', days: 1 },
    { zone: 'Pacific/Auckland', utc: '2026-03-10T12:00:00Z', local: '2026-03-11', days: 1 },
    { zone: 'Europe/Istanbul', utc: '2026-03-10T22:30:00Z', local: '2026-03-11', days: 1 },
    { zone: 'Europe/Bucharest', utc: '2026-03-10T22:30:00Z', local: '2026-03-11', days: 1 },
    { zone: 'America/Los_Angeles', utc: '2026-03-11T05:00:00Z', local: '2026-03-10', days: 0 },
  ])('$zone at $utc (local $local)', ({ zone, utc, local, days }) => {
    const now = DateTime.fromISO(utc, { zone: 'utc' });
    expect(now.setZone(zone).toISODate()).toBe(local);
    expect(now.toISODate()).not.toBe(local);
    expect(daysPastDue('2026-03-10', now, zone)).toBe(days);
  });
});

describe('calendar edges', () => {
  it.each([
    { name: 'leap day +30', dueOn: '2028-02-29', now: '2028-03-30T09:00', days: 30 },
    { name: 'leap day + one year', dueOn: '2028-02-29', now: '2029-02-28T09:00', days: 365 },
    { name: 'January 31 +30 lands on March 2', dueOn: '2026-01-31', now: '2026-03-02T09:00', days: 30 },
    { name: 'January 31 +29 is March 1', dueOn: '2026-01-31', now: '2026-03-01T23:59', days: 29 },
    { name: 'spring-forward day, just before midnight', dueOn: '2026-03-28', now: '2026-03-29T23:30', days: 1 },
    { name: 'day after spring-forward, just after midnight', dueOn: '2026-03-28', now: '2026-03-30T00:30', days: 2 },
    { name: 'fall-back day, repeated hour', dueOn: '2026-10-24', now: '2026-10-25T03:30', days: 1 },
    { name: 'year end', dueOn: '2026-12-31', now: '2027-01-01T00:00', days: 1 },
  ])('$name', ({ dueOn, now, days }) => {
    expect(daysPastDue(dueOn, at(now, BUCHAREST), BUCHAREST)).toBe(days);
  });

  it.each([
    { now: '2026-03-08T23:30', days: 1 },
    { now: '2026-11-01T23:30', days: 1 },
  ])('Los Angeles DST day $now counts one calendar day', ({ now, days }) => {
    const zone = 'America/Los_Angeles';
    const local = at(now, zone);
    expect(daysPastDue(local.minus({ days: 1 }).toISODate() ?? '', local, zone)).toBe(days);
  });
});

describe('configuration', () => {
  it('ages by days since issue on the invoice basis', () => {
    const invoice = { issuedOn: '2026-02-08', dueOn: '2026-03-10' };
    expect(ageInvoice(invoice, NOW, BUCHAREST, { basis: 'invoice', edges: [30, 60, 90] }).bucket.label).toBe('1-30');
    expect(ageInvoice(invoice, NOW, BUCHAREST, { basis: 'due', edges: [30, 60, 90] }).bucket.label).toBe('current');
  });

  it('builds buckets from custom edges', () => {
    expect(agingBuckets([15, 45]).map((b) => b.label)).toEqual(['current', '1-15', '16-45', '45+']);
    expect(bucketFor(16, [15, 45]).label).toBe('16-45');
    expect(bucketFor(46, [15, 45]).label).toBe('45+');
  });

  it.each([[[30, 30]], [[60, 30]], [[0, 30]], [[1.5]]])('rejects edges %j', (edges) => {
    expect(() => agingBuckets(edges)).toThrow(/ascending positive integers/);
  });
});
