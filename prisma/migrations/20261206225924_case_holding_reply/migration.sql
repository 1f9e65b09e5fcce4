-- AlterTable
ALTER TABLE "cases" ADD COLUMN     "holding_call_due" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "holding_reply_at" TIMESTAMPTZ(3);
