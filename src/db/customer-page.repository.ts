import type { Db } from './transaction.js';

/**
 * The customer page's reads (console): the header figures, what a collector needs on a call
 * (payments with their allocations, open invoices, promises, disputes, plan, call tasks) and the
 * timeline, one page at a time. Every statement is bounded by the customer and a limit, so the
 * page costs the same for a customer with ten contacts as for one with ten thousand.
 */

/** Open balance, overdue part and oldest days overdue of one currency (never summed across currencies). */
export interface CurrencyBalance {
  currency: string;
  balanceMinor: bigint;
  overdueMinor: bigint;
  openInvoices: number;
  /** Days past due of the oldest overdue invoice, in the customer's zone; 0 when nothing is overdue. */
  oldestDaysOverdue: number;
}

export interface CustomerHeader {
  id: string;
  externalId: string;
  name: string;
  timeZone: string;
  locale: string;
  currency: string;
  policyId: string;
  profile: string;
  doNotContact: boolean;
  emailOptedOutAt: Date | null;
  smsConsent: boolean;
  smsOptedOutAt: Date | null;
  collector: { id: string; name: string; email: string } | null;
  caseId: string | null;
  caseState: string | null;
  pauseReason: string | null;
  pausedUntil: Date | null;
  currentStep: string | null;
  ladderCycle: number;
  ladderOpen: boolean;
  legalHold: { placedAt: Date; reason: string; agency: string | null } | null;
  creditHold: { placedAt: Date; reason: string } | null;
  bankruptcy: { filedOn: string; chapter: string; caseNumber: string | null } | null;
  /** Write-offs per currency (invoices with status written_off). */
  writtenOff: Array<{ currency: string; amountMinor: bigint; invoices: number; lastAt: Date | null }>;
  balances: CurrencyBalance[];
  /** The customer's "today" (ISO date in its zone). */
  today: string;
}

interface HeaderRow {
  id: string;
  external_id: string;
  name: string;
  time_zone: string;
  locale: string;
  currency: string;
  dunning_policy_id: string;
  profile: string;
  do_not_contact: boolean;
  email_opted_out_at: Date | null;
  sms_consent: boolean;
  sms_opted_out_at: Date | null;
  collector: { id: string; name: string; email: string } | null;
  case_id: string | null;
  case_state: string | null;
  pause_reason: string | null;
  paused_until: Date | null;
  current_step: string | null;
  ladder_cycle: number | null;
  ladder_open: boolean | null;
  legal_hold: { placedAt: string; reason: string; agency: string | null } | null;
  credit_hold: { placedAt: string; reason: string } | null;
  bankruptcy: { filedOn: string; chapter: string; caseNumber: string | null } | null;
  written_off: Array<{ currency: string; amountMinor: string; invoices: number; lastAt: string | null }>;
  balances: Array<{ currency: string; balanceMinor: string; overdueMinor: string; openInvoices: number; oldest: number | null }>;
  today: string;
}

