-- The aging report's pre-aggregate (README "The dashboard and the reports at ledger scale").
-- One row per customer with open receivables: the report's row for that customer (entry, JSON:
-- id, external id, name, locale, zone and the open balances bucketed by days past due with the
-- default buckets, current, 1-30, 31-60, 61-90 and 90+, per currency as "EUR|0:1200,2:300"),
-- together with the dates for which it holds: from valid_from to the day before valid_until
-- (until an open invoice moves to the next bucket, or one issued later starts counting). Triggers
-- on invoices and customers mark a customer's row stale (valid_until null, version + 1) whenever
-- an invoice of theirs or the customer's report fields change. The report refreshes the stale
-- rows for its as-of date and stores them only if no trigger bumped the version meanwhile
-- (loadAgingBalancesPreaggregated in src/db/reports.repository.ts). Function bodies avoid a
-- literal semicolon character.
CREATE TABLE "customer_aging" (
    "customer_id" UUID NOT NULL,
    "version" BIGINT NOT NULL DEFAULT 0,
    "external_id" TEXT NOT NULL DEFAULT '',
    "entry" TEXT NOT NULL DEFAULT '',
    "valid_from" DATE,
    "valid_until" DATE,

    CONSTRAINT "customer_aging_pkey" PRIMARY KEY ("customer_id")
);
ALTER TABLE "customer_aging" ADD CONSTRAINT "customer_aging_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE FUNCTION arrears_customer_aging_stale(customer_ids uuid[]) RETURNS void LANGUAGE sql AS $body$
  insert into customer_aging (customer_id)
  select distinct t.id from unnest(customer_ids) as t(id) where t.id is not null order by 1
  on conflict (customer_id) do update set version = customer_aging.version + 1, valid_until = null
$body$;

CREATE FUNCTION arrears_invoices_aging_changed() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP = ''INSERT'' THEN
    PERFORM arrears_customer_aging_stale(array(select customer_id from new_invoices))\073
  ELSIF TG_OP = ''UPDATE'' THEN
    PERFORM arrears_customer_aging_stale(array(
      select n.customer_id from new_invoices n join old_invoices o on o.id = n.id
       where n.open_balance_minor is distinct from o.open_balance_minor or n.status is distinct from o.status
          or n.due_date is distinct from o.due_date or n.issue_date is distinct from o.issue_date
          or n.currency is distinct from o.currency or n.customer_id is distinct from o.customer_id
      union select o.customer_id from new_invoices n join old_invoices o on o.id = n.id where n.customer_id is distinct from o.customer_id))\073
  ELSE
    PERFORM arrears_customer_aging_stale(array(select customer_id from old_invoices))\073
  END IF\073
  RETURN NULL\073
END
';

CREATE TRIGGER invoices_aging_insert AFTER INSERT ON invoices REFERENCING NEW TABLE AS new_invoices
  FOR EACH STATEMENT EXECUTE FUNCTION arrears_invoices_aging_changed();
CREATE TRIGGER invoices_aging_update AFTER UPDATE ON invoices REFERENCING OLD TABLE AS old_invoices NEW TABLE AS new_invoices
  FOR EACH STATEMENT EXECUTE FUNCTION arrears_invoices_aging_changed();
CREATE TRIGGER invoices_aging_delete AFTER DELETE ON invoices REFERENCING OLD TABLE AS old_invoices
  FOR EACH STATEMENT EXECUTE FUNCTION arrears_invoices_aging_changed();

CREATE FUNCTION arrears_customers_aging_changed() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  UPDATE customer_aging a SET version = a.version + 1, valid_until = NULL
    FROM new_customers n JOIN old_customers o ON o.id = n.id
   WHERE a.customer_id = n.id
     AND (n.external_id IS DISTINCT FROM o.external_id OR n.name IS DISTINCT FROM o.name
          OR n.locale IS DISTINCT FROM o.locale OR n.time_zone IS DISTINCT FROM o.time_zone)\073
  RETURN NULL\073
END
';
CREATE TRIGGER customers_aging_update AFTER UPDATE ON customers REFERENCING OLD TABLE AS old_customers NEW TABLE AS new_customers
  FOR EACH STATEMENT EXECUTE FUNCTION arrears_customers_aging_changed();

-- The customers with open receivables now: stale until the first report computes them.
INSERT INTO customer_aging (customer_id)
SELECT DISTINCT customer_id FROM invoices WHERE open_balance_minor <> 0 AND status <> 'void';
