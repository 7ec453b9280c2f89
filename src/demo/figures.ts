import type { DateTime } from 'luxon';
import type { PrismaClient } from '../db/client.js';
import { readLedgerHistories } from '../db/conversations.repository.js';
import { countCustomersOnHold, findCustomersWithPromisesAndDisputes, listCustomers } from '../db/demo.repository.js';
import type { Sql } from '../db/sql.js';
import { loadAgingReport, loadDsoReport } from '../reports/sources/reports.source.js';
import { parsePeriodLength } from '../reports/periods.js';
import type { PolicyCatalog } from '../workflows/load-policies.js';
import { conversationProblems, countProblems, type ConversationProblem, type ProblemKind } from './conversation-checks.js';
import { readConversations, type ConversationMessage } from './conversation.js';

/** Mean and most of something per customer per 30 days. */
export interface Per30Days {
  /** Over every customer of the ledger. */
  mean: number;
  /** Over the customers that received at least one. */
  meanContacted: number;
  /** The most one customer received in any 30 consecutive days. */
  max: number;
}

/** What the demo's closing figures say about the ledger it leaves. */
export interface DemoFigures {
  customers: number;
  emails: { reminders: Per30Days; all: Per30Days };
  sms: Per30Days;
  /** Balance per aging bucket per currency at the end, with each bucket's share of the currency's balance. */
  aging: Array<{ currency: string; totalMinor: number; buckets: Array<{ bucket: string; minor: number; share: number }> }>;
  /** Customers with a balance, by the bucket of their oldest open invoice (currencies are not summed, customers are counted). */
  customersByOldestBucket: Array<{ bucket: string; customers: number }>;
  dso: Array<{ currency: string; dso: number | null; bestPossibleDso: number | null; percentCurrent: number | null }>;
  legalHoldsOpen: number;
  creditHoldsOpen: number;
  problems: Record<ProblemKind, { count: number; customers: number }>;
  /** The first few problems found, with the customer's external id. */
  problemExamples: Array<ConversationProblem & { externalId: string }>;
  /** Two or three customers' conversations as they received them, with why each was chosen. */
  conversations: Array<{ externalId: string; name: string; timeZone: string; why: string; messages: ConversationMessage[] }>;
}

function per30Days(perCustomer: ReadonlyMap<string, Date[]>, customers: number, days: number): Per30Days {
  const window = 30 * 86_400_000;
  let total = 0;
  let max = 0;
  for (const times of perCustomer.values()) {
    total += times.length;
    let from = 0;
    for (let to = 0; to < times.length; to += 1) {
      while (times[to]!.getTime() - times[from]!.getTime() >= window) from += 1;
      max = Math.max(max, to - from + 1);
    }
  }
  const months = days / 30;
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    mean: round(total / Math.max(1, customers) / months),
    meanContacted: round(total / Math.max(1, perCustomer.size) / months),
    max,
  };
}

function timesOf(
  conversations: ReadonlyMap<string, ConversationMessage[]>,
  keep: (m: ConversationMessage) => boolean,
): Map<string, Date[]> {
  const out = new Map<string, Date[]>();
  for (const [customer, messages] of conversations) {
    const times = messages.filter(keep).map((m) => m.at);
    if (times.length > 0) out.set(customer, times);
  }
  return out;
}

