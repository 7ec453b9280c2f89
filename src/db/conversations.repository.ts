import type { Sql } from './sql.js';

// What a customer was sent and what changed what it owes, read back for the demo's closing
// figures and its test (src/demo/conversation.ts adds what the policies say about each message).

/** Statuses of a message that left the building (a bounce was still sent). */
const LEFT = ['sent', 'delivered', 'bounced', 'undelivered'];

/** One outbound email or SMS a customer was sent, as the contact log has it. */
export interface OutboundMessage {
  contactId: string;
  customerId: string;
  /** The decision's instant (the simulated clock in the demo). */
  at: Date;
  channel: 'email' | 'sms';
  status: string;
  policyId: string | null;
  /** The policy step, `statement-of-account`, or null (promise confirmation, plan reminders…). */
  stepId: string | null;
  templateId: string | null;
  /** The dunning cycle the engine recorded for the decision, when it records one. */
  cycle: number | null;
  /** Email subject, or the SMS text's first line. */
  headline: string;
  /** What the message named: the open balance of each invoice it covers, per currency (minor units). */
  amounts: Array<{ currency: string; minor: bigint; invoices: number }>;
}

interface MessageRow {
  id: string;
  customer_id: string;
  at: Date;
  channel: 'email' | 'sms';
  status: string;
  policy_id: string | null;
  step_id: string | null;
  template_id: string | null;
  subject: string | null;
  body_text: string | null;
  cycle: string | null;
  amounts: Array<{ currency: string; minor: string; invoices: number }> | null;
}

/**
 * The outbound emails and SMS that reached each customer (all customers, or those given; all
 * messages, or those decided after `since`), by customer and in the order they were decided.
 * Internal messages (manager alerts) are not on a customer's log.
 */
export async function readOutboundMessages(
  sql: Sql,
  scope: { customerIds?: readonly string[]; since?: Date } = {},
): Promise<OutboundMessage[]> {
  // The customer's dunning cycle as the engine records it on the action (`ladder_cycle`), read
  // through to_jsonb so this also reads a database from before the column existed (null then).
  const rows = await sql.query<MessageRow>(
    `select c.id, c.customer_id, c.created_at as at, c.channel::text as channel, c.status::text as status,
            c.policy_id, c.step_id, c.template_id, c.subject, left(c.body_text, 400) as body_text,
            to_jsonb(da) ->> 'ladder_cycle' as cycle,
            (select json_agg(json_build_object('currency', t.currency, 'minor', t.minor::text, 'invoices', t.n))
               from (select i.currency, sum(ci.open_balance_minor) as minor, count(*)::int as n
                       from contact_invoices ci join invoices i on i.id = ci.invoice_id
                      where ci.contact_id = c.id group by i.currency order by i.currency) t) as amounts
       from contacts c
       left join dunning_actions da on da.contact_id = c.id
      where c.direction = 'outbound' and c.channel in ('email', 'sms') and c.status::text = any($1::text[])
        and ($2::uuid[] is null or c.customer_id = any($2::uuid[])) and ($3::timestamptz is null or c.created_at > $3)
      order by c.customer_id, c.created_at, c.channel, c.id`,
    [LEFT, scope.customerIds ?? null, scope.since ?? null],
  );
  return rows.map((row) => ({
    contactId: row.id,
    customerId: row.customer_id,
    at: row.at,
    channel: row.channel,
    status: row.status,
    policyId: row.policy_id,
    stepId: row.step_id,
    templateId: row.template_id,
    cycle: row.cycle === null ? null : Number(row.cycle),
    headline:
      (row.channel === 'email' ? row.subject : row.body_text)
        ?.split('\n')
        .find((l) => l.trim() !== '')
        ?.trim() ?? '',
    amounts: (row.amounts ?? []).map((a) => ({ currency: a.currency, minor: BigInt(a.minor), invoices: a.invoices })),
  }));
}

/** What a customer owes, and the events that changed it, enough to say what was overdue at any instant. */
export interface LedgerHistory {
  customerId: string;
  timeZone: string;
  /** Instants at which what is owed changed: a payment applied or reversed, a dispute opened or resolved, a plan, a write-off. */
  changes: Date[];
  invoices: Array<{
    dueOn: string;
    /** Open balance now. */
    balanceMinor: bigint;
    /** Reductions (allocations not reversed, a write-off) with their instants: before them the balance was higher. */
    reductions: Array<{ at: Date; minor: bigint }>;
  }>;
  /** Legal holds: placed, and released (null = still held). */
  legalHolds: Array<{ placedAt: Date; releasedAt: Date | null }>;
}

