-- A contact is a communication (table contacts), an address or number a customer is reached at is a contact point.
ALTER TABLE "customer_contacts" RENAME TO "contact_points";
ALTER TABLE "contact_points" RENAME CONSTRAINT "customer_contacts_pkey" TO "contact_points_pkey";
ALTER TABLE "contact_points" RENAME CONSTRAINT "customer_contacts_customer_id_fkey" TO "contact_points_customer_id_fkey";
ALTER INDEX "customer_contacts_customer_id_kind_value_key" RENAME TO "contact_points_customer_id_kind_value_key";
ALTER INDEX "customer_contacts_kind_value_idx" RENAME TO "contact_points_kind_value_idx";
-- A customer's profile (business or consumer) sets which rules apply to it, not only to its contacts.
ALTER TYPE "contact_profile" RENAME TO "customer_profile";
ALTER TABLE "customers" RENAME COLUMN "contact_profile" TO "profile";
