-- AlterTable
ALTER TABLE "cases" ADD COLUMN     "waited_seconds" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "waiting_for" TEXT,
ADD COLUMN     "waiting_since" TIMESTAMPTZ(3);
