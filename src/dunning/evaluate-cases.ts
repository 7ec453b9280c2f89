import type { DateTime } from 'luxon';
import { decide } from '../core/decide.js';
import { isMessage, type Decision } from '../core/decision.js';
import type { DunningRules } from '../core/rules.js';
import { loadCaseSnapshots, type CaseSnapshot } from '../db/case-snapshot.repository.js';
import type { PrismaClient } from '../db/client.js';
import type { SqlDatabase } from '../db/sql.js';
import { recordDecisions, type DecisionToRecord, type QueuedContact } from '../db/decisions.repository.js';
import type { Logger } from '../logging/logger.js';
import type { PolicyCatalog } from '../workflows/load-policies.js';
import { composeMessage, type ComposeSettings, type MessageDraft } from './compose-message.js';

export interface EvaluationDependencies {
  prisma: PrismaClient;
  /** The step's reads and its batch transaction go straight to `pg`. */
  db: SqlDatabase;
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
    throw new Error(`customer ${snapshot.input.customer.externalId} is assigned unknown policy "${snapshot.input.customer.policyId}"`);
  }
  return decide(snapshot.input, policy, deps.rules);
}

/**
 * The step: reads the cases, asks the decision core, renders the messages and records the whole
 * batch in one transaction. Nothing leaves the building here; the caller enqueues deliveries for
 * the returned contacts.
 */
export async function evaluateCases(deps: EvaluationDependencies, caseIds: readonly string[], now: DateTime): Promise<EvaluationResult> {
  const records: DecisionToRecord[] = [];
  for (const snapshot of await loadCaseSnapshots(deps.db, caseIds, now)) {
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
    records.push({ snapshot, decision, drafts, now });
  }
  const outcomes = await recordBatchOrEach(deps, records);
  const result: EvaluationResult = { decided: 0, stale: 0, queued: [] };
  for (const queued of outcomes) {
    if (queued === null) result.stale += 1;
    else {
      result.decided += 1;
      result.queued.push(...queued);
    }
  }
  return result;
}

/**
 * One transaction for the batch; if it fails, each case in its own, so a case whose effects the
 * database refuses holds back only itself (it stays due and is logged) and not its neighbours.
 */
async function recordBatchOrEach(
  deps: EvaluationDependencies,
  records: readonly DecisionToRecord[],
): Promise<Array<QueuedContact[] | null>> {
  try {
    return await recordDecisions(deps.db, records);
  } catch (error) {
    if (records.length === 1) throw error;
    deps.logger.warn({ err: error, cases: records.length }, 'batch could not be recorded; recording case by case');
  }
  const outcomes: Array<QueuedContact[] | null> = [];
  let lastError: Error | null = null;
  for (const record of records) {
    try {
      outcomes.push((await recordDecisions(deps.db, [record]))[0]!);
    } catch (error) {
      lastError = error instanceof Error ? error : new Error(String(error));
      deps.logger.error({ err: error, caseId: record.snapshot.caseId }, 'decision could not be recorded; the case stays due');
      outcomes.push(null);
    }
  }
  // Nothing recorded at all looks like the database, not the data: let the job retry.
  if (lastError && outcomes.every((outcome) => outcome === null)) throw lastError;
  return outcomes;
}
