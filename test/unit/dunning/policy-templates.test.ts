import { describe, expect, it } from 'vitest';
import { defaultDunningRules } from '../../../src/core/rules.js';
import { MissingTemplateError, checkPolicyTemplates } from '../../../src/dunning/policy-templates.js';
import { createTemplateCatalog } from '../../../src/templates/index.js';
import { builtInPolicies, parsePolicies } from '../../../src/workflows/load-policies.js';

const catalog = createTemplateCatalog();

describe('checkPolicyTemplates', () => {
  it('accepts the shipped policies with the shipped templates', () => {
    const policies = parsePolicies(builtInPolicies.map((data) => ({ source: 'built-in', data })));
    expect(() => checkPolicyTemplates(policies, catalog, defaultDunningRules)).not.toThrow();
  });

  it('names the policy, step, channel and template a custom policy is missing', () => {
    const policies = parsePolicies([
      {
        source: 'acme.json',
        data: {
          id: 'acme',
          name: 'Acme',
          steps: [
            { id: 'nudge', offsetDays: 2, stage: 1, actions: [{ type: 'email', template: 'default/overdue-1' }] },
            { id: 'text', offsetDays: 9, stage: 2, actions: [{ type: 'sms', template: 'default/overdue-1' }] },
            { id: 'late', offsetDays: 20, stage: 3, actions: [{ type: 'email', template: 'acme/late' }] },
          ],
        },
      },
    ]);
    let error: unknown;
    try {
      checkPolicyTemplates(policies, catalog, defaultDunningRules);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MissingTemplateError);
    expect((error as MissingTemplateError).problems).toEqual([
      'policy "acme" step "text": no sms template "default/overdue-1"',
      'policy "acme" step "late": no email template "acme/late"',
    ]);
  });

  it('refuses a step that claims interest with an email that does not state it', () => {
    const policies = parsePolicies([
      {
        source: 'acme.json',
        data: {
          id: 'acme',
          name: 'Acme',
          steps: [
            { id: 'firm', offsetDays: 30, stage: 1, interest: true, actions: [{ type: 'email', template: 'default/firm-30' }] },
            { id: 'final', offsetDays: 60, stage: 2, interest: true, actions: [{ type: 'email', template: 'default/final-notice-60' }] },
          ],
        },
      },
    ]);
    expect(() => checkPolicyTemplates(policies, catalog, defaultDunningRules)).toThrow(MissingTemplateError);
    try {
      checkPolicyTemplates(policies, catalog, defaultDunningRules);
    } catch (error) {
      expect((error as MissingTemplateError).problems).toEqual(
        ['en', 'ro', 'tr', 'zh-CN'].map(
          (locale) =>
            `policy "acme" step "firm": interest is true but email template "default/firm-30" (${locale}) does not state the claim (include {{> late-interest}})`,
        ),
      );
    }
  });
});
