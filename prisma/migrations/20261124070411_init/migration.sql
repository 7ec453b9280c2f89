-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "user_role" AS ENUM ('collector', 'manager', 'admin');

-- CreateEnum
CREATE TYPE "contact_profile" AS ENUM ('business', 'consumer');

-- CreateEnum
CREATE TYPE "contact_point_kind" AS ENUM ('email', 'phone');

-- CreateEnum
CREATE TYPE "contact_point_role" AS ENUM ('primary', 'billing', 'sales', 'other');

-- CreateEnum
CREATE TYPE "invoice_status" AS ENUM ('open', 'paid', 'void', 'written_off');

-- CreateEnum
CREATE TYPE "case_state" AS ENUM ('active', 'paused', 'legal_hold', 'closed');

-- CreateEnum
CREATE TYPE "pause_reason" AS ENUM ('promise_to_pay', 'payment_plan', 'dispute', 'manual');

-- CreateEnum
CREATE TYPE "contact_channel" AS ENUM ('email', 'sms', 'call', 'note', 'letter');

-- CreateEnum
CREATE TYPE "contact_direction" AS ENUM ('outbound', 'inbound');

-- CreateEnum
CREATE TYPE "contact_status" AS ENUM ('queued', 'sending', 'sent', 'delivered', 'failed', 'bounced', 'undelivered', 'cancelled', 'logged');

-- CreateEnum
CREATE TYPE "failure_kind" AS ENUM ('permanent', 'transient');

-- CreateEnum
CREATE TYPE "call_outcome" AS ENUM ('no_answer', 'voicemail', 'promised', 'disputed', 'paid', 'wrong_number', 'other');

-- CreateEnum
CREATE TYPE "promise_status" AS ENUM ('open', 'kept', 'broken', 'cancelled');

-- CreateEnum
CREATE TYPE "payment_plan_status" AS ENUM ('active', 'completed', 'broken', 'cancelled');

-- CreateEnum
CREATE TYPE "instalment_status" AS ENUM ('pending', 'paid', 'missed', 'cancelled');

-- CreateEnum
CREATE TYPE "alert_kind" AS ENUM ('legal_hold', 'broken_promise', 'credit_limit_crossed', 'balance_threshold', 'channels_failing', 'bankruptcy', 'dispute_opened', 'other');

