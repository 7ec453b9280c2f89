import { describe, expect, it } from 'vitest';
import { assessPlan, createPlanInput, PLAN_MISSED_AFTER_DAYS } from '../../../src/cases/payment-plan.service.js';

const plan = (paidMinor: bigint, today: string) => ({
  planId: 'p',
  customerId: 'c',
  paidMinor,
  today,
  instalments: [
    { id: 'i1', sequence: 1, dueOn: '2026-04-01', amountMinor: 300n, paidMinor: 0n, status: 'pending' },
    { id: 'i2', sequence: 2, dueOn: '2026-05-01', amountMinor: 300n, paidMinor: 0n, status: 'pending' },
  ],
});

describe('assessPlan', () => {
  it.each([
    ['nothing paid, not yet due', 0n, '2026-03-20', 'active', []],
    ['first instalment paid', 300n, '2026-04-02', 'active', [['i1', 300n, 'paid']]],
    ['part paid, grace not over', 100n, '2026-04-08', 'active', [['i1', 100n, 'pending']]],
    [`unpaid ${PLAN_MISSED_AFTER_DAYS + 1} days after due`, 100n, '2026-04-09', 'broken', [['i1', 100n, 'missed']]],
    [
      'everything paid',
      600n,
      '2026-05-02',
      'completed',
      [
        ['i1', 300n, 'paid'],
        ['i2', 300n, 'paid'],
      ],
    ],
  ] as const)('%s', (_name, paid, today, status, changes) => {
    const result = assessPlan(plan(paid, today));
    expect(result.planStatus).toBe(status);
    expect(result.changes.map((c) => [c.id, c.paidMinor, c.status])).toEqual(changes);
  });
});

describe('createPlanInput', () => {
  it('names the field when instalments do not sum to the total or are out of order', () => {
    const result = createPlanInput.safeParse({
      customer: 'C-1',
      totalMinor: 1000,
      instalments: [
        { dueOn: '2026-05-01', amountMinor: 300 },
        { dueOn: '2026-04-01', amountMinor: 300 },
      ],
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual(['instalments', 'instalments.1.dueOn']);
  });
});
