import type { Policy } from '../../core/policy.js';

/**
 * Gentler, slower and more personal: no SMS, a collector call from day 15, legal hold at 120. The
 * final notice claims late-payment interest (as the default policy's does).
 */
export const keyAccountPolicy: Policy = {
  id: 'key-account',
  name: 'Key account',
  steps: [
    { id: 'courtesy', offsetDays: -7, stage: 0, actions: [{ type: 'email', template: 'key-account/courtesy' }] },
    { id: 'overdue-3', offsetDays: 3, stage: 1, actions: [{ type: 'email', template: 'key-account/overdue-3' }] },
    { id: 'overdue-15', offsetDays: 15, stage: 2, actions: [{ type: 'email', template: 'key-account/overdue-15' }, { type: 'call_task' }] },
    { id: 'overdue-30', offsetDays: 30, stage: 3, actions: [{ type: 'email', template: 'key-account/overdue-30' }, { type: 'call_task' }] },
    {
      id: 'overdue-60',
      offsetDays: 60,
      stage: 4,
      actions: [
        { type: 'email', template: 'key-account/overdue-60' },
        { type: 'manager_alert', kind: 'balance_threshold' },
      ],
    },
    {
      id: 'final-notice-90',
      offsetDays: 90,
      stage: 5,
      interest: true,
      actions: [{ type: 'email', template: 'key-account/final-notice-90' }, { type: 'call_task' }],
    },
    { id: 'legal-hold-120', offsetDays: 120, stage: 6, actions: [{ type: 'legal_hold' }, { type: 'manager_alert', kind: 'legal_hold' }] },
  ],
};
