import type { Policy } from '../../core/policy.js';

/**
 * The standard sequence: courtesy reminder, firmer notices, credit hold at 45 days, legal hold at
 * 90. From the final notice on, the email claims late-payment interest (business customers with a
 * rule; consumers have none unless a contractual rate is set).
 */
export const defaultPolicy: Policy = {
  id: 'default',
  name: 'Default',
  steps: [
    { id: 'courtesy', offsetDays: -3, stage: 0, actions: [{ type: 'email', template: 'default/courtesy' }] },
    { id: 'overdue-1', offsetDays: 1, stage: 1, actions: [{ type: 'email', template: 'default/overdue-1' }] },
    {
      id: 'overdue-7',
      offsetDays: 7,
      stage: 2,
      actions: [
        { type: 'email', template: 'default/overdue-7' },
        { type: 'sms', template: 'default/overdue-7' },
      ],
    },
    { id: 'overdue-14', offsetDays: 14, stage: 3, actions: [{ type: 'email', template: 'default/overdue-14' }, { type: 'call_task' }] },
    // The firm-30 templates carry the credit-hold warning.
    {
      id: 'firm-30',
      offsetDays: 30,
      stage: 4,
      actions: [
        { type: 'email', template: 'default/firm-30' },
        { type: 'sms', template: 'default/firm-30' },
      ],
    },
    {
      id: 'credit-hold-45',
      offsetDays: 45,
      stage: 5,
      actions: [{ type: 'credit_hold' }, { type: 'email', template: 'default/credit-hold-45' }],
    },
    {
      id: 'final-notice-60',
      offsetDays: 60,
      stage: 6,
      interest: true,
      actions: [
        { type: 'email', template: 'default/final-notice-60' },
        { type: 'sms', template: 'default/final-notice-60' },
      ],
    },
    {
      id: 'legal-hold-90',
      offsetDays: 90,
      stage: 7,
      interest: true,
      actions: [
        { type: 'legal_hold' },
        { type: 'manager_alert', kind: 'legal_hold' },
        { type: 'email', template: 'default/legal-hold-90' },
      ],
    },
  ],
};
