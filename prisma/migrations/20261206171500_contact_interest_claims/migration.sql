-- The late-payment claim a message stated, per invoice (a policy step with interest true), kept
-- with the contact so the case file shows what was claimed in which message.
CREATE TABLE "contact_interest_claims" (
    "contact_id" UUID NOT NULL,
    "invoice_id" UUID NOT NULL,
    "as_of" DATE NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "principal_minor" BIGINT NOT NULL,
    "days_late" INTEGER NOT NULL,
    "rule" TEXT NOT NULL,
    "rates" TEXT NOT NULL,
    "interest_minor" BIGINT NOT NULL,
    "compensation_minor" BIGINT NOT NULL,
    "legal_basis" TEXT,

    CONSTRAINT "contact_interest_claims_pkey" PRIMARY KEY ("contact_id","invoice_id")
);

CREATE INDEX "contact_interest_claims_invoice_id_idx" ON "contact_interest_claims"("invoice_id");

ALTER TABLE "contact_interest_claims" ADD CONSTRAINT "contact_interest_claims_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "contact_interest_claims" ADD CONSTRAINT "contact_interest_claims_invoice_id_fkey" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
