import { readOutboundMessages, type LedgerHistory, type OutboundMessage } from '../db/conversations.repository.js';
import type { Sql } from '../db/sql.js';
import type { PolicyCatalog } from '../workflows/load-policies.js';

// A customer's conversation as the customer saw it, read back from the contact log, and the
// ledger events that change what the customer owes. The demo prints it; its test checks it.

/** One outbound email or SMS a customer was sent, with what its policy step says about it. */
export interface ConversationMessage extends OutboundMessage {
  /** The step's stage in its policy; null for messages that are not a policy step. */
  stage: number | null;
  /** Which hold the message announces: its step places a credit or a legal hold. */
  holdNotice: 'credit' | 'legal' | null;
}

/** Hold-placing action types of each policy step, by `policy/step`. */
function holdSteps(policies: PolicyCatalog): Map<string, { stage: number; hold: 'credit' | 'legal' | null }> {
  const steps = new Map<string, { stage: number; hold: 'credit' | 'legal' | null }>();
  for (const policy of policies.values()) {
    for (const step of policy.steps) {
      const types = step.actions.map((a) => a.type);
      const hold = types.includes('legal_hold') ? 'legal' : types.includes('credit_hold') ? 'credit' : null;
      steps.set(`${policy.id}/${step.id}`, { stage: step.stage, hold });
    }
  }
  return steps;
}

/**
 * The outbound emails and SMS that reached each customer (all customers, or those given; all
 * messages, or those decided after `since`), in the order they were decided. Internal messages
 * (manager alerts) are not on a customer's log.
 */
export async function readConversations(
  db: Sql,
  policies: PolicyCatalog,
  scope: { customerIds?: readonly string[]; since?: Date } = {},
): Promise<Map<string, ConversationMessage[]>> {
  const steps = holdSteps(policies);
  const conversations = new Map<string, ConversationMessage[]>();
  for (const sent of await readOutboundMessages(db, scope)) {
    const step = sent.policyId && sent.stepId ? steps.get(`${sent.policyId}/${sent.stepId}`) : undefined;
    const message: ConversationMessage = {
      contactId: sent.contactId,
      customerId: sent.customerId,
      at: sent.at,
      channel: sent.channel,
      status: sent.status,
      policyId: sent.policyId,
      stepId: sent.stepId,
      stage: step?.stage ?? null,
      templateId: sent.templateId,
      holdNotice: step?.hold ?? (sent.templateId?.includes('legal-hold') ? 'legal' : null),
      cycle: sent.cycle,
      headline: sent.headline,
      amounts: sent.amounts,
    };
    const list = conversations.get(sent.customerId);
    if (list) list.push(message);
    else conversations.set(sent.customerId, [message]);
  }
  return conversations;
}

/** One customer's conversation. */
export async function readConversation(db: Sql, policies: PolicyCatalog, customerId: string): Promise<ConversationMessage[]> {
  return (await readConversations(db, policies, { customerIds: [customerId] })).get(customerId) ?? [];
}

/** The customer's local calendar date of an instant. */
export function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** What was overdue (due before the customer's local date) at an instant, in minor units of all currencies together. */
export function overdueAt(history: LedgerHistory, at: Date): bigint {
  const today = localDate(at, history.timeZone);
  let total = 0n;
  for (const invoice of history.invoices) {
    if (invoice.dueOn >= today) continue;
    const later = invoice.reductions.filter((r) => r.at.getTime() > at.getTime()).reduce((sum, r) => sum + r.minor, 0n);
    total += invoice.balanceMinor + later;
  }
  return total;
}
