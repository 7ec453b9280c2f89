-- The aging pre-aggregate holds each customer's rows of the report as the API sends them
-- (README "The dashboard and the reports at ledger scale"): report_rows is the JSON text of the
-- customer's objects of the report's "customers" array, one per currency, joined by commas,
-- amounts the same balances as "EUR|0:1200,2:300" per currency joined by semicolons (for the
-- per-currency totals), and format the bucket labels they were written with. The report then
-- passes the stored text through instead of parsing and re-serialising 100k rows. Every row
-- becomes stale and the next report computes it again. The index gives the rows in the
-- order the report sorts them (the und-x-icu collation, as Intl.Collator).
ALTER TABLE "customer_aging" DROP COLUMN "entry",
    ADD COLUMN "report_rows" TEXT NOT NULL DEFAULT '',
    ADD COLUMN "amounts" TEXT NOT NULL DEFAULT '',
    ADD COLUMN "format" TEXT NOT NULL DEFAULT '';

UPDATE "customer_aging" SET "valid_until" = NULL, "version" = "version" + 1;

CREATE INDEX "customer_aging_report_order_idx" ON "customer_aging" ("external_id" COLLATE "und-x-icu");
