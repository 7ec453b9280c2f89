import type { ExchangeHistory } from '../core/interest/claim.js';
import type { RuleId } from '../core/interest/rules.js';
import type { IsoDate } from '../core/dates.js';
import type { InterestLedgerInvoice } from '../reports/interest.report.js';
import type { Sql } from './sql.js';

/**
 * Invoices due before `asOf` that are open, or were paid after their due date (a claim survives
 * payment of the principal), of one customer or of all. Void and written-off invoices carry none.
 */
export async function loadInterestLedger(
  sql: Sql,
  options: { asOf: IsoDate; customerIds?: readonly string[] },
): Promise<InterestLedgerInvoice[]> {
  const rows = await sql.query<{
    invoice_id: string;
    number: string;
    currency: string;
    amount_minor: string;
    due_on: string;
    status: 'open' | 'paid';
    customer_id: string;
    external_id: string;
    name: string;
    profile: 'business' | 'consumer';
    interest_rule: string | null;
    contract_rate_bp: number | null;
    payments: Array<{ received_on: string; amount_minor: string }> | null;
    waived_by: string | null;
    waived_at: string | null;
    waiver_reason: string | null;
  }>(
    `select i.id as invoice_id, i.number, i.currency, i.amount_minor::text as amount_minor, i.due_date::text as due_on,
            i.status::text as status, c.id as customer_id, c.external_id, c.name, c.profile::text as profile,
            c.interest_rule, c.interest_contract_rate_bp as contract_rate_bp,
            (select json_agg(json_build_object('received_on', p.received_on::text, 'amount_minor', a.amount_minor::text)
                             order by p.received_on)
               from payment_allocations a join payments p on p.id = a.payment_id
              where a.invoice_id = i.id and a.reversed_at is null) as payments,
            w.waived_by, to_char(w.waived_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as waived_at, w.reason as waiver_reason
       from invoices i
       join customers c on c.id = i.customer_id
       left join interest_waivers w on w.invoice_id = i.id
      where i.due_date < $1::date
        and ($2::uuid[] is null or i.customer_id = any($2::uuid[]))
        -- the core's basis: a contractual rate applies whatever the rule (interestBasisFor)
        and (coalesce(c.interest_rule, '') <> 'none' or c.interest_contract_rate_bp is not null)
        and (i.status = 'open'
             or (i.status = 'paid' and exists (
                   select 1 from payment_allocations a join payments p on p.id = a.payment_id
                    where a.invoice_id = i.id and a.reversed_at is null and p.received_on > i.due_date)))
      order by c.external_id, i.due_date, i.number`,
    [options.asOf, options.customerIds ?? null],
  );
  return rows.map((r) => ({
    invoiceId: r.invoice_id,
    number: r.number,
    currency: r.currency,
    amountMinor: BigInt(r.amount_minor),
    dueOn: r.due_on,
    status: r.status,
    customer: {
      id: r.customer_id,
      externalId: r.external_id,
      name: r.name,
      profile: r.profile,
      interestRule: r.interest_rule as RuleId | 'none' | null,
      contractRateBp: r.contract_rate_bp === null ? null : Number(r.contract_rate_bp),
    },
    payments: (r.payments ?? []).map((p) => ({ receivedOn: p.received_on, amountMinor: BigInt(p.amount_minor) })),
    waiver: r.waived_by === null ? null : { by: r.waived_by, at: r.waived_at ?? '', reason: r.waiver_reason ?? '' },
  }));
}

/**
 * The exchange rates a set of conversions needs: for each (currency, day), the latest rate on or
 * before the day against `base`. One index probe per pair.
 */
export async function loadExchangeHistory(
  sql: Sql,
  base: string,
  needs: ReadonlyArray<{ currency: string; day: IsoDate }>,
): Promise<ExchangeHistory> {
  const pairs = [...new Map(needs.filter((n) => n.currency !== base).map((n) => [`${n.currency}|${n.day}`, n])).values()];
  if (pairs.length === 0) return { base, rates: [] };
  const rows = await sql.query<{ currency: string; rate: string; rate_date: string }>(
    `select distinct n.currency, r.rate::text as rate, r.rate_date::text as rate_date
       from unnest($2::text[], $3::date[]) as n(currency, day)
       cross join lateral (
             select x.rate, x.rate_date from exchange_rates x
              where x.base_currency = $1::char(3) and x.currency = n.currency and x.rate_date <= n.day
              order by x.rate_date desc limit 1) r`,
    [base, pairs.map((p) => p.currency), pairs.map((p) => p.day)],
  );
  return {
    base,
    rates: rows.map((r) => ({
      currency: r.currency,
      rate: r.rate.includes('.') ? r.rate.replace(/\.?0+$/, '') : r.rate,
      rateDate: r.rate_date,
    })),
  };
}

/** The one write path of `interest_waivers`: a manager waives an invoice's claim (once). */
export async function insertInterestWaiver(
  sql: Sql,
  waiver: { invoiceId: string; by: string; reason: string; at: Date },
): Promise<boolean> {
  const rows = await sql.query(
    `insert into interest_waivers (invoice_id, waived_by, reason, waived_at) values ($1::uuid, $2, $3, $4::timestamptz)
     on conflict (invoice_id) do nothing returning invoice_id`,
    [waiver.invoiceId, waiver.by, waiver.reason, waiver.at.toISOString()],
  );
  return rows.length > 0;
}

/** A customer's invoice by its number, with its waiver if any (locked, for the waive action). */
export async function lockInvoiceForWaiver(
  sql: Sql,
  customerId: string,
  number: string,
): Promise<{ id: string; number: string; status: string; waivedBy: string | null } | null> {
  const [row] = await sql.query<{ id: string; number: string; status: string; waived_by: string | null }>(
    `select i.id, i.number, i.status::text as status, w.waived_by
       from invoices i left join interest_waivers w on w.invoice_id = i.id
      where i.customer_id = $1::uuid and i.number = $2
        for update of i`,
    [customerId, number],
  );
  return row === undefined ? null : { id: row.id, number: row.number, status: row.status, waivedBy: row.waived_by };
}
