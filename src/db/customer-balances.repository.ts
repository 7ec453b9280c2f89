import type { Sql } from './sql.js';

// `customer_balances` is written by the triggers on `invoices` (balance, open invoices, oldest due
// date, written-off total; each statement's changes added as deltas since migration
// 20261206192000_customer_balances_deltas) and here (the overdue amount, which depends on the day).
// See the migration 20261206140000_customer_balances.

/**
 * Recomputes the overdue amount of every customer whose stored amount does not hold at `now`:
 * a trigger cleared it (an invoice changed), a new day began in the customer's zone and an
 * invoice fell due (`overdue_until`), or `now` is before the span it was computed for (a
 * simulated clock). Each row then holds until its next open invoice falls due. On a quiet
 * ledger this touches the few customers an invoice of theirs fell due for since the last call.
 * Returns how many rows were refreshed.
 */
export async function refreshOverdue(sql: Sql, now: Date): Promise<number> {
  const rows = await sql.query<{ n: number }>(
    // Locked in id order, as the triggers lock them, so two refreshes (or a refresh and an
    // import) queue behind each other instead of deadlocking.
    `with candidates as (
       select customer_id from customer_balances where overdue_until is null
       union select customer_id from customer_balances where overdue_until <= $1::timestamptz
       union select customer_id from customer_balances where overdue_from > $1::timestamptz
     ), stale as (
       select b.customer_id from customer_balances b
        where b.customer_id in (select customer_id from candidates)
        order by b.customer_id
          for update of b
     ), fresh as (
       select s.customer_id,
              coalesce(sum(i.open_balance_minor) filter (where i.due_date < d.today), 0) as overdue,
              (d.today::timestamp at time zone c.time_zone) as valid_from,
              coalesce(((min(i.due_date) filter (where i.due_date >= d.today)) + 1)::timestamp at time zone c.time_zone,
                       'infinity'::timestamptz) as valid_until
         from stale s
         join customers c on c.id = s.customer_id
         cross join lateral (select ($1::timestamptz at time zone c.time_zone)::date as today) d
         left join invoices i on i.customer_id = s.customer_id and i.status = 'open' and i.open_balance_minor > 0
        group by s.customer_id, c.time_zone, d.today
     ), updated as (
       update customer_balances b
          set overdue_minor = f.overdue, overdue_from = f.valid_from, overdue_until = f.valid_until
         from fresh f
        where b.customer_id = f.customer_id
       returning 1
     )
     select count(*)::int as n from updated`,
    [now.toISOString()],
  );
  return rows[0]?.n ?? 0;
}
