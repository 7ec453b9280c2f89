-- customer_balances kept by deltas instead of recomputation (README "Performance", issue 19).
-- The statement-level triggers on invoices recomputed every touched customer from all of their
-- invoices: an import batch of 2,000 invoices over 1,000 customers re-read every invoice those
-- customers had, so a long import slowed down batch by batch. Now each statement adds what its
-- own rows changed, grouped by customer in one statement over the transition tables: the balance,
-- the open invoices, the written-off total, and the oldest due date (the earlier of the stored and
-- the entering ones). Only when an open invoice leaves (paid, written off, re-dated, deleted) at or
-- before the stored oldest due date is that date looked up again, with an index, for those
-- customers alone. Sums of deltas commute, so two transactions writing invoices of the same
-- customer at once (the import writes two batches at a time) both count: the recomputation took
-- its totals from a snapshot that could miss the other's commit and then overwrote them. The
-- oldest due date is looked up in a statement of its own, after the row is locked, so it sees
-- every commit before that lock. An update that changes none of the columns the totals depend on
-- writes nothing (a statement trigger with transition tables cannot name columns, so it still fires,
-- and finds no changed rows). Function bodies avoid a literal semicolon character.

-- Applies one statement's invoice changes: one entry per invoice row, sign 1 for the row as it is
-- now (inserted, or updated to), -1 for the row as it was (deleted, or updated from).
CREATE FUNCTION arrears_apply_invoice_deltas(customer_ids uuid[], signs int[], statuses text[], balances bigint[], due_dates date[],
                                             written_offs bigint[]) RETURNS void LANGUAGE plpgsql AS E'
DECLARE
  recheck uuid[]\073
  rebuild uuid[]\073
BEGIN
  WITH t AS (
    SELECT customer_id, sign, status, balance, due_date, written_off, status = ''open'' AND balance > 0 AS owing
      FROM unnest(customer_ids, signs, statuses, balances, due_dates, written_offs)
           AS t(customer_id, sign, status, balance, due_date, written_off)
  ), d AS (
    SELECT customer_id,
           coalesce(sum(sign * balance) FILTER (WHERE owing), 0)::bigint AS balance,
           coalesce(sum(sign) FILTER (WHERE owing), 0)::int AS n,
           coalesce(sum(sign * coalesce(written_off, 0)) FILTER (WHERE status = ''written_off''), 0)::bigint AS written_off,
           min(due_date) FILTER (WHERE owing AND sign > 0) AS entering,
           min(due_date) FILTER (WHERE owing AND sign < 0) AS leaving,
           bool_or(sign < 0) AS had_rows
      FROM t GROUP BY customer_id
  ), up AS (
    INSERT INTO customer_balances AS b (customer_id, currency, collector_id, balance_minor, open_invoices, oldest_due_on,
                                        written_off_minor, overdue_minor, overdue_from, overdue_until)
    SELECT c.id, c.currency, c.assigned_collector_id, d.balance, d.n, d.entering, d.written_off, 0,
           CASE WHEN d.balance = 0 THEN ''-infinity''::timestamptz END, CASE WHEN d.balance = 0 THEN ''infinity''::timestamptz END
      FROM d JOIN customers c ON c.id = d.customer_id
     ORDER BY c.id
    ON CONFLICT (customer_id) DO UPDATE
       SET currency = excluded.currency, collector_id = excluded.collector_id,
           balance_minor = b.balance_minor + excluded.balance_minor,
           open_invoices = b.open_invoices + excluded.open_invoices,
           oldest_due_on = least(b.oldest_due_on, excluded.oldest_due_on),
           written_off_minor = b.written_off_minor + excluded.written_off_minor,
           overdue_minor = 0,
           overdue_from = CASE WHEN b.balance_minor + excluded.balance_minor = 0 THEN ''-infinity''::timestamptz END,
           overdue_until = CASE WHEN b.balance_minor + excluded.balance_minor = 0 THEN ''infinity''::timestamptz END
    RETURNING b.customer_id, b.oldest_due_on, (b.xmax = 0) AS inserted
  )
  SELECT array_agg(up.customer_id ORDER BY up.customer_id) FILTER (WHERE NOT up.inserted AND d.leaving IS NOT NULL
                                                                    AND (up.oldest_due_on IS NULL OR d.leaving <= up.oldest_due_on)),
         array_agg(up.customer_id ORDER BY up.customer_id) FILTER (WHERE up.inserted AND d.had_rows)
    INTO recheck, rebuild
    FROM up JOIN d USING (customer_id)\073
  IF recheck IS NOT NULL THEN
    UPDATE customer_balances b
       SET oldest_due_on = (SELECT min(i.due_date) FROM invoices i
                             WHERE i.customer_id = b.customer_id AND i.status = ''open'' AND i.open_balance_minor > 0)
     WHERE b.customer_id = ANY(recheck)\073
  END IF\073
  -- A customer with invoices but no row yet (never the case while the triggers are in place): counted from scratch.
  IF rebuild IS NOT NULL THEN
    PERFORM arrears_refresh_customer_balances(rebuild)\073
  END IF\073
END
';

CREATE OR REPLACE FUNCTION arrears_invoices_changed() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP = ''INSERT'' THEN
    PERFORM arrears_apply_invoice_deltas(array_agg(customer_id), array_agg(1), array_agg(status::text), array_agg(open_balance_minor),
                                         array_agg(due_date), array_agg(written_off_minor))
       FROM new_invoices HAVING count(*) > 0\073
  ELSIF TG_OP = ''UPDATE'' THEN
    PERFORM arrears_apply_invoice_deltas(array_agg(x.customer_id), array_agg(x.sign), array_agg(x.status), array_agg(x.balance),
                                         array_agg(x.due_date), array_agg(x.written_off))
       FROM (
         SELECT side.*
           FROM old_invoices o JOIN new_invoices n ON n.id = o.id
          CROSS JOIN LATERAL (VALUES (n.customer_id, 1, n.status::text, n.open_balance_minor, n.due_date, n.written_off_minor),
                                     (o.customer_id, -1, o.status::text, o.open_balance_minor, o.due_date, o.written_off_minor))
                AS side(customer_id, sign, status, balance, due_date, written_off)
          WHERE (n.customer_id, n.status, n.open_balance_minor, n.due_date, n.written_off_minor)
                IS DISTINCT FROM (o.customer_id, o.status, o.open_balance_minor, o.due_date, o.written_off_minor)
       ) x HAVING count(*) > 0\073
  ELSE
    PERFORM arrears_apply_invoice_deltas(array_agg(customer_id), array_agg(-1), array_agg(status::text), array_agg(open_balance_minor),
                                         array_agg(due_date), array_agg(written_off_minor))
       FROM old_invoices HAVING count(*) > 0\073
  END IF\073
  RETURN NULL\073
END
';

-- Totals a concurrent import may have overwritten with a stale recomputation: counted again once.
SELECT arrears_refresh_customer_balances(array(select distinct customer_id from invoices));
