-- AlterTable
ALTER TABLE "cases" ADD COLUMN     "intervention_mobile" TEXT;