/** The header of the customer page, in one statement; null when no customer has this external id. */
export async function findCustomerHeader(db: Db, externalId: string, now: Date): Promise<CustomerHeader | null> {
  const rows = await db.$queryRawUnsafe<HeaderRow[]>(
    `select c.id::text, c.external_id, c.name, c.time_zone, c.locale, c.currency, c.dunning_policy_id, c.profile::text,
            c.do_not_contact, c.email_opted_out_at, c.sms_consent, c.sms_opted_out_at,
            (select json_build_object('id', u.id, 'name', u.name, 'email', u.email) from users u where u.id = c.assigned_collector_id) as collector,
            cc.id::text as case_id, cc.state::text as case_state, cc.pause_reason::text as pause_reason, cc.paused_until,
            cc.current_step, cc.ladder_cycle, cc.ladder_open,
            (select json_build_object('placedAt', h.placed_at, 'reason', h.reason, 'agency', h.agency) from legal_holds h
              where h.customer_id = c.id and h.released_at is null order by h.placed_at desc limit 1) as legal_hold,
            (select json_build_object('placedAt', h.placed_at, 'reason', h.reason) from credit_holds h
              where h.customer_id = c.id and h.released_at is null order by h.placed_at desc limit 1) as credit_hold,
            (select json_build_object('filedOn', b.filed_on::text, 'chapter', b.chapter, 'caseNumber', b.case_number) from bankruptcy_filings b
              where b.customer_id = c.id and b.discharged_at is null and b.dismissed_at is null order by b.recorded_at desc limit 1) as bankruptcy,
            coalesce((select json_agg(json_build_object('currency', w.currency, 'amountMinor', w.amount::text, 'invoices', w.n, 'lastAt', w.last_at) order by w.currency)
                        from (select i.currency, sum(coalesce(i.written_off_minor, 0)) as amount, count(*)::int as n, max(i.written_off_at) as last_at
                                from invoices i where i.customer_id = c.id and i.status = 'written_off' group by i.currency) w), '[]') as written_off,
            coalesce((select json_agg(json_build_object('currency', b.currency, 'balanceMinor', b.balance::text, 'overdueMinor', b.overdue::text,
                                                        'openInvoices', b.n, 'oldest', b.oldest) order by b.currency)
                        from (select i.currency, sum(i.open_balance_minor) as balance, count(*)::int as n,
                                     sum(i.open_balance_minor) filter (where i.due_date < t.today) as overdue,
                                     max(t.today - i.due_date) filter (where i.due_date < t.today) as oldest
                                from invoices i
                               where i.customer_id = c.id and i.status = 'open' and i.open_balance_minor > 0
                               group by i.currency) b), '[]') as balances,
            t.today::text as today
       from customers c
       cross join lateral (select ($2::timestamptz at time zone c.time_zone)::date as today) t
       left join collection_cases cc on cc.customer_id = c.id
      where c.external_id = $1`,
    externalId,
    now.toISOString(),
  );
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id,
    externalId: r.external_id,
    name: r.name,
    timeZone: r.time_zone,
    locale: r.locale,
    currency: r.currency,
    policyId: r.dunning_policy_id,
    profile: r.profile,
    doNotContact: r.do_not_contact,
    emailOptedOutAt: r.email_opted_out_at,
    smsConsent: r.sms_consent,
    smsOptedOutAt: r.sms_opted_out_at,
    collector: r.collector,
    caseId: r.case_id,
    caseState: r.case_state,
    pauseReason: r.pause_reason,
    pausedUntil: r.paused_until,
    currentStep: r.current_step,
    ladderCycle: r.ladder_cycle ?? 0,
    ladderOpen: r.ladder_open ?? false,
    legalHold: r.legal_hold && { ...r.legal_hold, placedAt: new Date(r.legal_hold.placedAt) },
    creditHold: r.credit_hold && { ...r.credit_hold, placedAt: new Date(r.credit_hold.placedAt) },
    bankruptcy: r.bankruptcy,
    writtenOff: r.written_off.map((w) => ({
      currency: w.currency,
      amountMinor: BigInt(w.amountMinor),
      invoices: w.invoices,
      lastAt: w.lastAt ? new Date(w.lastAt) : null,
    })),
    balances: r.balances.map((b) => ({
      currency: b.currency,
      balanceMinor: BigInt(b.balanceMinor),
      overdueMinor: BigInt(b.overdueMinor ?? '0'),
      openInvoices: b.openInvoices,
      oldestDaysOverdue: b.oldest ?? 0,
    })),
    today: r.today,
  };
}

/** How many rows each section of the page shows at most (the timeline pages on). */
export const SECTION_LIMIT = 50;

export interface PaymentWithAllocations {
  id: string;
  externalId: string;
  receivedOn: string;
  amountMinor: bigint;
  currency: string;
  reference: string | null;
  unappliedMinor: bigint;
  allocations: Array<{ invoiceNumber: string; amountMinor: bigint; reversed: boolean }>;
}

export interface CustomerSections {
  contactPoints: Array<{ kind: string; value: string; role: string; isMobile: boolean; bounced: boolean; invalid: boolean }>;
  invoices: Array<{
    id: string;
    number: string;
    issuedOn: string;
    dueOn: string;
    amountMinor: bigint;
    balanceMinor: bigint;
    currency: string;
    dispute: string | null;
  }>;
  /** Open invoices beyond the section's limit. */
  moreInvoices: number;
  payments: PaymentWithAllocations[];
  promises: Array<{ id: string; amountMinor: bigint; currency: string; promisedOn: string; createdAt: Date; createdBy: string }>;
  disputes: Array<{ id: string; invoiceNumber: string; reasonCode: string; notes: string | null; openedAt: Date }>;
  plan: {
    id: string;
    currency: string;
    totalMinor: bigint;
    createdAt: Date;
    instalments: Array<{ sequence: number; dueOn: string; amountMinor: bigint; paidMinor: bigint; status: string }>;
  } | null;
  tasks: Array<{ id: string; dueAt: Date; stepId: string | null; assignedTo: string | null; assignedToName: string | null }>;
}

