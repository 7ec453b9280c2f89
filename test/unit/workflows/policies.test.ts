import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtInPolicies, loadPolicies, parsePolicies, policyFor } from '../../../src/workflows/load-policies.js';
import { PolicyValidationError } from '../../../src/workflows/policy-errors.js';

const stepsOf = (id: string) =>
  builtInPolicies
    .find((p) => p.id === id)!
    .steps.map((s) => `${s.offsetDays} ${s.id}: ${s.actions.map((a) => ('kind' in a ? `${a.type}(${a.kind})` : a.type)).join('+')}`);

describe('shipped policies', () => {
  it('default', () => {
    expect(stepsOf('default')).toEqual([
      '-3 courtesy: email',
      '1 overdue-1: email',
      '7 overdue-7: email+sms',
      '14 overdue-14: email+call_task',
      '30 firm-30: email+sms',
      '45 credit-hold-45: credit_hold+email',
      '60 final-notice-60: email+sms',
      '90 legal-hold-90: legal_hold+manager_alert(legal_hold)+email',
    ]);
  });

  it('key-account', () => {
    expect(stepsOf('key-account')).toEqual([
      '-7 courtesy: email',
      '3 overdue-3: email',
      '15 overdue-15: email+call_task',
      '30 overdue-30: email+call_task',
      '60 overdue-60: email+manager_alert(balance_threshold)',
      '90 final-notice-90: email+call_task',
      '120 legal-hold-120: legal_hold+manager_alert(legal_hold)',
    ]);
  });

  it('claim late-payment interest from the final notice on', () => {
    const claiming = builtInPolicies.flatMap((p) => p.steps.filter((s) => s.interest === true).map((s) => `${p.id}/${s.id}`));
    expect(claiming).toEqual(['default/final-notice-60', 'default/legal-hold-90', 'key-account/final-notice-90']);
  });

  it('use template ids <policy>/<step> and rising stages', async () => {
    const catalog = await loadPolicies();
    expect([...catalog.keys()]).toEqual(['default', 'key-account']);
    for (const policy of catalog.values()) {
      const stages = policy.steps.map((s) => s.stage);
      expect(stages).toEqual([...stages].sort((a, b) => a - b));
      for (const step of policy.steps) {
        for (const action of step.actions) {
          if ('template' in action) expect(action.template).toBe(`${policy.id}/${step.id}`);
        }
      }
    }
  });
});

type Mutation = (policy: any) => void;

