-- Replies (issue 17): every message a customer sent us, stored before it is acted on, with its attachments and the promises or disputes it suggests.
-- CreateEnum
CREATE TYPE "reply_classification" AS ENUM ('auto_reply', 'bounce', 'opt_out', 'promise', 'dispute', 'paid_claim', 'other');

-- CreateEnum
CREATE TYPE "reply_match" AS ENUM ('in_reply_to', 'references', 'sender', 'assigned');

-- CreateEnum
CREATE TYPE "suggestion_kind" AS ENUM ('promise', 'dispute');

-- CreateEnum
CREATE TYPE "suggestion_status" AS ENUM ('open', 'confirmed', 'dismissed');

-- CreateTable
CREATE TABLE "replies" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "channel" "contact_channel" NOT NULL,
    "source" TEXT NOT NULL,
    "source_ref" TEXT,
    "dedupe_key" TEXT NOT NULL,
    "message_id" TEXT,
    "raw_sha256" TEXT NOT NULL,
    "sender" TEXT,
    "subject" TEXT,
    "body_text" TEXT NOT NULL,
    "body_html" TEXT,
    "raw" BYTEA,
    "raw_bytes" INTEGER NOT NULL,
    "raw_omitted" TEXT,
    "parse_error" TEXT,
    "customer_id" UUID,
    "contact_id" UUID,
    "answers_contact_id" UUID,
    "matched_by" "reply_match",
    "classification" "reply_classification" NOT NULL,
    "rule" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "from_person" BOOLEAN NOT NULL,
    "promised_date" DATE,
    "promised_amount_minor" BIGINT,
    "promised_currency" CHAR(3),
    "returns_date" DATE,
    "invoice_numbers" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "paused_through" DATE,
    "cash_application" BOOLEAN NOT NULL DEFAULT false,
    "actions" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "acted_at" TIMESTAMPTZ(3),
    "handled_at" TIMESTAMPTZ(3),
    "handled_by" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "replies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reply_attachments" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "reply_id" UUID NOT NULL,
    "filename" TEXT,
    "content_type" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "content" BYTEA,
    "omitted" TEXT,

    CONSTRAINT "reply_attachments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reply_suggestions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "reply_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "kind" "suggestion_kind" NOT NULL,
    "promised_date" DATE,
    "amount_minor" BIGINT,
    "currency" CHAR(3),
    "invoice_ids" UUID[] DEFAULT ARRAY[]::UUID[],
    "status" "suggestion_status" NOT NULL DEFAULT 'open',
    "decided_at" TIMESTAMPTZ(3),
    "decided_by" TEXT,
    "result_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reply_suggestions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "replies_dedupe_key_key" ON "replies"("dedupe_key");

-- CreateIndex
CREATE UNIQUE INDEX "replies_contact_id_key" ON "replies"("contact_id");

-- CreateIndex
CREATE INDEX "replies_customer_id_handled_at_idx" ON "replies"("customer_id", "handled_at");

-- CreateIndex
CREATE INDEX "replies_answers_contact_id_idx" ON "replies"("answers_contact_id");

-- CreateIndex
CREATE INDEX "replies_received_at_idx" ON "replies"("received_at");

-- CreateIndex
CREATE INDEX "reply_attachments_reply_id_idx" ON "reply_attachments"("reply_id");

-- CreateIndex
CREATE INDEX "reply_suggestions_status_created_at_idx" ON "reply_suggestions"("status", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "reply_suggestions_reply_id_kind_key" ON "reply_suggestions"("reply_id", "kind");

-- AddForeignKey
ALTER TABLE "replies" ADD CONSTRAINT "replies_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "replies" ADD CONSTRAINT "replies_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "replies" ADD CONSTRAINT "replies_answers_contact_id_fkey" FOREIGN KEY ("answers_contact_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reply_attachments" ADD CONSTRAINT "reply_attachments_reply_id_fkey" FOREIGN KEY ("reply_id") REFERENCES "replies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reply_suggestions" ADD CONSTRAINT "reply_suggestions_reply_id_fkey" FOREIGN KEY ("reply_id") REFERENCES "replies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reply_suggestions" ADD CONSTRAINT "reply_suggestions_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

