import type { DateTime } from 'luxon';
import { decide } from '../core/decide.js';
import type { Decision, PlannedAction } from '../core/decision.js';
import type { DunningRules } from '../core/rules.js';
import { loadCaseSnapshots, type CaseSnapshot } from '../db/case-snapshot.repository.js';
import type { PrismaClient } from '../db/client.js';
import { recordDecision, type QueuedContact } from '../db/decisions.repository.js';
import type { Logger } from '../logging/logger.js';
import type { PolicyCatalog } from '../workflows/load-policies.js';
import { composeMessage, type ComposeSettings, type MessageDraft } from './compose-message.js';

export interface EvaluationDependencies {
  prisma: PrismaClient;
  policies: PolicyCatalog;
  rules: DunningRules;
  compose: ComposeSettings;
  logger: Logger;
}

export interface EvaluationResult {
  /** Cases whose decision was recorded. */
  decided: number;
  /** Cases that changed while being decided; they stay due and the next tick takes them. */
  stale: number;
  /** Contacts written as `queued`, to be handed to delivery jobs. */
  queued: QueuedContact[];
}

/** What the decision core says about one case now, without writing anything (`arrears plan`). */
export function decideCase(deps: Pick<EvaluationDependencies, 'policies' | 'rules'>, snapshot: CaseSnapshot): Decision {
  const policy = deps.policies.get(snapshot.input.customer.policyId);
  if (!policy) {
    throw new Error(
      `customer ${snapshot.input.customer.externalId} is assigned unknown policy "${snapshot.input.customer.policyId}"`,
    );
  }
  return decide(snapshot.input, policy, deps.rules);
}

/**
 * The step: reads the cases, asks the decision core, renders the messages and records
 * everything in one transaction per case. Nothing leaves the building here; the caller enqueues
 * deliveries for the returned contacts.
 */
export async function evaluateCases(
  deps: EvaluationDependencies,
  caseIds: readonly string[],
  now: DateTime,
): Promise<EvaluationResult> {
  const result: EvaluationResult = { decided: 0, stale: 0, queued: [] };
  for (const snapshot of await loadCaseSnapshots(deps.prisma, caseIds, now)) {
    let decision: Decision;
    try {
      decision = decideCase(deps, snapshot);
    } catch (error) {
      deps.logger.error({ err: error, caseId: snapshot.caseId }, 'case cannot be decided; fix its data');
      continue;
    }
    const drafts = new Map<string, MessageDraft>();
    for (const action of decision.actions) {
      if (!isMessage(action)) continue;
      const draft = composeMessage(snapshot, action, deps.compose);
      if (draft) drafts.set(action.idempotencyKey, draft);
    }
    const stage = decision.actions[0]?.stepId ?? null;
    const queued = await recordDecision(deps.prisma, { snapshot, decision, drafts, stage, now });
    if (queued === null) {
      result.stale += 1;
      continue;
    }
    result.decided += 1;
    result.queued.push(...queued);
  }
  return result;
}

function isMessage(action: PlannedAction): action is PlannedAction & { type: 'email' | 'sms' } {
  return action.type === 'email' || action.type === 'sms';
}
