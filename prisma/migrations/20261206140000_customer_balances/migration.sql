-- The worklist reads each customer's open balance, overdue amount and oldest due date from here instead of
-- aggregating invoices per request. Balance, count, oldest due date and written-off total are kept by
-- statement-level triggers on invoices (every writer: import, API, cash application, write-offs, COPY).
-- The overdue amount depends on the day, so it is stored with the span of time it holds for
-- (overdue_from, overdue_until): a trigger clears the span, and the worklist refreshes rows whose span
-- does not cover the moment it asks about (refreshOverdue in customer-balances.repository.ts).
-- Function bodies avoid a literal semicolon character: the migration runner splits scripts on it.
CREATE TABLE "customer_balances" (
    "customer_id" UUID NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "collector_id" UUID,
    "balance_minor" BIGINT NOT NULL,
    "open_invoices" INTEGER NOT NULL,
    "oldest_due_on" DATE,
    "written_off_minor" BIGINT NOT NULL,
    "overdue_minor" BIGINT NOT NULL DEFAULT 0,
    "overdue_from" TIMESTAMPTZ(3),
    "overdue_until" TIMESTAMPTZ(3),

    CONSTRAINT "customer_balances_pkey" PRIMARY KEY ("customer_id")
);
ALTER TABLE "customer_balances" ADD CONSTRAINT "customer_balances_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
CREATE INDEX "customer_balances_rank_idx" ON "customer_balances"("currency", "overdue_minor" DESC, "oldest_due_on", "customer_id");
CREATE INDEX "customer_balances_collector_id_idx" ON "customer_balances"("collector_id");
CREATE INDEX "customer_balances_overdue_until_idx" ON "customer_balances"("overdue_until");
CREATE INDEX "customer_balances_overdue_from_idx" ON "customer_balances"("overdue_from");

CREATE FUNCTION arrears_refresh_customer_balances(customer_ids uuid[]) RETURNS void LANGUAGE sql AS $body$
  insert into customer_balances (customer_id, currency, collector_id, balance_minor, open_invoices, oldest_due_on, written_off_minor,
                                 overdue_minor, overdue_from, overdue_until)
  select c.id, c.currency, c.assigned_collector_id, coalesce(a.balance, 0), coalesce(a.n, 0), a.oldest, coalesce(a.written_off, 0),
         0,
         case when coalesce(a.balance, 0) = 0 then '-infinity'::timestamptz end,
         case when coalesce(a.balance, 0) = 0 then 'infinity'::timestamptz end
    from customers c
    cross join lateral (
          select sum(i.open_balance_minor) filter (where i.status = 'open' and i.open_balance_minor > 0) as balance,
                 count(*) filter (where i.status = 'open' and i.open_balance_minor > 0) as n,
                 min(i.due_date) filter (where i.status = 'open' and i.open_balance_minor > 0) as oldest,
                 sum(i.written_off_minor) filter (where i.status = 'written_off') as written_off
            from invoices i where i.customer_id = c.id
         ) a
   where c.id = any(customer_ids)
   order by c.id
  on conflict (customer_id) do update
     set currency = excluded.currency, collector_id = excluded.collector_id, balance_minor = excluded.balance_minor, open_invoices = excluded.open_invoices,
         oldest_due_on = excluded.oldest_due_on, written_off_minor = excluded.written_off_minor,
         overdue_minor = excluded.overdue_minor, overdue_from = excluded.overdue_from, overdue_until = excluded.overdue_until
$body$;

CREATE FUNCTION arrears_invoices_changed() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP = ''INSERT'' THEN
    PERFORM arrears_refresh_customer_balances(array(select distinct customer_id from new_invoices))\073
  ELSIF TG_OP = ''UPDATE'' THEN
    PERFORM arrears_refresh_customer_balances(array(
      select n.customer_id from new_invoices n join old_invoices o on o.id = n.id
       where n.open_balance_minor is distinct from o.open_balance_minor or n.status is distinct from o.status
          or n.due_date is distinct from o.due_date or n.customer_id is distinct from o.customer_id
          or n.written_off_minor is distinct from o.written_off_minor
      union select o.customer_id from new_invoices n join old_invoices o on o.id = n.id where n.customer_id is distinct from o.customer_id))\073
  ELSE
    PERFORM arrears_refresh_customer_balances(array(select distinct customer_id from old_invoices))\073
  END IF\073
  RETURN NULL\073
END
';

CREATE TRIGGER invoices_balances_insert AFTER INSERT ON invoices REFERENCING NEW TABLE AS new_invoices
  FOR EACH STATEMENT EXECUTE FUNCTION arrears_invoices_changed();
CREATE TRIGGER invoices_balances_update AFTER UPDATE ON invoices REFERENCING OLD TABLE AS old_invoices NEW TABLE AS new_invoices
  FOR EACH STATEMENT EXECUTE FUNCTION arrears_invoices_changed();
CREATE TRIGGER invoices_balances_delete AFTER DELETE ON invoices REFERENCING OLD TABLE AS old_invoices
  FOR EACH STATEMENT EXECUTE FUNCTION arrears_invoices_changed();

-- The collector (and currency) follow the customer.
CREATE FUNCTION arrears_customers_changed() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  UPDATE customer_balances b SET collector_id = n.assigned_collector_id, currency = n.currency
    FROM new_customers n JOIN old_customers o ON o.id = n.id
   WHERE b.customer_id = n.id
     AND (n.assigned_collector_id IS DISTINCT FROM o.assigned_collector_id OR n.currency IS DISTINCT FROM o.currency)\073
  RETURN NULL\073
END
';
CREATE TRIGGER customers_balances_update AFTER UPDATE ON customers REFERENCING OLD TABLE AS old_customers NEW TABLE AS new_customers
  FOR EACH STATEMENT EXECUTE FUNCTION arrears_customers_changed();

-- The customers already in the ledger.
SELECT arrears_refresh_customer_balances(array(select distinct customer_id from invoices));

-- Search: names, external ids, invoice numbers and contact points by substring (trigram), besides the exact keys.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX "customers_name_trgm_idx" ON "customers" USING gin ("name" gin_trgm_ops);
CREATE INDEX "customers_external_id_trgm_idx" ON "customers" USING gin ("external_id" gin_trgm_ops);
CREATE INDEX "invoices_number_trgm_idx" ON "invoices" USING gin ("number" gin_trgm_ops);
CREATE INDEX "contact_points_value_trgm_idx" ON "contact_points" USING gin (lower("value") gin_trgm_ops);
