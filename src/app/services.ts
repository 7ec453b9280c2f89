import { buildCaseServices, type CaseServices } from '../cases/case-services.js';
import { createEmailTransport } from '../channels/email/create-email-transport.js';
import { createSmsTransport } from '../channels/sms/create-sms-transport.js';
import { dateOf } from '../core/clock.js';
import { findDueCaseIds } from '../db/cases.repository.js';
import { createContactOutbox, findUndelivered } from '../db/contacts.repository.js';
import type { DeliveryDependencies } from '../dunning/deliver-contact.js';
import type { EvaluationDependencies } from '../dunning/evaluate-cases.js';
import { checkPolicyTemplates } from '../dunning/policy-templates.js';
import type { StatementDependencies } from '../dunning/send-statements.js';
import { resolveUnsubscribeSecret, unsubscribeUrlBuilder } from '../dunning/unsubscribe-token.js';
import { queueCaseEffects } from '../jobs/alert.job.js';
import { Queues } from '../jobs/queues.js';
import type { TickReads } from '../jobs/workers.js';
import { createTemplateCatalog, validateCatalog } from '../templates/index.js';
import { loadPolicies } from '../workflows/load-policies.js';
import { loadDunningRules } from '../workflows/load-rules.js';
import type { ReplyDependencies } from '../replies/receive.js';
import type { Runtime } from './runtime.js';

/** The dunning services of a process: deciding cases, statements, delivering, and the tick's reads. */
export interface DunningServices {
  evaluation: EvaluationDependencies;
  statements: StatementDependencies;
  delivery: DeliveryDependencies;
  tick: TickReads;
}

/**
 * The composition root's second stage: policies and templates (validated: a bad policy or
 * template stops the process here, naming the file), the transports chosen by config, and the
 * repositories each service reads through, bound to the runtime's clients and clock.
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
  const { staleSendingMs } = config.queue;
  return {
    evaluation: {
      prisma,
      db: runtime.db,
      policies,
      rules,
      compose: { catalog, company, unsubscribeUrl },
      interest: { settings: config.interest, baseCurrency: config.baseCurrency },
      logger: logger.child({ component: 'step' }),
    },
    statements: { prisma, catalog, company, rules, unsubscribeUrl },
    delivery: {
      prisma,
      outbox: createContactOutbox(runtime.db),
      email,
      sms,
      emailFrom: config.email.from,
      emailReplyTo: config.email.replyTo,
      unsubscribeMailto: `mailto:${config.company.supportEmail}?subject=unsubscribe`,
      unsubscribeUrl,
      smsStatusCallbackUrl: publicBaseUrl ? `${publicBaseUrl}/webhooks/twilio/status` : null,
      staleSendingMs,
      clock: dateOf(runtime.clock),
      logger: logger.child({ component: 'delivery' }),
    },
    tick: {
      findDueCaseIds: (now, limit) => findDueCaseIds(prisma, now, limit),
      findUndelivered: (now) => findUndelivered(prisma, now, staleSendingMs, config.worker.tickMaxRedeliveries),
    },
  };
}

/** The queues of a process, closed with its runtime. */
export function openQueues(runtime: Runtime): Queues {
  return new Queues(runtime.redis, runtime.lifecycle, (error) => runtime.logger.warn({ err: error }, 'queue connection error'));
}

/**
 * The case services of a process, handing their follow-up work (deliveries, alerts, ERP events)
 * to `queues` as jobs.
 */
export function caseServicesOn(runtime: Runtime, dunning: DunningServices, queues: Queues): CaseServices {
  return buildCaseServices(runtime, dunning, queueCaseEffects(queues));
}

/**
 * The case services of a process that performs case actions but runs no workers (the CLI,
 * `arrears serve`): the dunning services (templates for the promise confirmation, transports),
 * and queues that jobs are handed to; a running worker does them.
 */
export async function openCaseServices(runtime: Runtime): Promise<CaseServices> {
  return caseServicesOn(runtime, await buildDunningServices(runtime), openQueues(runtime));
}

/** What the reply path (IMAP poller, inbound HTTP endpoint, `arrears inbound email`, SMS replies) needs. */
export async function replyDependencies(runtime: Runtime): Promise<ReplyDependencies> {
  const { config } = runtime;
  return {
    prisma: runtime.prisma,
    clock: dateOf(runtime.clock),
    rules: await loadDunningRules(config.rulesFile),
    limits: config.replies,
    timeZone: config.queue.tickTimeZone,
    logger: runtime.logger.child({ component: 'replies' }),
  };
}
