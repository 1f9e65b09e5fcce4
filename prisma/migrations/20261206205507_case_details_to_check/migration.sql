-- AlterTable
ALTER TABLE "cases" ADD COLUMN     "details_to_check" BOOLEAN NOT NULL DEFAULT false;
