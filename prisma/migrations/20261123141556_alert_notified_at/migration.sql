-- AlterTable
ALTER TABLE "consumption_alerts" ADD COLUMN     "notified_at" TIMESTAMPTZ(3);