-- CreateEnum
CREATE TYPE "call_task_status" AS ENUM ('open', 'done', 'cancelled');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "user_role" NOT NULL DEFAULT 'collector',
    "password_hash" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "user_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "scopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customers" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "external_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "credit_limit_minor" BIGINT,
    "assigned_collector_id" UUID,
    "dunning_policy_id" TEXT NOT NULL DEFAULT 'default',
    "contact_profile" "contact_profile" NOT NULL DEFAULT 'business',
    "email_opted_out_at" TIMESTAMPTZ(3),
    "sms_consent" BOOLEAN NOT NULL DEFAULT false,
    "sms_consent_at" TIMESTAMPTZ(3),
    "sms_opted_out_at" TIMESTAMPTZ(3),
    "do_not_contact" BOOLEAN NOT NULL DEFAULT false,
    "holiday_calendar" TEXT,
    "sales_contact_email" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "customers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer_contacts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "customer_id" UUID NOT NULL,
    "kind" "contact_point_kind" NOT NULL,
    "value" TEXT NOT NULL,
    "role" "contact_point_role" NOT NULL DEFAULT 'primary',
    "is_mobile" BOOLEAN NOT NULL DEFAULT false,
    "bounced_at" TIMESTAMPTZ(3),
    "invalid_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "customer_contacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invoices" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "external_id" TEXT NOT NULL,
    "customer_id" UUID NOT NULL,
    "number" TEXT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "open_balance_minor" BIGINT NOT NULL,
    "issue_date" DATE NOT NULL,
    "due_date" DATE NOT NULL,
    "status" "invoice_status" NOT NULL DEFAULT 'open',
    "dunning_cycle" INTEGER NOT NULL DEFAULT 1,
    "paid_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "invoices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payments" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "external_id" TEXT NOT NULL,
    "customer_id" UUID NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "received_on" DATE NOT NULL,
    "reference" TEXT,
    "unapplied_minor" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_allocations" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "payment_id" UUID NOT NULL,
    "invoice_id" UUID NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "allocated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reversed_at" TIMESTAMPTZ(3),
    "reversed_by" TEXT,

    CONSTRAINT "payment_allocations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "collection_cases" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "customer_id" UUID NOT NULL,
    "state" "case_state" NOT NULL DEFAULT 'active',
    "pause_reason" "pause_reason",
    "paused_until" TIMESTAMPTZ(3),
    "current_stage" TEXT,
    "next_look_at" TIMESTAMPTZ(3),
    "last_evaluated_at" TIMESTAMPTZ(3),
    "version" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "collection_cases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contacts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "customer_id" UUID NOT NULL,
    "case_id" UUID,
    "channel" "contact_channel" NOT NULL,
    "direction" "contact_direction" NOT NULL DEFAULT 'outbound',
    "policy_id" TEXT,
    "step_id" TEXT,
    "template_id" TEXT,
    "template_locale" TEXT,
    "recipient" TEXT,
    "subject" TEXT,
    "body_text" TEXT,
    "body_html" TEXT,
    "provider_name" TEXT,
    "provider_message_id" TEXT,
    "status" "contact_status" NOT NULL DEFAULT 'queued',
    "failure_reason" TEXT,
    "failure_kind" "failure_kind",
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "actor" TEXT NOT NULL DEFAULT 'system',
    "outcome" "call_outcome",
    "notes" TEXT,
    "idempotency_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "contacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contact_invoices" (
    "contact_id" UUID NOT NULL,
    "invoice_id" UUID NOT NULL,
    "open_balance_minor" BIGINT NOT NULL,

    CONSTRAINT "contact_invoices_pkey" PRIMARY KEY ("contact_id","invoice_id")
);

-- CreateTable
CREATE TABLE "contact_status_events" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "contact_id" UUID NOT NULL,
    "status" "contact_status" NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "detail" JSONB,
    "actor" TEXT NOT NULL DEFAULT 'system',

    CONSTRAINT "contact_status_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "disputes" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "invoice_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "reason_code" TEXT NOT NULL,
    "notes" TEXT,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "opened_by" TEXT NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),
    "resolution" TEXT,
    "resolved_by" TEXT,

    CONSTRAINT "disputes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "promises_to_pay" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "customer_id" UUID NOT NULL,
    "case_id" UUID,
    "amount_minor" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "promised_date" DATE NOT NULL,
    "channel" "contact_channel",
    "contact_id" UUID,
    "status" "promise_status" NOT NULL DEFAULT 'open',
    "evaluated_at" TIMESTAMPTZ(3),
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "promises_to_pay_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_plans" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "customer_id" UUID NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "total_minor" BIGINT NOT NULL,
    "status" "payment_plan_status" NOT NULL DEFAULT 'active',
    "notes" TEXT,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cancelled_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "payment_plans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_plan_instalments" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "plan_id" UUID NOT NULL,
    "sequence" INTEGER NOT NULL,
    "due_date" DATE NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "paid_minor" BIGINT NOT NULL DEFAULT 0,
    "status" "instalment_status" NOT NULL DEFAULT 'pending',

    CONSTRAINT "payment_plan_instalments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "credit_holds" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "customer_id" UUID NOT NULL,
    "placed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reason" TEXT NOT NULL,
    "placed_by" TEXT NOT NULL,
    "released_at" TIMESTAMPTZ(3),
    "released_by" TEXT,
    "release_reason" TEXT,

    CONSTRAINT "credit_holds_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "legal_holds" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "customer_id" UUID NOT NULL,
    "placed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reason" TEXT NOT NULL,
    "placed_by" TEXT NOT NULL,
    "agency" TEXT,
    "notes" TEXT,
    "released_at" TIMESTAMPTZ(3),
    "released_by" TEXT,
    "release_reason" TEXT,

    CONSTRAINT "legal_holds_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bankruptcy_filings" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "customer_id" UUID NOT NULL,
    "filed_on" DATE NOT NULL,
    "chapter" TEXT NOT NULL,
    "case_number" TEXT,
    "recorded_by" TEXT NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "discharged_at" TIMESTAMPTZ(3),
    "discharged_by" TEXT,
    "dismissed_at" TIMESTAMPTZ(3),
    "dismissed_by" TEXT,

    CONSTRAINT "bankruptcy_filings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "manager_alerts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "kind" "alert_kind" NOT NULL,
    "customer_id" UUID,
    "message" TEXT NOT NULL,
    "raised_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_raised_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "re_raise_count" INTEGER NOT NULL DEFAULT 0,
    "acknowledged_at" TIMESTAMPTZ(3),
    "acknowledged_by" TEXT,

    CONSTRAINT "manager_alerts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "call_tasks" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "customer_id" UUID NOT NULL,
    "case_id" UUID,
    "assigned_to_id" UUID,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "call_task_status" NOT NULL DEFAULT 'open',
    "step_id" TEXT,
    "idempotency_key" TEXT,
    "completed_contact_id" UUID,
    "completed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "call_tasks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "reason" TEXT,
    "before" JSONB,
    "after" JSONB,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "api_tokens_user_id_idx" ON "api_tokens"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "customers_external_id_key" ON "customers"("external_id");

