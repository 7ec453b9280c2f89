-- CreateEnum
CREATE TYPE "dunning_action_type" AS ENUM ('email', 'sms', 'call_task', 'credit_hold', 'legal_hold', 'manager_alert');

-- CreateTable
CREATE TABLE "dunning_actions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "customer_id" UUID NOT NULL,
    "type" "dunning_action_type" NOT NULL,
    "policy_id" TEXT NOT NULL,
    "step_id" TEXT NOT NULL,
    "template_id" TEXT,
    "alert_kind" "alert_kind",
    "decided_at" TIMESTAMPTZ(3) NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "contact_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dunning_actions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dunning_action_invoices" (
    "action_id" UUID NOT NULL,
    "invoice_id" UUID NOT NULL,
    "cycle" INTEGER NOT NULL,
    "step_id" TEXT NOT NULL,

    CONSTRAINT "dunning_action_invoices_pkey" PRIMARY KEY ("action_id","invoice_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "dunning_actions_idempotency_key_key" ON "dunning_actions"("idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "dunning_actions_contact_id_key" ON "dunning_actions"("contact_id");

-- CreateIndex
CREATE INDEX "dunning_actions_customer_id_decided_at_idx" ON "dunning_actions"("customer_id", "decided_at");

-- CreateIndex
CREATE INDEX "dunning_action_invoices_invoice_id_cycle_idx" ON "dunning_action_invoices"("invoice_id", "cycle");

-- AddForeignKey
ALTER TABLE "dunning_actions" ADD CONSTRAINT "dunning_actions_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dunning_actions" ADD CONSTRAINT "dunning_actions_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dunning_action_invoices" ADD CONSTRAINT "dunning_action_invoices_action_id_fkey" FOREIGN KEY ("action_id") REFERENCES "dunning_actions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dunning_action_invoices" ADD CONSTRAINT "dunning_action_invoices_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

