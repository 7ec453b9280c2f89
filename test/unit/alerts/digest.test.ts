import { describe, expect, it } from 'vitest';
import { buildDigest, groupAlerts } from '../../../src/alerts/digest.js';
import type { AlertRow } from '../../../src/db/alerts.repository.js';

const alert = (id: string, kind: AlertRow['kind'], hoursAgo: number, acknowledged = false): AlertRow => ({
  id,
  kind,
  customerId: `c-${id}`,
  customerExternalId: `EXT-${id}`,
  customerName: `Customer ${id}`,
  message: `message ${id}`,
  raisedAt: new Date(Date.UTC(2026, 2, 9, 12 - hoursAgo)),
  lastRaisedAt: new Date(Date.UTC(2026, 2, 9, 12 - hoursAgo)),
  reRaiseCount: 0,
  acknowledgedAt: acknowledged ? new Date(Date.UTC(2026, 2, 9, 12)) : null,
  acknowledgedBy: acknowledged ? 'u' : null,
  resolvedAt: null,
  resolvedReason: null,
});

describe('digest', () => {
  const alerts = [
    alert('1', 'channels_failing', 1),
    alert('2', 'legal_hold', 5),
    alert('3', 'broken_promise', 2, true),
    alert('4', 'legal_hold', 1),
  ];

  it('groups by kind in a fixed order, open alerts first, newest first', () => {
    const groups = groupAlerts(alerts);
    expect(groups.map((g) => [g.kind, g.alerts.map((a) => a.id)])).toEqual([
      ['legal_hold', ['4', '2']],
      ['broken_promise', ['3']],
      ['channels_failing', ['1']],
    ]);
  });

  it('counts open alerts and lists every one under its heading', () => {
    const digest = buildDigest('Mara', alerts, '2026-03-09');
    expect(digest.subject).toBe('[Arrears] Daily alert digest 2026-03-09: 3 open');
    expect(digest.text).toContain('Legal holds (2)');
    expect(digest.text).toContain('- Customer 3 (EXT-3): message 3');
    expect(digest.text).toMatch(/message 3 .*acknowledged/);
    expect(digest.html).toContain('<h3>Broken promises (1)</h3>');
  });
});
