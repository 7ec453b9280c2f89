-- The set-based aging, DSO and CEI reports (src/db/reports.repository.ts, README "The dashboard
-- and the reports at ledger scale"). An invoice's balance on a past date is its open balance now
-- corrected by the settlements dated (or reversed) after that date, so the reports read the open
-- invoices from one covering partial index and find the few settlements after a date by range.

-- Open receivables with what the reports group them by: read by an index-only scan.
CREATE INDEX "invoices_open_report_idx" ON "invoices"("customer_id", "currency", "due_date", "issue_date")
  INCLUDE ("open_balance_minor", "id")
  WHERE "open_balance_minor" <> 0 AND "status" <> 'void';

-- Credit sales per currency and issue date (DSO, countback, CEI).
CREATE INDEX "invoices_sales_idx" ON "invoices"("currency", "issue_date") INCLUDE ("amount_minor") WHERE "status" <> 'void';

-- Settlements after a date: payments received, allocations reversed, write-offs, and imported
-- balances (counted from the day Arrears knew of them: paid_at, else created_at).
CREATE INDEX "payments_received_on_idx" ON "payments"("received_on");
CREATE INDEX "payment_allocations_reversed_at_idx" ON "payment_allocations"("reversed_at") WHERE "reversed_at" IS NOT NULL;
CREATE INDEX "invoices_written_off_at_idx" ON "invoices"("written_off_at") WHERE "written_off_at" IS NOT NULL;
CREATE INDEX "invoices_known_at_idx" ON "invoices"((COALESCE("paid_at", "created_at")));

-- Payments with something unapplied now (the aging's unapplied credit).
CREATE INDEX "payments_unapplied_idx" ON "payments"("received_on") WHERE "unapplied_minor" <> 0;
