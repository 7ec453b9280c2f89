-- CreateEnum
CREATE TYPE "statement_schedule" AS ENUM ('none', 'weekly', 'monthly');

-- AlterTable
ALTER TABLE "customers" ADD COLUMN     "statement_schedule" "statement_schedule" NOT NULL DEFAULT 'monthly';

