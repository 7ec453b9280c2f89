import { DateTime } from 'luxon';
import type { CaseInput, ContactRecord, ContactStatus, OpenInvoice } from '../core/domain.js';
import type { Sql } from './sql.js';

/** How far back the core needs contact history: a full dunning cycle plus its caps. */
const HISTORY_DAYS = 400;

/** One case as the step job needs it: the core's input plus what a message needs to go out. */
export interface CaseSnapshot {
  caseId: string;
  /** Optimistic-lock version: the decision is written only if the case is unchanged since. */
  version: number;
  customerName: string;
  input: CaseInput;
  /** The addresses a reminder goes to, or null when the customer has none usable. */
  recipients: { email: string | null; mobile: string | null };
  /** Payments received since the customer's last reminder, per currency: the next message thanks them. */
  received: Array<{ currency: string; amountMinor: number }>;
}

/** One case as `loadCaseSnapshots` reads it: related rows arrive as JSON, money as text. */
interface CaseRow {
  caseId: string;
  version: number;
  ladderCycle: number;
  ladderOpen: boolean;
  state: string;
  pauseReason: string | null;
  customer: string;
}

interface CustomerJson {
  id: string;
  externalId: string;
  name: string;
  timeZone: string;
  locale: string;
  holidayCalendar: string | null;
  profile: 'business' | 'consumer';
  emailOptedOut: boolean;
  smsConsent: boolean;
  doNotContact: boolean;
  policyId: string;
  collectorId: string | null;
  points: Array<{ kind: string; role: string; value: string; isMobile: boolean }>;
  invoices: Array<{
    id: string;
    number: string;
    currency: string;
    amountMinor: string;
    balanceMinor: string;
    issuedOn: string;
    dueOn: string;
    dunningCycle: number;
  }>;
  disputes: Array<{ id: string; invoiceId: string }>;
  promises: Array<{ id: string; amountMinor: string; currency: string; promisedOn: string; status: 'open' | 'broken' }>;
  plan: {
    id: string;
    status: 'active';
    currency: string;
    instalments: Array<{ id: string; dueOn: string; amountMinor: string; paidMinor: string; status: string }>;
  } | null;
  legalHold: boolean;
  creditHold: boolean;
  bankruptcy: boolean;
  replyPausedThrough: string | null;
  awayUntil: string | null;
  received: Array<{ currency: string; amountMinor: string }>;
  history: Array<{
    type: ContactRecord['channel'];
    decidedAt: string;
    cycle: number | null;
    policyId: string;
    stepId: string;
    contactStatus: string | null;
    invoices: Array<{ invoiceId: string; cycle: number; stepId: string; instalmentId: string | null }>;
  }>;
}

