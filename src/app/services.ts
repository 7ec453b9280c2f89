import { createEmailTransport } from '../channels/email/create-email-transport.js';
import { createSmsTransport } from '../channels/sms/create-sms-transport.js';
import { createContactOutbox } from '../db/contacts.repository.js';
import type { DeliveryDependencies } from '../dunning/deliver-contact.js';
import type { EvaluationDependencies } from '../dunning/evaluate-cases.js';
import { checkPolicyTemplates } from '../dunning/policy-templates.js';
import { resolveUnsubscribeSecret, unsubscribeUrlBuilder } from '../dunning/unsubscribe-token.js';
import { createTemplateCatalog, validateCatalog } from '../templates/index.js';
import { loadPolicies } from '../workflows/load-policies.js';
import { loadDunningRules } from '../workflows/load-rules.js';
import type { Runtime } from './runtime.js';

/** The dunning services of a process: deciding cases, and delivering what was decided. */
export interface DunningServices {
  evaluation: EvaluationDependencies;
  delivery: DeliveryDependencies;
}

/**
 * The composition root's second half: policies and templates (validated: a bad policy or
 * template stops the process here, naming the file), then the transports chosen by config.
 */
export async function buildDunningServices(runtime: Runtime): Promise<DunningServices> {
  const { config, prisma, logger, lifecycle } = runtime;
  const policies = await loadPolicies(config.policiesDir);
  const catalog = createTemplateCatalog(config.templatesDir ? { overrideDir: config.templatesDir } : {});
  validateCatalog(catalog, { smsSegmentLimit: config.sms.segmentLimit, company: config.company });
  const rules = await loadDunningRules(config.rulesFile);
  checkPolicyTemplates(policies, catalog, rules);

  const email = lifecycle.adopt('email transport', createEmailTransport(config.email.transport), (t) => t.close());
  const sms = lifecycle.adopt('sms transport', createSmsTransport(config.sms.transport), (t) => t.close());
  const company = config.company;
  const { publicBaseUrl } = config.http;
  const unsubscribeUrl = unsubscribeUrlBuilder(
    publicBaseUrl,
    publicBaseUrl ? await resolveUnsubscribeSecret(config.http.unsubscribeSecret, config.dataDir) : null,
  );
  return {
    evaluation: {
      prisma,
      db: runtime.db,
      policies,
      rules,
      compose: { catalog, company, unsubscribeUrl },
      logger: logger.child({ component: 'step' }),
    },
    delivery: {
      prisma,
      outbox: createContactOutbox(runtime.db),
      email,
      sms,
      emailFrom: config.email.from,
      unsubscribeMailto: `mailto:${config.company.supportEmail}?subject=unsubscribe`,
      unsubscribeUrl,
      smsStatusCallbackUrl: publicBaseUrl ? `${publicBaseUrl}/webhooks/twilio/status` : null,
      staleSendingMs: config.queue.staleSendingMs,
      clock: () => new Date(),
      logger: logger.child({ component: 'delivery' }),
    },
  };
}
