-- Call tasks can be snoozed until a day, and alerts end on their own when their cause ends (resolved), not only when acknowledged.
ALTER TABLE "call_tasks" ADD COLUMN "snoozed_until" TIMESTAMPTZ(3);
ALTER TABLE "manager_alerts" ADD COLUMN "resolved_at" TIMESTAMPTZ(3),
ADD COLUMN "resolved_reason" TEXT;

-- The alerts page pages newest first, over every alert or one kind.
CREATE INDEX "manager_alerts_kind_last_raised_at_id_idx" ON "manager_alerts"("kind", "last_raised_at" DESC, "id");
CREATE INDEX "manager_alerts_last_raised_at_id_idx" ON "manager_alerts"("last_raised_at" DESC, "id");
