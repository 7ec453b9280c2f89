-- The portfolio sample of payment predictions reads the invoices settled most recently
CREATE INDEX "invoices_status_paid_at_idx" ON "invoices"("status", "paid_at");
