-- CreateEnum
CREATE TYPE "QueuedCallOutcome" AS ENUM ('ANSWERED', 'ABANDONED', 'LEFT');

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "agent_phone" TEXT,
ADD COLUMN     "auto_accept" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "skill_languages" "Locale"[] DEFAULT ARRAY['fr']::"Locale"[],
ADD COLUMN     "skill_lines" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "queued_calls" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "call_sid" TEXT NOT NULL,
    "line" TEXT NOT NULL,
    "queued_at" TIMESTAMPTZ(3) NOT NULL,
    "urgent" BOOLEAN NOT NULL DEFAULT false,
    "offers" INTEGER NOT NULL DEFAULT 0,
    "callback" BOOLEAN NOT NULL DEFAULT false,
    "agent_id" UUID,
    "answered_at" TIMESTAMPTZ(3),
    "ended_at" TIMESTAMPTZ(3),
    "outcome" "QueuedCallOutcome",
    "wrap_up_ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "queued_calls_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "queued_calls_call_sid_key" ON "queued_calls"("call_sid");

-- CreateIndex
CREATE INDEX "queued_calls_queued_at_idx" ON "queued_calls"("queued_at");

-- AddForeignKey
ALTER TABLE "queued_calls" ADD CONSTRAINT "queued_calls_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
