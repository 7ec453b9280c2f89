-- Write-off (issue 14): an invoice written off keeps when, by whom, why and how much.
-- AlterTable
ALTER TABLE "invoices" ADD COLUMN     "write_off_reason" TEXT,
ADD COLUMN     "written_off_at" TIMESTAMPTZ(3),
ADD COLUMN     "written_off_by" TEXT,
ADD COLUMN     "written_off_minor" BIGINT;
