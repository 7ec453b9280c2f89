import type { LedgerHistory } from '../db/conversations.repository.js';
import { overdueAt, type ConversationMessage } from './conversation.js';

// What a customer's conversation must never show (issue 14, "one conversation per customer"),
// checked on the contact log as the customer received it.

export type ProblemKind = 'step-back' | 'repeated-hold-notice' | 'after-legal-hold';

export interface ConversationProblem {
  kind: ProblemKind;
  customerId: string;
  /** The offending message and, for a step back or a repeat, the earlier one it contradicts. */
  message: ConversationMessage;
  earlier: ConversationMessage | null;
}

const changedBetween = (history: LedgerHistory, from: Date, to: Date) =>
  history.changes.some((at) => at.getTime() > from.getTime() && at.getTime() <= to.getTime());

/** Did the overdue balance reach zero at some change between the two instants? */
function overdueClearedBetween(history: LedgerHistory, from: Date, to: Date): boolean {
  return history.changes.some((at) => at.getTime() > from.getTime() && at.getTime() <= to.getTime() && overdueAt(history, at) === 0n);
}

/**
 * The problems of one customer's conversation:
 * - **step-back**: a policy message of a lower stage after one of a higher stage, with nothing
 *   that changed what is owed (payment, credit, dispute, write-off, plan) in between;
 * - **repeated-hold-notice**: a credit- or legal-hold notice a second time in one dunning cycle
 *   (the engine's recorded cycle when it records one; otherwise: unless the overdue balance went
 *   to zero in between);
 * - **after-legal-hold**: anything sent while a legal hold stood, other than the hold's own notice.
 */
export function conversationProblems(messages: readonly ConversationMessage[], history: LedgerHistory): ConversationProblem[] {
  const problems: ConversationProblem[] = [];
  const staged = messages.filter((m) => m.stage !== null);
  for (let i = 0; i < staged.length; i += 1) {
    const message = staged[i]!;
    const higher = staged
      .slice(0, i)
      .filter((e) => e.stage! > message.stage! && e.policyId === message.policyId && !changedBetween(history, e.at, message.at))
      .at(-1);
    if (higher) problems.push({ kind: 'step-back', customerId: message.customerId, message, earlier: higher });
  }

  for (const kind of ['credit', 'legal'] as const) {
    // Email and SMS of one decision are one notice.
    const notices = messages.filter((m) => m.holdNotice === kind);
    for (let i = 1; i < notices.length; i += 1) {
      const message = notices[i]!;
      const earlier = notices
        .slice(0, i)
        .filter((e) => e.at.getTime() !== message.at.getTime() || e.channel === message.channel)
        .at(-1);
      if (!earlier) continue;
      const sameCycle =
        earlier.cycle !== null && message.cycle !== null
          ? earlier.cycle === message.cycle
          : !overdueClearedBetween(history, earlier.at, message.at);
      if (sameCycle) problems.push({ kind: 'repeated-hold-notice', customerId: message.customerId, message, earlier });
    }
  }

  for (const hold of history.legalHolds) {
    for (const message of messages) {
      const t = message.at.getTime();
      const during = t > hold.placedAt.getTime() && (hold.releasedAt === null || t < hold.releasedAt.getTime());
      const ownNotice = message.holdNotice === 'legal' && t - hold.placedAt.getTime() < 60_000;
      if (during && !ownNotice) problems.push({ kind: 'after-legal-hold', customerId: message.customerId, message, earlier: null });
    }
  }
  return problems;
}

/** Problems of every customer, counted by kind (and the customers they concern). */
export function countProblems(problems: readonly ConversationProblem[]): Record<ProblemKind, { count: number; customers: number }> {
  const counts = {} as Record<ProblemKind, { count: number; customers: number }>;
  for (const kind of ['step-back', 'repeated-hold-notice', 'after-legal-hold'] as const) {
    const ofKind = problems.filter((p) => p.kind === kind);
    counts[kind] = { count: ofKind.length, customers: new Set(ofKind.map((p) => p.customerId)).size };
  }
  return counts;
}
