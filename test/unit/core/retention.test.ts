import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { webhookReceiptCutoff } from '../../../src/core/retention.js';

const NOW = DateTime.fromISO('2026-03-29T12:00:00Z', { zone: 'utc' });

describe('webhookReceiptCutoff', () => {
  it.each([
    // retention days, max age (s), receipts written before this are deleted
    [90, 300, '2025-12-29T12:00:00.000Z'],
    [1, 300, '2026-03-28T12:00:00.000Z'],
    // A one-day window either way: kept 2 days and an hour, however short the retention.
    [1, 86_400, '2026-03-27T11:00:00.000Z'],
    [3, 86_400, '2026-03-26T12:00:00.000Z'],
  ])('retention %i days, max age %i s → before %s', (retentionDays, maxAgeSeconds, cutoff) => {
    expect(webhookReceiptCutoff(NOW, { retentionDays, maxAgeSeconds }).toUTC().toISO()).toBe(cutoff);
  });
});