/** The closing figures, read from the database the demo leaves (the same reads a test can make). */
export async function demoFigures(
  prisma: PrismaClient,
  sql: Sql,
  policies: PolicyCatalog,
  options: { end: DateTime; days: number },
): Promise<DemoFigures> {
  const asOf = options.end.toUTC().toISODate()!;
  const customers = await listCustomers(sql);
  const conversations = await readConversations(sql, policies);
  const histories = await readLedgerHistories(sql);
  const problems = [...conversations].flatMap(([customerId, messages]) => {
    const history = histories.get(customerId);
    return history ? conversationProblems(messages, history) : [];
  });

  const aging = await loadAgingReport(prisma, { asOf });
  const dso = await loadDsoReport(prisma, { asOf, period: parsePeriodLength('90d') });
  const rank = new Map(aging.buckets.map((b, i) => [b, i]));
  const oldest = new Map<string, number>();
  for (const row of aging.customers) {
    const worst = Math.max(...aging.buckets.filter((b) => (row.buckets[b] ?? 0) > 0).map((b) => rank.get(b)!));
    if (Number.isFinite(worst)) oldest.set(row.customer.id, Math.max(oldest.get(row.customer.id) ?? 0, worst));
  }
  const onHold = await countCustomersOnHold(sql);

  return {
    customers: customers.length,
    emails: {
      reminders: per30Days(
        timesOf(conversations, (m) => m.channel === 'email' && m.stage !== null),
        customers.length,
        options.days,
      ),
      all: per30Days(
        timesOf(conversations, (m) => m.channel === 'email'),
        customers.length,
        options.days,
      ),
    },
    sms: per30Days(
      timesOf(conversations, (m) => m.channel === 'sms'),
      customers.length,
      options.days,
    ),
    aging: aging.currencies.map((c) => ({
      currency: c.currency,
      totalMinor: c.totalMinor,
      buckets: aging.buckets.map((bucket) => ({
        bucket,
        minor: c.buckets[bucket] ?? 0,
        share: c.totalMinor > 0 ? (c.buckets[bucket] ?? 0) / c.totalMinor : 0,
      })),
    })),
    customersByOldestBucket: aging.buckets.map((bucket, i) => ({ bucket, customers: [...oldest.values()].filter((w) => w === i).length })),
    dso: dso.currencies.map((d) => ({
      currency: d.currency,
      dso: d.dso,
      bestPossibleDso: d.bestPossibleDso,
      percentCurrent: d.percentCurrent,
    })),
    legalHoldsOpen: onHold.legal,
    creditHoldsOpen: onHold.credit,
    problems: countProblems(problems),
    problemExamples: problems
      .slice(0, 5)
      .map((p) => ({ ...p, externalId: customers.find((c) => c.id === p.customerId)?.externalId ?? p.customerId })),
    conversations: await pickConversations(sql, customers, conversations),
  };
}

/**
 * Two or three telling conversations: a customer that kept or broke a promise, one that
 * disputed an invoice, one that reached a credit hold — the first of each by external id.
 */
async function pickConversations(
  sql: Sql,
  customers: ReadonlyArray<{ id: string; externalId: string; name: string; timeZone: string }>,
  conversations: ReadonlyMap<string, ConversationMessage[]>,
): Promise<DemoFigures['conversations']> {
  const { promised, disputed } = await findCustomersWithPromisesAndDisputes(sql);
  const stories: Array<[string, (id: string, messages: ConversationMessage[]) => boolean]> = [
    [
      'paid after reminders',
      (id, m) => !promised.has(id) && !disputed.has(id) && m.filter((x) => (x.stage ?? 0) >= 1).length >= 2 && !m.some((x) => x.holdNotice),
    ],
    ['promised to pay on a call', (id, m) => promised.has(id) && m.length >= 3],
    ['reached a credit hold', (_id, m) => m.some((x) => x.holdNotice === 'credit')],
    ['disputed an invoice', (id, m) => disputed.has(id) && m.length >= 3],
  ];
  const chosen: DemoFigures['conversations'] = [];
  for (const [why, fits] of stories) {
    if (chosen.length === 3) break;
    const customer = customers.find((c) => !chosen.some((x) => x.externalId === c.externalId) && fits(c.id, conversations.get(c.id) ?? []));
    if (customer) {
      chosen.push({
        externalId: customer.externalId,
        name: customer.name,
        timeZone: customer.timeZone,
        why,
        messages: conversations.get(customer.id) ?? [],
      });
    }
  }
  return chosen;
}
