-- The manager dashboard's pre-aggregation (see src/db/dashboard.repository.ts and the README,
-- "Performance"): two materialized views refreshed CONCURRENTLY at most every
-- DASHBOARD_REFRESH_SECONDS, and the time each was last refreshed.

-- Receivables grouped by currency, issue date and due date: the invoices' amounts summed, and
-- their settlements (allocations by receipt date and local reversal date, write-offs, and the
-- balance an import recorded without allocations, as src/reports/ledger.ts withRecordedBalance
-- counts it) summed per (on, reversed on). The report modules read each row as one invoice.
-- The API's DSO and CEI read the view live, the dashboard its materialized copy.
CREATE VIEW "receivable_groups_live" AS
WITH inv AS (
  SELECT i.id, i.currency, i.amount_minor, i.open_balance_minor, i.issue_date, i.due_date, c.time_zone,
         (COALESCE(i.paid_at, i.created_at) AT TIME ZONE c.time_zone)::date AS known_on,
         (i.written_off_at AT TIME ZONE c.time_zone)::date AS written_off_on, i.written_off_minor
    FROM invoices i
    JOIN customers c ON c.id = i.customer_id
   WHERE i.status <> 'void'
), alloc AS (
  SELECT a.invoice_id, p.received_on AS on_date, (a.reversed_at AT TIME ZONE inv.time_zone)::date AS reversed_on, a.amount_minor
    FROM payment_allocations a
    JOIN payments p ON p.id = a.payment_id
    JOIN inv ON inv.id = a.invoice_id
), applied AS (
  SELECT invoice_id, SUM(amount_minor) AS applied_minor FROM alloc WHERE reversed_on IS NULL GROUP BY invoice_id
), settlement AS (
  SELECT inv.currency, inv.issue_date, inv.due_date, a.on_date, a.reversed_on, a.amount_minor
    FROM alloc a JOIN inv ON inv.id = a.invoice_id
  UNION ALL
  SELECT currency, issue_date, due_date, written_off_on, NULL::date, written_off_minor
    FROM inv WHERE written_off_on IS NOT NULL AND written_off_minor IS NOT NULL
  UNION ALL
  SELECT inv.currency, inv.issue_date, inv.due_date, GREATEST(inv.known_on, inv.issue_date), NULL::date, u.unexplained
    FROM inv
    LEFT JOIN applied ap ON ap.invoice_id = inv.id
    CROSS JOIN LATERAL (
      SELECT inv.amount_minor - inv.open_balance_minor - COALESCE(ap.applied_minor, 0)
             - CASE WHEN inv.written_off_on IS NOT NULL THEN COALESCE(inv.written_off_minor, 0) ELSE 0 END AS unexplained
    ) u
   WHERE u.unexplained <> 0
), settled AS (
  SELECT currency, issue_date, due_date,
         jsonb_agg(jsonb_build_array(on_date, reversed_on, amount_minor::text) ORDER BY on_date, reversed_on) AS settlements
    FROM (SELECT currency, issue_date, due_date, on_date, reversed_on, SUM(amount_minor) AS amount_minor
            FROM settlement GROUP BY 1, 2, 3, 4, 5) s
   GROUP BY 1, 2, 3
), issued AS (
  SELECT currency, issue_date, due_date, SUM(amount_minor) AS amount_minor, COUNT(*) AS invoices
    FROM inv GROUP BY 1, 2, 3
)
SELECT i.currency, i.issue_date, i.due_date, i.amount_minor, i.invoices, COALESCE(s.settlements, '[]'::jsonb) AS settlements
  FROM issued i
  LEFT JOIN settled s USING (currency, issue_date, due_date);

CREATE MATERIALIZED VIEW "receivable_groups" AS SELECT * FROM "receivable_groups_live";

CREATE UNIQUE INDEX "receivable_groups_key" ON "receivable_groups"("currency", "issue_date", "due_date");

-- Collection activity per local day and the customer's assigned collector (at refresh time):
-- payments received, contacts by channel, direction and status, promises by status on the date
-- promised.
CREATE MATERIALIZED VIEW "activity_daily" AS
SELECT x.day, x.collector_id, x.kind, x.currency, x.channel, x.direction, x.status,
       COUNT(*)::bigint AS events, COALESCE(SUM(x.amount_minor), 0)::bigint AS amount_minor
  FROM (
    SELECT p.received_on AS day, c.assigned_collector_id AS collector_id, 'payment' AS kind, p.currency,
           '' AS channel, '' AS direction, '' AS status, p.amount_minor
      FROM payments p JOIN customers c ON c.id = p.customer_id
    UNION ALL
    SELECT (COALESCE(t.sent_at, t.created_at) AT TIME ZONE c.time_zone)::date, c.assigned_collector_id, 'contact', '',
           t.channel::text, t.direction::text, t.status::text, NULL::bigint
      FROM contacts t JOIN customers c ON c.id = t.customer_id
    UNION ALL
    SELECT pr.promised_date, c.assigned_collector_id, 'promise', pr.currency, '', '', pr.status::text, pr.amount_minor
      FROM promises_to_pay pr JOIN customers c ON c.id = pr.customer_id
  ) x
 GROUP BY 1, 2, 3, 4, 5, 6, 7;

CREATE UNIQUE INDEX "activity_daily_key" ON "activity_daily"("day", "collector_id", "kind", "currency", "channel", "direction", "status") NULLS NOT DISTINCT;

-- When each materialized view was last refreshed.
CREATE TABLE "aggregate_refreshes" (
    "view" TEXT NOT NULL,
    "refreshed_at" TIMESTAMPTZ(3) NOT NULL,
    "seconds" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "aggregate_refreshes_pkey" PRIMARY KEY ("view")
);