interface SectionsRow {
  points: CustomerSections['contactPoints'];
  invoices: Array<
    Omit<CustomerSections['invoices'][number], 'amountMinor' | 'balanceMinor'> & { amountMinor: string; balanceMinor: string }
  >;
  open_invoices: number;
  payments: Array<
    Omit<PaymentWithAllocations, 'amountMinor' | 'unappliedMinor' | 'allocations'> & {
      amountMinor: string;
      unappliedMinor: string;
      allocations: Array<{ invoiceNumber: string; amountMinor: string; reversed: boolean }>;
    }
  >;
  promises: Array<{ id: string; amountMinor: string; currency: string; promisedOn: string; createdAt: string; createdBy: string }>;
  disputes: Array<{ id: string; invoiceNumber: string; reasonCode: string; notes: string | null; openedAt: string }>;
  plan: {
    id: string;
    currency: string;
    totalMinor: string;
    createdAt: string;
    instalments: Array<{ sequence: number; dueOn: string; amountMinor: string; paidMinor: string; status: string }>;
  } | null;
  tasks: Array<{ id: string; dueAt: string; stepId: string | null; assignedTo: string | null; assignedToName: string | null }>;
}

/** The page's sections for one customer, in one statement (each bounded by SECTION_LIMIT). */
export async function findCustomerSections(db: Db, customerId: string): Promise<CustomerSections> {
  const [r] = await db.$queryRawUnsafe<SectionsRow[]>(
    `select
       coalesce((select json_agg(json_build_object('kind', p.kind, 'value', p.value, 'role', p.role, 'isMobile', p.is_mobile,
                                                   'bounced', p.bounced_at is not null, 'invalid', p.invalid_at is not null)
                                 order by p.kind, p.role, p.value)
                   from contact_points p where p.customer_id = $1), '[]') as points,
       coalesce((select json_agg(x order by x."dueOn", x.number) from (
                   select i.id, i.number, i.issue_date::text as "issuedOn", i.due_date::text as "dueOn", i.amount_minor::text as "amountMinor",
                          i.open_balance_minor::text as "balanceMinor", i.currency,
                          (select d.reason_code from disputes d where d.invoice_id = i.id and d.resolved_at is null limit 1) as dispute
                     from invoices i where i.customer_id = $1 and i.status = 'open' and i.open_balance_minor > 0
                    order by i.due_date, i.number limit $2) x), '[]') as invoices,
       (select count(*)::int from invoices i where i.customer_id = $1 and i.status = 'open' and i.open_balance_minor > 0) as open_invoices,
       coalesce((select json_agg(x order by x."receivedOn" desc, x."externalId" desc) from (
                   select p.id, p.external_id as "externalId", p.received_on::text as "receivedOn", p.amount_minor::text as "amountMinor",
                          p.currency, p.reference, p.unapplied_minor::text as "unappliedMinor",
                          coalesce((select json_agg(json_build_object('invoiceNumber', i.number, 'amountMinor', a.amount_minor::text,
                                                                      'reversed', a.reversed_at is not null) order by i.number)
                                      from payment_allocations a join invoices i on i.id = a.invoice_id where a.payment_id = p.id), '[]') as allocations
                     from payments p where p.customer_id = $1 order by p.received_on desc, p.external_id desc limit 10) x), '[]') as payments,
       coalesce((select json_agg(json_build_object('id', p.id, 'amountMinor', p.amount_minor::text, 'currency', p.currency,
                                                   'promisedOn', p.promised_date::text, 'createdAt', p.created_at, 'createdBy', p.created_by)
                                 order by p.promised_date)
                   from promises_to_pay p where p.customer_id = $1 and p.status = 'open'), '[]') as promises,
       coalesce((select json_agg(json_build_object('id', d.id, 'invoiceNumber', i.number, 'reasonCode', d.reason_code, 'notes', d.notes,
                                                   'openedAt', d.opened_at) order by d.opened_at desc)
                   from disputes d join invoices i on i.id = d.invoice_id where d.customer_id = $1 and d.resolved_at is null), '[]') as disputes,
       (select json_build_object('id', pp.id, 'currency', pp.currency, 'totalMinor', pp.total_minor::text, 'createdAt', pp.created_at,
                                 'instalments', coalesce((select json_agg(json_build_object('sequence', s.sequence, 'dueOn', s.due_date::text,
                                      'amountMinor', s.amount_minor::text, 'paidMinor', s.paid_minor::text, 'status', s.status) order by s.sequence)
                                    from payment_plan_instalments s where s.plan_id = pp.id), '[]'))
          from payment_plans pp where pp.customer_id = $1 and pp.status = 'active' order by pp.created_at desc limit 1) as plan,
       coalesce((select json_agg(x order by x."dueAt") from (
                   select t.id, t.due_at as "dueAt", t.step_id as "stepId", t.assigned_to_id as "assignedTo", u.name as "assignedToName"
                     from call_tasks t left join users u on u.id = t.assigned_to_id
                    where t.customer_id = $1 and t.status = 'open' order by t.due_at limit $2) x), '[]') as tasks`,
    customerId,
    SECTION_LIMIT,
  );
  const row = r!;
  return {
    contactPoints: row.points,
    invoices: row.invoices.map((i) => ({ ...i, amountMinor: BigInt(i.amountMinor), balanceMinor: BigInt(i.balanceMinor) })),
    moreInvoices: Math.max(0, row.open_invoices - row.invoices.length),
    payments: row.payments.map((p) => ({
      ...p,
      amountMinor: BigInt(p.amountMinor),
      unappliedMinor: BigInt(p.unappliedMinor),
      allocations: p.allocations.map((a) => ({ ...a, amountMinor: BigInt(a.amountMinor) })),
    })),
    promises: row.promises.map((p) => ({ ...p, amountMinor: BigInt(p.amountMinor), createdAt: new Date(p.createdAt) })),
    disputes: row.disputes.map((d) => ({ ...d, openedAt: new Date(d.openedAt) })),
    plan: row.plan && {
      ...row.plan,
      totalMinor: BigInt(row.plan.totalMinor),
      createdAt: new Date(row.plan.createdAt),
      instalments: row.plan.instalments.map((s) => ({ ...s, amountMinor: BigInt(s.amountMinor), paidMinor: BigInt(s.paidMinor) })),
    },
    tasks: row.tasks.map((t) => ({ ...t, dueAt: new Date(t.dueAt) })),
  };
}

