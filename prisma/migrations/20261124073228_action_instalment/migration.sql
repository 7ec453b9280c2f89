-- AlterTable
ALTER TABLE "dunning_action_invoices" ADD COLUMN     "instalment_id" UUID;

