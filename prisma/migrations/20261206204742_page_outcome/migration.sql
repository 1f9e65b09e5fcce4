-- CreateEnum
CREATE TYPE "PageOutcome" AS ENUM ('INTERVENTION_PLANNED', 'SOLVED_REMOTELY', 'NOT_OURS');

-- AlterTable
ALTER TABLE "pages" ADD COLUMN     "intervention_at" TIMESTAMPTZ(3),
ADD COLUMN     "outcome" "PageOutcome",
ADD COLUMN     "outcome_at" TIMESTAMPTZ(3),
ADD COLUMN     "outcome_via" TEXT;