// ───────────────────────────────────────────── timeline ─────────────────────────────────────────────

/** The timeline's filters: which events a collector wants to read. */
export const TIMELINE_FILTERS = ['all', 'messages', 'calls', 'holds', 'payments', 'promises'] as const;
export type TimelineFilter = (typeof TIMELINE_FILTERS)[number];

/** Position after the last entry of a page: newest first, ties by the entry's key (`<source>:<id>`). */
export interface TimelineCursor {
  at: Date;
  key: string;
}

/** One event of the customer's story: a contact, an audited action, or a payment received. */
export interface TimelineRow {
  /** `c:<contact id>`, `a:<audit event id>` or `p:<payment id>`. */
  key: string;
  source: 'contact' | 'audit' | 'payment';
  at: Date;
  actor: string | null;
  actorName: string | null;
  /** contact: the channel; audit: the action; payment: `payment.received`. */
  kind: string;
  contact?: {
    id: string;
    channel: string;
    direction: string;
    status: string;
    recipient: string | null;
    subject: string | null;
    bodyText: string | null;
    templateId: string | null;
    stepId: string | null;
    outcome: string | null;
    notes: string | null;
    failureReason: string | null;
    invoiceNumbers: string[];
    history: Array<{ status: string; at: Date }>;
    /** An inbound contact that is a reply: what the reply path read in it. */
    reply: TimelineReply | null;
    /** When this outbound message was answered (replies threaded to it, oldest first; each is an entry of its own). */
    answeredAt: Date[];
  };
  audit?: { entityType: string; action: string; reason: string | null; after: unknown };
  payment?: { externalId: string; receivedOn: string; amountMinor: bigint; currency: string; reference: string | null };
}

/** A customer's reply as the timeline shows it, with the promise or dispute suggested from it. */
export interface TimelineReply {
  id: string;
  contactId: string | null;
  answersContactId: string | null;
  /** The message of ours it answers (threading): shown as "in reply to". */
  answers: { channel: string; subject: string | null; at: Date } | null;
  receivedAt: Date;
  sender: string | null;
  subject: string | null;
  bodyText: string;
  classification: string;
  reason: string;
  suggestions: Array<{
    id: string;
    kind: string;
    status: string;
    promisedOn: Date | null;
    amountMinor: bigint | null;
    currency: string | null;
  }>;
}

