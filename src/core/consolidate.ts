import type { Candidate, Held } from './candidate.js';
import type { ActionSubject, CoveredInvoice, SkippedAction } from './decision.js';
import type { ActionType } from './policy.js';

/** Candidates merged into one action. */
export interface Consolidated extends ActionSubject {
  promiseId: string | null;
}

const TYPE_ORDER: readonly ActionType[] = ['email', 'sms', 'call_task', 'credit_hold', 'legal_hold', 'manager_alert'];

function outranks(a: Candidate, b: Candidate): boolean {
  return a.stage !== b.stage ? a.stage > b.stage : a.offsetDays > b.offsetDays;
}

function byInvoice(a: CoveredInvoice, b: CoveredInvoice): number {
  return a.invoiceId.localeCompare(b.invoiceId) || (a.instalmentId ?? '').localeCompare(b.instalmentId ?? '');
}

function merge(members: readonly Candidate[]): Consolidated {
  let winner = members[0] as Candidate;
  for (const member of members) if (outranks(member, winner)) winner = member;
  const invoices = members.flatMap((m) => (m.invoice === null ? [] : [m.invoice])).sort(byInvoice);
  return {
    type: winner.type,
    policyId: winner.policyId,
    stepId: winner.stepId,
    template: winner.template,
    alertKind: winner.alertKind,
    invoices,
    promiseId: winner.promiseId,
    // A ladder step merged with a plan reminder still fires in its cycle.
    cycle: members.reduce<number | null>((cycle, m) => (m.cycle !== null && (cycle === null || m.cycle > cycle) ? m.cycle : cycle), null),
  };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups.values()];
}

function typeRank(subject: { type: ActionType }): number {
  return TYPE_ORDER.indexOf(subject.type);
}

/**
 * One action per channel (and per alert kind or promise): a customer gets one notice per
 * channel, listing every invoice due for contact, in the template of the highest stage.
 */
export function consolidate(candidates: readonly Candidate[]): Consolidated[] {
  return groupBy(candidates, (c) => `${c.type}|${c.alertKind ?? ''}|${c.promiseId ?? ''}`)
    .map(merge)
    .sort((a, b) => typeRank(a) - typeRank(b));
}

/** Held candidates as skipped actions, one per type, step and reason, in the order they arose. */
export function summarizeHeld(held: readonly Held[]): SkippedAction[] {
  return groupBy(held, (h) => [h.reason, h.candidate.type, h.candidate.alertKind, h.candidate.stepId, h.detail].join('|')).map((group) => {
    const { promiseId: _promiseId, ...subject } = merge(group.map((h) => h.candidate));
    const first = group[0] as Held;
    return { ...subject, reason: first.reason, detail: first.detail };
  });
}
