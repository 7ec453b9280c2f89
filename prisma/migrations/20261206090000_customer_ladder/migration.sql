-- The customer, not each invoice, climbs the dunning ladder: one cycle per customer at a time.
ALTER TABLE "collection_cases" ADD COLUMN     "ladder_cycle" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "ladder_open" BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE "dunning_actions" ADD COLUMN     "ladder_cycle" INTEGER;

-- Cases already being chased continue in cycle 1: the steps their open invoices already got
-- count as fired in it, so upgrading sends nothing twice. (Courtesy steps are the ones at or
-- before the due date, which the shipped policies call "courtesy".)
UPDATE "dunning_actions" a SET "ladder_cycle" = 1
 WHERE a."policy_id" <> 'payment-plan' AND a."step_id" NOT IN ('courtesy', 'broken-promise')
   AND EXISTS (SELECT 1 FROM "dunning_action_invoices" ai JOIN "invoices" i ON i."id" = ai."invoice_id"
                WHERE ai."action_id" = a."id" AND i."status" = 'open' AND i."open_balance_minor" > 0
                  AND ai."cycle" = i."dunning_cycle");

UPDATE "collection_cases" c SET "ladder_cycle" = 1, "ladder_open" = true
 WHERE EXISTS (SELECT 1 FROM "dunning_actions" a WHERE a."customer_id" = c."customer_id" AND a."ladder_cycle" = 1);
