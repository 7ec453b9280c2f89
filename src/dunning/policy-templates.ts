import type { DunningRules } from '../core/rules.js';
import { availableLocales, type TemplateCatalog } from '../templates/index.js';
import type { PolicyCatalog } from '../workflows/load-policies.js';

/** A policy names a template the catalog cannot render. */
export class MissingTemplateError extends Error {
  constructor(readonly problems: string[]) {
    super(`Policies name templates that do not exist:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'MissingTemplateError';
  }
}

/**
 * Checks at start that every email and SMS a policy (or a payment plan) can send has a template
 * for its channel, so a policy dropped into POLICIES_DIR cannot fail at send time.
 */
export function checkPolicyTemplates(policies: PolicyCatalog, catalog: TemplateCatalog, rules: DunningRules): void {
  const problems: string[] = [];
  const need = (templateId: string, channel: 'email' | 'sms', where: string) => {
    if (availableLocales(catalog, templateId, channel).length === 0) {
      problems.push(`${where}: no ${channel} template "${templateId}"`);
    }
  };
  for (const policy of policies.values()) {
    for (const step of policy.steps) {
      for (const action of step.actions) {
        if (action.type === 'email' || action.type === 'sms') {
          need(action.template, action.type, `policy "${policy.id}" step "${step.id}"`);
        }
        if (action.type === 'sms' && action.fallback === 'email') {
          need(action.template, 'email', `policy "${policy.id}" step "${step.id}" (SMS fallback)`);
        }
      }
    }
  }
  need(rules.paymentPlan.upcomingTemplate, 'email', 'payment-plan reminders');
  need(rules.paymentPlan.missedTemplate, 'email', 'payment-plan reminders');
  if (problems.length > 0) throw new MissingTemplateError(problems);
}
