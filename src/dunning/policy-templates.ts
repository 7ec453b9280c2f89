import type { DunningRules } from '../core/rules.js';
import { availableLocales, renderMessage, SAMPLE_INTEREST, sampleContext, type TemplateCatalog } from '../templates/index.js';
import type { PolicyCatalog } from '../workflows/load-policies.js';

/** A policy names a template the catalog cannot render. */
export class MissingTemplateError extends Error {
  constructor(readonly problems: string[]) {
    super(`Policies name templates that do not exist or do not fit:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'MissingTemplateError';
  }
}

/**
 * Checks at start that every email and SMS a policy (or a payment plan) can send has a template
 * for its channel, so a policy dropped into POLICIES_DIR cannot fail at send time; and that a step
 * with `interest: true` has an email that states the claim in every locale (it renders the
 * `late-interest` partial), so a claim is never recorded for a letter that does not make it.
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
        if (action.type === 'email' && step.interest === true) {
          for (const locale of availableLocales(catalog, action.template, 'email')) {
            if (!statesInterest(catalog, action.template, locale)) {
              problems.push(
                `policy "${policy.id}" step "${step.id}": interest is true but email template "${action.template}" (${locale}) does not state the claim (include {{> late-interest}})`,
              );
            }
          }
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

function statesInterest(catalog: TemplateCatalog, templateId: string, locale: string): boolean {
  const context = { ...sampleContext(templateId, { locale }), interest: SAMPLE_INTEREST };
  const email = renderMessage(catalog, { templateId, channel: 'email', locale, context });
  const claim = SAMPLE_INTEREST.claims[0]!.number;
  return [email.text, email.html].every((part) => part.includes(claim) && part.includes(SAMPLE_INTEREST.legalBasis ?? ''));
}