/** Contact channels and audited actions (LIKE patterns) each filter shows. */
const FILTER_SOURCES: Readonly<Record<TimelineFilter, { channels: string[]; actions: string[]; payments: boolean }>> = {
  all: { channels: ['email', 'sms', 'letter', 'call', 'note'], actions: ['%'], payments: true },
  messages: { channels: ['email', 'sms', 'letter'], actions: [], payments: false },
  calls: { channels: ['call', 'note'], actions: [], payments: false },
  holds: {
    channels: [],
    actions: ['legal\\_hold.%', 'credit\\_hold.%', 'bankruptcy.%', 'case.paused', 'case.resumed', 'customer.do\\_not\\_contact'],
    payments: false,
  },
  payments: { channels: [], actions: ['payment.%', 'invoice.written\\_off'], payments: true },
  promises: { channels: [], actions: ['promise.%', 'payment\\_plan.%', 'dispute.%'], payments: false },
};

/**
 * Bookkeeping of deliveries that is not an event of the customer's story. Calls and notes are
 * audited on their contact (`entity_type = 'contact'`), which the timeline shows as the contact.
 */
const NOT_EVENTS = ['alert.delivered', 'alert.digest_sent'];

interface TimelineSqlRow {
  key: string;
  source: 'contact' | 'audit' | 'payment';
  at: Date;
  actor: string | null;
  kind: string;
  ref: string;
  entity_type: string | null;
  reason: string | null;
  after: unknown;
}

/**
 * One page of the customer's timeline, newest first. Each source is read by its own index
 * (contacts by customer and time, audit events by entity and time, payments by customer and
 * day), at most `limit + 1` rows each, from the cursor on; the merge keeps the first `limit + 1`.
 * Audit events are those of the customer's own entities (customer, case, promises, disputes,
 * plans, payments, credit holds, alerts, contact points): a call or a note is audited on its
 * contact and shown once, as the contact.
 */