/** The ledger history of each customer (all, or those given). */
export async function readLedgerHistories(sql: Sql, customerIds: readonly string[] | null = null): Promise<Map<string, LedgerHistory>> {
  const scope = [customerIds];
  const customers = await sql.query<{ id: string; time_zone: string }>(
    `select id, time_zone from customers where $1::uuid[] is null or id = any($1::uuid[])`,
    scope,
  );
  const histories = new Map<string, LedgerHistory>(
    customers.map((c) => [c.id, { customerId: c.id, timeZone: c.time_zone, changes: [], invoices: [], legalHolds: [] }]),
  );
  // Write-off columns are read through to_jsonb so this runs before and after they exist.
  const invoices = await sql.query<{
    id: string;
    customer_id: string;
    due_on: string;
    balance: string;
    written_off_at: string | null;
    written_off_minor: string | null;
  }>(
    `select i.id, i.customer_id, i.due_date::text as due_on, i.open_balance_minor::text as balance,
            to_jsonb(i) ->> 'written_off_at' as written_off_at, to_jsonb(i) ->> 'written_off_minor' as written_off_minor
       from invoices i where $1::uuid[] is null or i.customer_id = any($1::uuid[])`,
    scope,
  );
  const allocations = await sql.query<{ invoice_id: string; at: Date; minor: string; reversed_at: Date | null }>(
    `select a.invoice_id, a.allocated_at as at, a.amount_minor::text as minor, a.reversed_at
       from payment_allocations a join invoices i on i.id = a.invoice_id
      where $1::uuid[] is null or i.customer_id = any($1::uuid[])`,
    scope,
  );
  const byInvoice = new Map<string, LedgerHistory['invoices'][number]>();
  for (const row of invoices) {
    const history = histories.get(row.customer_id);
    if (!history) continue;
    const invoice = { dueOn: row.due_on, balanceMinor: BigInt(row.balance), reductions: [] as Array<{ at: Date; minor: bigint }> };
    if (row.written_off_at && row.written_off_minor) {
      const at = new Date(row.written_off_at);
      invoice.reductions.push({ at, minor: BigInt(row.written_off_minor) });
      history.changes.push(at);
    }
    history.invoices.push(invoice);
    byInvoice.set(row.id, invoice);
  }
  const customerOf = new Map(invoices.map((i) => [i.id, i.customer_id]));
  for (const row of allocations) {
    const invoice = byInvoice.get(row.invoice_id);
    const history = histories.get(customerOf.get(row.invoice_id) ?? '');
    if (!invoice || !history) continue;
    history.changes.push(row.at);
    if (row.reversed_at) history.changes.push(row.reversed_at);
    // A reversed allocation no longer reduces the balance now; between the two instants it did,
    // which only matters for "did the overdue balance reach zero", where ignoring it is the strict reading.
    else invoice.reductions.push({ at: row.at, minor: BigInt(row.minor) });
  }
  const events = await sql.query<{ customer_id: string; at: Date }>(
    `select customer_id, opened_at as at from disputes where $1::uuid[] is null or customer_id = any($1::uuid[])
     union all select customer_id, resolved_at from disputes where resolved_at is not null and ($1::uuid[] is null or customer_id = any($1::uuid[]))
     union all select customer_id, created_at from payment_plans where $1::uuid[] is null or customer_id = any($1::uuid[])
     union all select customer_id, cancelled_at from payment_plans where cancelled_at is not null and ($1::uuid[] is null or customer_id = any($1::uuid[]))`,
    scope,
  );
  for (const event of events) histories.get(event.customer_id)?.changes.push(event.at);
  const holds = await sql.query<{ customer_id: string; placed_at: Date; released_at: Date | null }>(
    `select customer_id, placed_at, released_at from legal_holds where $1::uuid[] is null or customer_id = any($1::uuid[]) order by placed_at`,
    scope,
  );
  for (const hold of holds) histories.get(hold.customer_id)?.legalHolds.push({ placedAt: hold.placed_at, releasedAt: hold.released_at });
  for (const history of histories.values()) history.changes.sort((a, b) => a.getTime() - b.getTime());
  return histories;
}
