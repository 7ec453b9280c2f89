-- A customer's oldest open invoice in one index probe: customer_balances' trigger looks it up again
-- when an open invoice at or before the stored oldest due date leaves (a payment, a write-off).
-- Without the due date in this index the planner walked invoices_status_due_date_idx through every
-- open invoice of every customer (14 ms a customer at 200k invoices, 16 s for a payment batch of
-- 1,000 customers). It replaces the (customer_id, status) index, which it also serves.
CREATE INDEX "invoices_customer_id_status_due_date_idx" ON "invoices"("customer_id", "status", "due_date");
DROP INDEX "invoices_customer_id_status_idx";
