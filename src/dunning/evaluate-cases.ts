import type { DateTime } from 'luxon';
import { decide } from '../core/decide.js';
import { isMessage, type Decision, type PlannedAction } from '../core/decision.js';
import { stepClaimsInterest } from '../core/policy.js';
import type { DunningRules } from '../core/rules.js';
import { loadCaseSnapshots, type CaseSnapshot } from '../db/case-snapshot.repository.js';
import type { PrismaClient } from '../db/client.js';
import type { SqlDatabase } from '../db/sql.js';
import { recordDecisions, type DecisionToRecord, type QueuedContact } from '../db/decisions.repository.js';
import type { Logger } from '../logging/logger.js';
import type { CustomerClaim, InterestSettings } from '../reports/interest.report.js';
import { loadClaims } from '../reports/sources/interest.source.js';
import type { PolicyCatalog } from '../workflows/load-policies.js';
import { composeMessage, type ComposeSettings, type MessageDraft } from './compose-message.js';
import { claimsOfMessage, stepInterest, type StepInterest } from './late-interest.js';

export interface EvaluationDependencies {
  prisma: PrismaClient;
  /** The step's reads and its batch transaction go straight to `pg`. */
  db: SqlDatabase;
  policies: PolicyCatalog;
  rules: DunningRules;
  compose: ComposeSettings;
  /** Late-payment interest for steps with `interest: true`: INTEREST_RULE / INTEREST_ALLOCATION and the base currency. */
  interest: { settings: InterestSettings; baseCurrency: string };
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
  const decided: Array<{ snapshot: CaseSnapshot; decision: Decision }> = [];
  for (const snapshot of await loadCaseSnapshots(deps.db, caseIds, now)) {
    try {
      decided.push({ snapshot, decision: decideCase(deps, snapshot) });
    } catch (error) {
      deps.logger.error({ err: error, caseId: snapshot.caseId }, 'case cannot be decided; fix its data');
    }
  }
  const claims = await claimsForInterestSteps(deps, decided, now);
  const records: DecisionToRecord[] = [];
  for (const { snapshot, decision } of decided) {
    const drafts = new Map<string, MessageDraft>();
    for (const action of decision.actions) {
      if (!isMessage(action)) continue;
      const interest = claimsInterest(deps, action) ? interestOf(snapshot, action, claims, now) : null;
      const draft = composeMessage(snapshot, action, deps.compose, interest);
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

function claimsInterest(deps: Pick<EvaluationDependencies, 'policies'>, action: PlannedAction): boolean {
  return action.type === 'email' && stepClaimsInterest(deps.policies.get(action.policyId), action.stepId);
}

const localDate = (now: DateTime, timeZone: string) => now.setZone(timeZone).toISODate() ?? '';

/**
 * The late-payment claims of the customers an interest step writes to, counted to each customer's
 * local date of `now` (the step's clock): one read per distinct date, usually one per batch.
 */
async function claimsForInterestSteps(
  deps: EvaluationDependencies,
  decided: ReadonlyArray<{ snapshot: CaseSnapshot; decision: Decision }>,
  now: DateTime,
): Promise<Map<string, CustomerClaim[]>> {
  const byDay = new Map<string, string[]>();
  for (const { snapshot, decision } of decided) {
    if (!decision.actions.some((action) => claimsInterest(deps, action))) continue;
    const day = localDate(now, snapshot.input.customer.timeZone);
    const customers = byDay.get(day) ?? [];
    customers.push(snapshot.input.customer.id);
    byDay.set(day, customers);
  }
  const claims = new Map<string, CustomerClaim[]>();
  for (const [asOf, customerIds] of byDay) {
    for (const claim of await loadClaims(deps.db, { asOf, customerIds, ...deps.interest })) {
      const ofCustomer = claims.get(claim.customerId) ?? [];
      ofCustomer.push(claim);
      claims.set(claim.customerId, ofCustomer);
    }
  }
  return claims;
}

function interestOf(
  snapshot: CaseSnapshot,
  action: PlannedAction,
  claims: ReadonlyMap<string, CustomerClaim[]>,
  now: DateTime,
): StepInterest | null {
  const { customer, disputes } = snapshot.input;
  const covered = new Set(action.invoices.map((invoice) => invoice.invoiceId));
  const disputed = new Set(disputes.filter((d) => d.status === 'open').map((d) => d.invoiceId));
  return stepInterest(claimsOfMessage(claims.get(customer.id) ?? [], covered, disputed), localDate(now, customer.timeZone));
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