// One statement for the whole batch: the related rows of each customer are aggregated to JSON
// by Postgres, so a batch of cases costs one round trip and no per-relation queries.
const SNAPSHOT_QUERY = `
  select cs.id::text as "caseId", cs.version, cs.ladder_cycle as "ladderCycle", cs.ladder_open as "ladderOpen",
         cs.state::text as state, cs.pause_reason::text as "pauseReason",
         json_build_object(
           'id', cu.id, 'externalId', cu.external_id, 'name', cu.name, 'timeZone', cu.time_zone,
           'locale', cu.locale, 'holidayCalendar', cu.holiday_calendar, 'profile', cu.profile,
           'emailOptedOut', cu.email_opted_out_at is not null,
           'smsConsent', cu.sms_consent and cu.sms_opted_out_at is null,
           'doNotContact', cu.do_not_contact, 'policyId', cu.dunning_policy_id,
           'collectorId', cu.assigned_collector_id,
           'points', coalesce((
             select json_agg(json_build_object('kind', p.kind, 'role', p.role, 'value', p.value, 'isMobile', p.is_mobile)
                             order by p.created_at, p.id)
               from contact_points p
              where p.customer_id = cu.id and p.bounced_at is null and p.invalid_at is null), '[]'),
           'invoices', coalesce((
             select json_agg(json_build_object(
                      'id', i.id, 'number', i.number, 'currency', i.currency, 'amountMinor', i.amount_minor::text,
                      'balanceMinor', i.open_balance_minor::text, 'issuedOn', i.issue_date::text,
                      'dueOn', i.due_date::text, 'dunningCycle', i.dunning_cycle) order by i.due_date, i.id)
               from invoices i
              where i.customer_id = cu.id and i.status = 'open' and i.open_balance_minor > 0), '[]'),
           'disputes', coalesce((
             select json_agg(json_build_object('id', d.id, 'invoiceId', d.invoice_id) order by d.opened_at, d.id)
               from disputes d where d.customer_id = cu.id and d.resolved_at is null), '[]'),
           'promises', coalesce((
             select json_agg(json_build_object(
                      'id', t.id, 'amountMinor', t.amount_minor::text, 'currency', t.currency,
                      'promisedOn', t.promised_date::text, 'status', t.status) order by t.promised_date, t.id)
               from promises_to_pay t where t.customer_id = cu.id and t.status in ('open', 'broken')), '[]'),
           'plan', (
             select json_build_object('id', pl.id, 'status', pl.status, 'currency', pl.currency, 'instalments', coalesce((
                      select json_agg(json_build_object(
                               'id', pi.id, 'dueOn', pi.due_date::text, 'amountMinor', pi.amount_minor::text,
                               'paidMinor', pi.paid_minor::text, 'status', pi.status) order by pi.sequence)
                        from payment_plan_instalments pi where pi.plan_id = pl.id), '[]'))
               from payment_plans pl where pl.customer_id = cu.id and pl.status = 'active'
              order by pl.created_at desc, pl.id limit 1),
           'legalHold', exists (select 1 from legal_holds h where h.customer_id = cu.id and h.released_at is null),
           'creditHold', exists (select 1 from credit_holds h where h.customer_id = cu.id and h.released_at is null),
           'bankruptcy', exists (select 1 from bankruptcy_filings b where b.customer_id = cu.id
                                   and b.discharged_at is null and b.dismissed_at is null),
           'replyPausedThrough', (select max(r.paused_through)::text from replies r
                                   where r.customer_id = cu.id and r.handled_at is null),
           'awayUntil', (select max(r.returns_date)::text from replies r
                          where r.customer_id = cu.id and r.classification = 'auto_reply'),
           -- Payments received since the last reminder, which the next one thanks the customer for.
           'received', coalesce((
             select json_agg(json_build_object('currency', r.currency, 'amountMinor', r.amount::text) order by r.currency)
               from (select p.currency, sum(p.amount_minor - p.unapplied_minor) as amount
                       from payments p
                      where p.customer_id = cu.id and p.amount_minor > p.unapplied_minor
                        and p.received_on >= coalesce((
                              select (max(m.decided_at) at time zone cu.time_zone)::date
                                from dunning_actions m
                               where m.customer_id = cu.id and m.type in ('email', 'sms')
                                 and m.decided_at >= $2::timestamptz), $3::date)
                      group by p.currency) r), '[]'),
           'history', coalesce((
             select json_agg(json_build_object(
                      'type', a.type, 'decidedAt', a.decided_at, 'cycle', a.ladder_cycle,
                      'policyId', a.policy_id, 'stepId', a.step_id,
                      'contactStatus', c.status,
                      'invoices', coalesce((
                        select json_agg(json_build_object('invoiceId', ai.invoice_id, 'cycle', ai.cycle,
                                                          'stepId', ai.step_id, 'instalmentId', ai.instalment_id)
                                        order by ai.invoice_id)
                          from dunning_action_invoices ai where ai.action_id = a.id), '[]'))
                    order by a.decided_at, a.id)
               from dunning_actions a left join contacts c on c.id = a.contact_id
              where a.customer_id = cu.id and a.decided_at >= $2::timestamptz), '[]')
         )::text as customer
    from collection_cases cs
    join customers cu on cu.id = cs.customer_id
   where cs.id = any($1::uuid[])`;

/** Reads, in one statement, everything the decision core needs for these cases. */
export async function loadCaseSnapshots(sql: Sql, caseIds: readonly string[], now: DateTime): Promise<CaseSnapshot[]> {
  if (caseIds.length === 0) return [];
  const historySince = now.minus({ days: HISTORY_DAYS }).toUTC().toISO();
  // Without an earlier reminder, "received since" means the last week.
  const receivedFrom = now.minus({ days: 7 }).toISODate();
  const rows = await sql.query<CaseRow>(SNAPSHOT_QUERY, [[...caseIds], historySince, receivedFrom]);
  return rows.map((row) => toSnapshot(row, JSON.parse(row.customer) as CustomerJson, now));
}

