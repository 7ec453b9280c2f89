import { z } from 'zod';
import type { Policy } from '../core/policy.js';

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes');
const template = z.string().min(1, 'must not be empty');

const action = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('email'), template }),
    z.strictObject({ type: z.literal('sms'), template, fallback: z.literal('email').optional() }),
    z.strictObject({ type: z.literal('call_task') }),
    z.strictObject({ type: z.literal('credit_hold') }),
    z.strictObject({ type: z.literal('legal_hold') }),
    z.strictObject({
      type: z.literal('manager_alert'),
      kind: z.enum(['legal_hold', 'balance_threshold', 'broken_promise', 'credit_limit_crossed', 'channels_failing']),
    }),
  ],
  { error: 'must be one of email, sms, call_task, credit_hold, legal_hold, manager_alert' },
);

const step = z
  .strictObject({
    id: slug,
    offsetDays: z.int(),
    stage: z.int().min(0, 'must be 0 or more'),
    actions: z.array(action).min(1, 'must have at least one action'),
    interest: z.boolean({ error: "must be true or false (whether the step's email claims late-payment interest)" }).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.interest === true && !s.actions.some((a) => a.type === 'email')) {
      ctx.addIssue({
        code: 'custom',
        path: ['interest'],
        message: 'is true but the step sends no email: the late-payment claim is stated in an email action',
      });
    }
    s.actions.forEach((a, i) => {
      if (s.actions.findIndex((other) => other.type === a.type) !== i) {
        ctx.addIssue({ code: 'custom', path: ['actions', i, 'type'], message: `"${a.type}" appears twice in the step` });
      }
    });
  });

/** A dunning policy as data. Steps must be in strictly ascending `offsetDays` with unique ids. */
export const policySchema = z
  .strictObject({
    id: slug,
    name: z.string().min(1, 'must not be empty'),
    steps: z.array(step).min(1, 'must have at least one step'),
  })
  .superRefine((p, ctx) => {
    p.steps.forEach((s, i) => {
      const previous = p.steps[i - 1];
      if (previous !== undefined && s.offsetDays <= previous.offsetDays) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'offsetDays'],
          message: `must be greater than the previous step's (${previous.offsetDays})`,
        });
      }
      if (p.steps.findIndex((other) => other.id === s.id) !== i) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: 'is used by an earlier step' });
      }
    });
  }) satisfies z.ZodType<Policy>;
