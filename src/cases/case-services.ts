import type { Runtime } from '../app/runtime.js';
import type { DunningServices } from '../app/services.js';
import type { AlertDeliveryDependencies } from '../alerts/deliver-alert.js';
import type { CaseDependencies, CaseEffects } from './case-action.js';
import type { CreditHoldEventDependencies } from './credit-hold.service.js';
import type { SweepSettings } from './sweep.js';

/** Everything the case lifecycle needs in a process, built from the runtime and the dunning services. */
export interface CaseServices {
  cases: CaseDependencies;
  alertDelivery: AlertDeliveryDependencies;
  creditHoldEvents: CreditHoldEventDependencies;
  sweep: SweepSettings;
  digestCron: string;
  digestZone: string;
}

export function buildCaseServices(runtime: Runtime, services: DunningServices, effects: CaseEffects): CaseServices {
  const { config, prisma, logger } = runtime;
  const clock = () => new Date();
  return {
    cases: {
      prisma,
      clock,
      effects,
      compose: services.evaluation.compose,
      promiseGraceDays: services.evaluation.rules.promiseGraceDays,
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
