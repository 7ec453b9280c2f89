-- Webhook receipts: a replayed signed request (bounce, Twilio status callback, inbound SMS) finds its key taken and changes nothing.
CREATE TABLE "webhook_receipts" (
    "source" TEXT NOT NULL,
    "receipt_key" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webhook_receipts_pkey" PRIMARY KEY ("source","receipt_key")
);

CREATE INDEX "webhook_receipts_received_at_idx" ON "webhook_receipts"("received_at");