-- CreateIndex
CREATE INDEX "customers_assigned_collector_id_idx" ON "customers"("assigned_collector_id");

-- CreateIndex
CREATE INDEX "customer_contacts_kind_value_idx" ON "customer_contacts"("kind", "value");

-- CreateIndex
CREATE UNIQUE INDEX "customer_contacts_customer_id_kind_value_key" ON "customer_contacts"("customer_id", "kind", "value");

-- CreateIndex
CREATE UNIQUE INDEX "invoices_external_id_key" ON "invoices"("external_id");

-- CreateIndex
CREATE INDEX "invoices_customer_id_status_idx" ON "invoices"("customer_id", "status");

-- CreateIndex
CREATE INDEX "invoices_status_due_date_idx" ON "invoices"("status", "due_date");

-- CreateIndex
CREATE UNIQUE INDEX "invoices_customer_id_number_key" ON "invoices"("customer_id", "number");

-- CreateIndex
CREATE UNIQUE INDEX "payments_external_id_key" ON "payments"("external_id");

-- CreateIndex
CREATE INDEX "payments_customer_id_received_on_idx" ON "payments"("customer_id", "received_on");

-- CreateIndex
CREATE INDEX "payment_allocations_payment_id_idx" ON "payment_allocations"("payment_id");

-- CreateIndex
CREATE INDEX "payment_allocations_invoice_id_idx" ON "payment_allocations"("invoice_id");

-- CreateIndex
CREATE UNIQUE INDEX "collection_cases_customer_id_key" ON "collection_cases"("customer_id");

-- CreateIndex
CREATE INDEX "collection_cases_next_look_at_idx" ON "collection_cases"("next_look_at");

-- CreateIndex
CREATE UNIQUE INDEX "contacts_idempotency_key_key" ON "contacts"("idempotency_key");

-- CreateIndex
CREATE INDEX "contacts_customer_id_created_at_idx" ON "contacts"("customer_id", "created_at");

-- CreateIndex
CREATE INDEX "contacts_status_created_at_idx" ON "contacts"("status", "created_at");

-- CreateIndex
CREATE INDEX "contacts_provider_name_provider_message_id_idx" ON "contacts"("provider_name", "provider_message_id");

-- CreateIndex
CREATE INDEX "contact_invoices_invoice_id_idx" ON "contact_invoices"("invoice_id");

-- CreateIndex
CREATE INDEX "contact_status_events_contact_id_at_idx" ON "contact_status_events"("contact_id", "at");

-- CreateIndex
CREATE INDEX "disputes_invoice_id_idx" ON "disputes"("invoice_id");

-- CreateIndex
CREATE INDEX "disputes_customer_id_resolved_at_idx" ON "disputes"("customer_id", "resolved_at");