function toSnapshot(row: CaseRow, customer: CustomerJson, now: DateTime): CaseSnapshot {
  const email = pick(customer.points, 'email');
  const mobile = pick(
    customer.points.filter((point) => point.isMobile),
    'phone',
  );
  const invoices: OpenInvoice[] = customer.invoices.map((invoice) => ({
    id: invoice.id,
    number: invoice.number,
    currency: invoice.currency,
    amountMinor: Number(invoice.amountMinor),
    balanceMinor: Number(invoice.balanceMinor),
    issuedOn: invoice.issuedOn,
    dueOn: invoice.dueOn,
    dunningCycle: invoice.dunningCycle,
  }));
  const plan = customer.plan;
  const history: ContactRecord[] = customer.history.map((action) => ({
    channel: action.type,
    at: DateTime.fromMillis(Date.parse(action.decidedAt), { zone: 'utc' }),
    cycle: action.cycle,
    policyId: action.policyId,
    stepId: action.stepId,
    invoices: action.invoices.map((ref) => ({
      invoiceId: ref.invoiceId,
      cycle: ref.cycle,
      stepId: ref.stepId,
      instalmentId: ref.instalmentId ?? undefined,
    })),
    status: historyStatus(action.contactStatus ?? undefined),
  }));
  const input: CaseInput = {
    customer: {
      id: customer.id,
      externalId: customer.externalId,
      timeZone: customer.timeZone,
      locale: customer.locale,
      holidayCalendar: customer.holidayCalendar,
      profile: customer.profile,
      consent: {
        hasEmail: email !== null,
        emailOptedOut: customer.emailOptedOut,
        hasMobile: mobile !== null,
        smsConsent: customer.smsConsent,
      },
      doNotContact: customer.doNotContact,
      policyId: customer.policyId,
      collectorId: customer.collectorId,
    },
    invoices,
    disputes: customer.disputes.map((d) => ({ id: d.id, invoiceId: d.invoiceId, status: 'open' })),
    promises: customer.promises.map((p) => ({
      id: p.id,
      amountMinor: Number(p.amountMinor),
      currency: p.currency,
      promisedOn: p.promisedOn,
      status: p.status,
    })),
    paymentPlan: plan
      ? {
          id: plan.id,
          status: plan.status,
          currency: plan.currency,
          invoiceIds: invoices.filter((i) => i.currency === plan.currency).map((i) => i.id),
          instalments: plan.instalments.map((i) => ({
            id: i.id,
            dueOn: i.dueOn,
            amountMinor: Number(i.amountMinor),
            paid: i.status === 'paid' || BigInt(i.paidMinor) >= BigInt(i.amountMinor),
          })),
        }
      : null,
    holds: {
      legalHold: customer.legalHold || row.state === 'legal_hold',
      bankruptcy: customer.bankruptcy,
      creditHold: customer.creditHold,
      manualPause: row.state === 'paused' && row.pauseReason === 'manual',
      replyPausedThrough: customer.replyPausedThrough,
      awayUntil: customer.awayUntil,
    },
    ladder: { cycle: row.ladderCycle, open: row.ladderOpen },
    history,
    now,
  };
  return {
    caseId: row.caseId,
    version: row.version,
    customerName: customer.name,
    input,
    recipients: { email: email?.value ?? null, mobile: mobile?.value ?? null },
    received: customer.received.map((r) => ({ currency: r.currency, amountMinor: Number(r.amountMinor) })),
  };
}

/** Billing contact first, then primary, then any. */
function pick<T extends { kind: string; role: string; value: string }>(points: T[], kind: string): T | null {
  const candidates = points.filter((point) => point.kind === kind);
  const preference = ['billing', 'primary'];
  const rank = (role: string) => (preference.includes(role) ? preference.indexOf(role) : preference.length);
  return candidates.sort((a, b) => rank(a.role) - rank(b.role))[0] ?? null;
}

/** Non-message actions (holds, tasks, alerts) have no contact row: they happened when recorded. */
function historyStatus(status: string | undefined): ContactStatus {
  switch (status) {
    case undefined:
    case 'sent':
    case 'delivered':
      return 'sent';
    case 'queued':
    case 'sending':
      return 'queued';
    case 'bounced':
      return 'bounced';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'failed';
  }
}
