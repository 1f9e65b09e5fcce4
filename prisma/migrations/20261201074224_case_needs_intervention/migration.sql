-- AlterTable
ALTER TABLE "cases" ADD COLUMN     "needs_intervention" BOOLEAN NOT NULL DEFAULT false;