describe('validation names the policy, the step and the field', () => {
  const base = () => structuredClone(builtInPolicies[0]) as any;

  it.each<[string, Mutation, string]>([
    [
      'missing template',
      (p) => delete p.steps[2].actions[1].template,
      'policy "default" step "overdue-7": actions[1].template is required',
    ],
    [
      'empty template',
      (p) => (p.steps[0].actions[0].template = ''),
      'policy "default" step "courtesy": actions[0].template must not be empty',
    ],
    [
      'unknown action type',
      (p) => (p.steps[1].actions[0] = { type: 'fax' }),
      'policy "default" step "overdue-1": actions[0].type must be one of email, sms, call_task, credit_hold, legal_hold, manager_alert',
    ],
    [
      'unknown alert kind',
      (p) => (p.steps[7].actions[1].kind = 'panic'),
      'policy "default" step "legal-hold-90": actions[1].kind must be one of legal_hold, balance_threshold, broken_promise, credit_limit_crossed, channels_failing',
    ],
    ['fractional offset', (p) => (p.steps[3].offsetDays = 14.5), 'policy "default" step "overdue-14": offsetDays must be a whole number'],
    ['offset as text', (p) => (p.steps[3].offsetDays = '14'), 'policy "default" step "overdue-14": offsetDays must be a number'],
    [
      'offsets out of order',
      (p) => (p.steps[2].offsetDays = 1),
      'policy "default" step "overdue-7": offsetDays must be greater than the previous step\'s (1)',
    ],
    ['duplicate step id', (p) => (p.steps[2].id = 'overdue-1'), 'policy "default" step "overdue-1": id is used by an earlier step'],
    ['negative stage', (p) => (p.steps[4].stage = -1), 'policy "default" step "firm-30": stage must be 0 or more'],
    ['no actions', (p) => (p.steps[4].actions = []), 'policy "default" step "firm-30": actions must have at least one action'],
    [
      'an action twice',
      (p) => p.steps[0].actions.push({ type: 'email', template: 'x' }),
      'policy "default" step "courtesy": actions[1].type "email" appears twice in the step',
    ],
    ['unknown field', (p) => (p.steps[0].actions[0].cc = 'x'), 'policy "default" step "courtesy": actions[0] has unknown field cc'],
    ['step without id', (p) => delete p.steps[5].id, 'policy "default" step #6: id is required'],
    ['missing name', (p) => delete p.name, 'policy "default": name is required'],
    ['no steps', (p) => (p.steps = []), 'policy "default": steps must have at least one step'],
    ['missing id', (p) => delete p.id, 'policy in test.json: id is required'],
    ['interest as text', (p) => (p.steps[6].interest = 'yes'), 'policy "default" step "final-notice-60": interest must be a boolean'],
    [
      'interest on a step that sends no email',
      (p) => (p.steps[7].actions = [{ type: 'legal_hold' }]),
      'policy "default" step "legal-hold-90": interest is true but the step sends no email: the late-payment claim is stated in an email action',
    ],
  ])('%s', (_name, mutate, message) => {
    const data = base();
    mutate(data);
    expect(() => parsePolicies([{ source: 'test.json', data }])).toThrow(PolicyValidationError);
    try {
      parsePolicies([{ source: 'test.json', data }]);
    } catch (error) {
      expect((error as PolicyValidationError).problems).toEqual([message]);
    }
  });

  it('reports every problem of every policy at once', () => {
    const a = base();
    delete a.steps[0].actions[0].template;
    const b = { ...base(), id: 'other', name: '' };
    expect(() =>
      parsePolicies([
        { source: 'a', data: a },
        { source: 'b', data: b },
      ]),
    ).toThrow(
      'invalid dunning policies:\n  policy "default" step "courtesy": actions[0].template is required\n  policy "other": name must not be empty',
    );
  });
});

describe('policies dropped into the configured folder', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'arrears-policies-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const gentle = {
    id: 'gentle',
    name: 'Gentle',
    steps: [{ id: 'nudge', offsetDays: 5, stage: 0, actions: [{ type: 'sms', template: 'gentle/nudge', fallback: 'email' }] }],
  };

  it('are loaded next to the built-in ones', async () => {
    await writeFile(join(dir, 'gentle.json'), JSON.stringify(gentle));
    await writeFile(join(dir, 'notes.txt'), 'not a policy');
    const catalog = await loadPolicies(dir);
    expect([...catalog.keys()]).toEqual(['default', 'key-account', 'gentle']);
    expect(policyFor(catalog, 'gentle').steps[0]?.actions[0]).toEqual({ type: 'sms', template: 'gentle/nudge', fallback: 'email' });
  });

  it.each([
    [
      'an invalid policy',
      JSON.stringify({ ...gentle, steps: [{ ...gentle.steps[0], offsetDays: 'soon' }] }),
      'policy "gentle" step "nudge": offsetDays must be a number',
    ],
    [
      'a duplicate id',
      JSON.stringify({ ...gentle, id: 'default' }),
      'policy "default" in DIR/bad.json: id is already used by built-in policies',
    ],
    ['invalid JSON', '{ "id": ', 'policy file DIR/bad.json: invalid JSON'],
  ])('reject %s', async (_name, text, message) => {
    await writeFile(join(dir, 'bad.json'), text);
    await expect(loadPolicies(dir)).rejects.toThrow(message.replace('DIR', dir));
  });

  it('an unknown policy id is an error naming the known ones', async () => {
    const catalog = await loadPolicies();
    expect(() => policyFor(catalog, 'vip')).toThrow('unknown dunning policy "vip" (known: default, key-account)');
  });
});