-- CreateIndex
CREATE INDEX "promises_to_pay_customer_id_status_idx" ON "promises_to_pay"("customer_id", "status");

-- CreateIndex
CREATE INDEX "promises_to_pay_status_promised_date_idx" ON "promises_to_pay"("status", "promised_date");

-- CreateIndex
CREATE INDEX "payment_plans_customer_id_status_idx" ON "payment_plans"("customer_id", "status");

-- CreateIndex
CREATE INDEX "payment_plan_instalments_status_due_date_idx" ON "payment_plan_instalments"("status", "due_date");

-- CreateIndex
CREATE UNIQUE INDEX "payment_plan_instalments_plan_id_sequence_key" ON "payment_plan_instalments"("plan_id", "sequence");

-- CreateIndex
CREATE INDEX "credit_holds_customer_id_released_at_idx" ON "credit_holds"("customer_id", "released_at");

-- CreateIndex
CREATE INDEX "legal_holds_customer_id_released_at_idx" ON "legal_holds"("customer_id", "released_at");

-- CreateIndex
CREATE INDEX "bankruptcy_filings_customer_id_idx" ON "bankruptcy_filings"("customer_id");

-- CreateIndex
CREATE INDEX "manager_alerts_customer_id_kind_acknowledged_at_idx" ON "manager_alerts"("customer_id", "kind", "acknowledged_at");

-- CreateIndex
CREATE INDEX "manager_alerts_acknowledged_at_raised_at_idx" ON "manager_alerts"("acknowledged_at", "raised_at");

-- CreateIndex
CREATE UNIQUE INDEX "call_tasks_idempotency_key_key" ON "call_tasks"("idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "call_tasks_completed_contact_id_key" ON "call_tasks"("completed_contact_id");

-- CreateIndex
CREATE INDEX "call_tasks_assigned_to_id_status_due_at_idx" ON "call_tasks"("assigned_to_id", "status", "due_at");

-- CreateIndex
CREATE INDEX "call_tasks_customer_id_status_idx" ON "call_tasks"("customer_id", "status");

-- CreateIndex
CREATE INDEX "audit_events_entity_type_entity_id_at_idx" ON "audit_events"("entity_type", "entity_id", "at");

-- CreateIndex
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at");

-- AddForeignKey
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customers" ADD CONSTRAINT "customers_assigned_collector_id_fkey" FOREIGN KEY ("assigned_collector_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_contacts" ADD CONSTRAINT "customer_contacts_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payments" ADD CONSTRAINT "payments_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_allocations" ADD CONSTRAINT "payment_allocations_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "payments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_allocations" ADD CONSTRAINT "payment_allocations_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "collection_cases" ADD CONSTRAINT "collection_cases_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "collection_cases"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_invoices" ADD CONSTRAINT "contact_invoices_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_invoices" ADD CONSTRAINT "contact_invoices_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_status_events" ADD CONSTRAINT "contact_status_events_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "disputes" ADD CONSTRAINT "disputes_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "promises_to_pay" ADD CONSTRAINT "promises_to_pay_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "promises_to_pay" ADD CONSTRAINT "promises_to_pay_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "collection_cases"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "promises_to_pay" ADD CONSTRAINT "promises_to_pay_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_plans" ADD CONSTRAINT "payment_plans_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_plan_instalments" ADD CONSTRAINT "payment_plan_instalments_plan_id_fkey" FOREIGN KEY ("plan_id") REFERENCES "payment_plans"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "credit_holds" ADD CONSTRAINT "credit_holds_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "legal_holds" ADD CONSTRAINT "legal_holds_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bankruptcy_filings" ADD CONSTRAINT "bankruptcy_filings_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "manager_alerts" ADD CONSTRAINT "manager_alerts_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "call_tasks" ADD CONSTRAINT "call_tasks_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "call_tasks" ADD CONSTRAINT "call_tasks_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "collection_cases"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "call_tasks" ADD CONSTRAINT "call_tasks_assigned_to_id_fkey" FOREIGN KEY ("assigned_to_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "call_tasks" ADD CONSTRAINT "call_tasks_completed_contact_id_fkey" FOREIGN KEY ("completed_contact_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