export async function findTimelinePage(
  db: Db,
  customer: { id: string; timeZone: string },
  page: { filter: TimelineFilter; cursor: TimelineCursor | null; limit: number },
): Promise<{ rows: TimelineRow[]; next: TimelineCursor | null }> {
  const sources = FILTER_SOURCES[page.filter];
  const at = page.cursor?.at.toISOString() ?? null;
  const key = page.cursor?.key ?? null;
  const n = page.limit + 1;
  const rows = await db.$queryRawUnsafe<TimelineSqlRow[]>(
    `with entities(t, id) as (
       select 'customer', $1::text
       union all select 'collection_case', id::text from collection_cases where customer_id = $1::uuid
       union all select 'promise_to_pay', id::text from promises_to_pay where customer_id = $1::uuid
       union all select 'dispute', id::text from disputes where customer_id = $1::uuid
       union all select 'payment_plan', id::text from payment_plans where customer_id = $1::uuid
       union all select 'payment', id::text from payments where customer_id = $1::uuid
       union all select 'credit_hold', id::text from credit_holds where customer_id = $1::uuid
       union all select 'manager_alert', id::text from manager_alerts where customer_id = $1::uuid
       union all select 'customer_contact', id::text from contact_points where customer_id = $1::uuid
     )
     select * from (
       (select 'c:' || c.id::text as key, 'contact' as source, c.created_at as at, c.actor, c.channel::text as kind, c.id::text as ref,
               null::text as entity_type, null::text as reason, null::jsonb as after
          from contacts c
         where c.customer_id = $1::uuid and c.channel::text = any($2::text[])
           and ($5::timestamptz is null or c.created_at < $5 or (c.created_at = $5 and 'c:' || c.id::text < $6))
         order by c.created_at desc, key desc limit $7)
       union all
       (select a.key, 'audit', a.at, a.actor, a.action, a.id::text, a.entity_type, a.reason, a.after
          from entities e
          cross join lateral (
                select 'a:' || x.id::text as key, x.* from audit_events x
                 where x.entity_type = e.t and x.entity_id = e.id
                   and x.action like any($3::text[]) and x.action <> all($8::text[])
                   and ($5::timestamptz is null or x.at < $5 or (x.at = $5 and 'a:' || x.id::text < $6))
                 order by x.at desc, key desc limit $7) a
         where cardinality($3::text[]) > 0
         order by a.at desc, a.key desc limit $7)
       union all
       (select p.key, 'payment', p.at, null, 'payment.received', p.id::text, null, null, null
          from (select 'p:' || p.id::text as key, p.id, (p.received_on::timestamp at time zone $9) as at
                  from payments p
                 where $4 and p.customer_id = $1::uuid
                   and ($5::timestamptz is null or p.received_on <= ($5::timestamptz at time zone $9)::date)) p
         where $5::timestamptz is null or p.at < $5 or (p.at = $5 and p.key < $6)
         order by p.at desc, p.key desc limit $7)
     ) merged
     order by at desc, key desc
     limit $7`,
    customer.id,
    sources.channels,
    sources.actions,
    sources.payments,
    at,
    key,
    n,
    NOT_EVENTS,
    customer.timeZone,
  );
  const pageRows = rows.slice(0, page.limit);
  const contactIds = pageRows.filter((r) => r.source === 'contact').map((r) => r.ref);
  const paymentIds = pageRows.filter((r) => r.source === 'payment').map((r) => r.ref);
  const actorIds = [...new Set(pageRows.map((r) => r.actor).filter((a): a is string => a !== null && UUID.test(a)))];
  const [contacts, payments, actors, replies] = await Promise.all([
    contactIds.length === 0
      ? []
      : db.contact.findMany({
          where: { id: { in: contactIds } },
          select: {
            id: true,
            channel: true,
            direction: true,
            status: true,
            recipient: true,
            subject: true,
            bodyText: true,
            templateId: true,
            stepId: true,
            outcome: true,
            notes: true,
            failureReason: true,
            invoices: { select: { invoice: { select: { number: true } } } },
            statusEvents: { select: { status: true, at: true }, orderBy: { at: 'asc' } },
          },
        }),
    paymentIds.length === 0
      ? []
      : db.payment.findMany({
          where: { id: { in: paymentIds } },
          select: { id: true, externalId: true, receivedOn: true, amountMinor: true, currency: true, reference: true },
        }),
    actorIds.length === 0 ? [] : db.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true } }),
    contactIds.length === 0
      ? []
      : db.reply.findMany({
          where: { OR: [{ contactId: { in: contactIds } }, { answersContactId: { in: contactIds }, customerId: customer.id }] },
          orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }],
          select: {
            id: true,
            contactId: true,
            answersContactId: true,
            answersContact: { select: { channel: true, subject: true, createdAt: true } },
            receivedAt: true,
            sender: true,
            subject: true,
            bodyText: true,
            classification: true,
            reason: true,
            suggestions: {
              select: { id: true, kind: true, status: true, promisedOn: true, amountMinor: true, currency: true },
              orderBy: { kind: 'asc' },
            },
          },
        }),
  ]);
  const replyOf = new Map(
    replies
      .filter((r) => r.contactId !== null)
      .map(({ answersContact: a, ...r }): [string, TimelineReply] => [
        r.contactId!,
        { ...r, answers: a && { channel: a.channel, subject: a.subject, at: a.createdAt } },
      ]),
  );
  const answered = new Map<string, Date[]>();
  for (const r of replies) {
    if (r.answersContactId !== null && r.contactId !== null)
      answered.set(r.answersContactId, [...(answered.get(r.answersContactId) ?? []), r.receivedAt]);
  }
  const contactById = new Map(contacts.map((c) => [c.id, c]));
  const paymentById = new Map(payments.map((p) => [p.id, p]));
  const names = new Map(actors.map((u) => [u.id, u.name]));
  const result = pageRows.map((r): TimelineRow => {
    const base = {
      key: r.key,
      source: r.source,
      at: r.at,
      actor: r.actor,
      actorName: r.actor === null ? null : r.actor === 'system' ? 'Arrears' : (names.get(r.actor) ?? r.actor),
      kind: r.kind,
    };
    if (r.source === 'contact') {
      const c = contactById.get(r.ref)!;
      return {
        ...base,
        contact: {
          ...c,
          invoiceNumbers: c.invoices.map((i) => i.invoice.number).sort(),
          history: c.statusEvents,
          // Every reply is an entry of its own, at its received time; threading links it to what it answers.
          reply: c.direction === 'inbound' ? (replyOf.get(c.id) ?? null) : null,
          answeredAt: c.direction === 'outbound' ? (answered.get(c.id) ?? []) : [],
        },
      };
    }
    if (r.source === 'payment') {
      const p = paymentById.get(r.ref)!;
      return { ...base, payment: { ...p, receivedOn: p.receivedOn.toISOString().slice(0, 10) } };
    }
    return { ...base, audit: { entityType: r.entity_type ?? '', action: r.kind, reason: r.reason, after: r.after } };
  });
  const last = result.at(-1);
  return { rows: result, next: rows.length > page.limit && last ? { at: last.at, key: last.key } : null };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
