import type { AlertDeliveryDependencies } from '../alerts/deliver-alert.js';
import type { Config } from '../config/config.js';
import { dateOf, type Clock } from '../core/clock.js';
import type { PrismaClient } from '../db/client.js';
import type { DeliveryDependencies } from '../dunning/deliver-contact.js';
import type { EvaluationDependencies } from '../dunning/evaluate-cases.js';
import type { Logger } from '../logging/logger.js';
import type { CaseDependencies, CaseEffects } from './case-action.js';
import type { CreditHoldEventDependencies } from './credit-hold.service.js';
import type { SweepSettings } from './sweep.js';

/** Everything the case lifecycle needs in a process: case actions, alert and ERP deliveries, the sweep. */
export interface CaseServices {
  cases: CaseDependencies;
  alertDelivery: AlertDeliveryDependencies;
  creditHoldEvents: CreditHoldEventDependencies;
  sweep: SweepSettings;
  digestCron: string;
  digestZone: string;
}

/** What the case services are made of; the composition root's runtime is one. */
export interface CaseServiceParts {
  config: Pick<Config, 'email' | 'company' | 'alerts' | 'creditHold' | 'queue' | 'cases'>;
  prisma: PrismaClient;
  logger: Logger;
  clock: Clock;
}

/** The dunning services the case lifecycle shares: message rendering, the rules, the email transport. */
export interface SharedDunningServices {
  evaluation: Pick<EvaluationDependencies, 'compose' | 'rules' | 'policies' | 'interest'>;
  delivery: Pick<DeliveryDependencies, 'email'>;
}

/**
 * The case services, from parts the composition root (`src/app`) built; `effects` says how work
 * leaves the transaction (jobs on the process's queues).
 */
export function buildCaseServices(parts: CaseServiceParts, services: SharedDunningServices, effects: CaseEffects): CaseServices {
  const { config, prisma, logger } = parts;
  const clock = dateOf(parts.clock);
  return {
    cases: {
      prisma,
      clock,
      effects,
      compose: services.evaluation.compose,
      policies: services.evaluation.policies,
      interest: services.evaluation.interest,
      rules: services.evaluation.rules,
      promiseGraceDays: services.evaluation.rules.promiseGraceDays,
      promiseMaxDays: config.cases.promiseMaxDays,
      logger: logger.child({ component: 'cases' }),
    },
    alertDelivery: {
      prisma,
      email: services.delivery.email,
      emailFrom: config.email.from,
      catalog: services.evaluation.compose.catalog,
      company: config.company,
      managerEmails: config.alerts.managerEmails,
      webhook: config.alerts.webhook,
      clock,
      logger: logger.child({ component: 'alerts' }),
    },
    creditHoldEvents: {
      prisma,
      email: services.delivery.email,
      emailFrom: config.email.from,
      webhook: config.creditHold.webhook,
      companyName: config.company.name,
      clock,
      logger: logger.child({ component: 'credit-hold-events' }),
    },
    sweep: { reRaiseHours: config.alerts.reRaiseHours, balanceThresholds: config.alerts.balanceThresholds },
    digestCron: config.alerts.digestCron,
    digestZone: config.queue.tickTimeZone,
  };
}
