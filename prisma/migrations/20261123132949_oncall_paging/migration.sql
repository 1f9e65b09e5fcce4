-- CreateEnum
CREATE TYPE "PageStatus" AS ENUM ('SCHEDULED', 'PAGING', 'ACKNOWLEDGED', 'UNREACHED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "PageTarget" AS ENUM ('TECHNICIAN', 'MANAGER');

-- CreateEnum
CREATE TYPE "AttemptOutcome" AS ENUM ('PENDING', 'ACCEPTED', 'REFUSED', 'NO_ANSWER', 'BUSY', 'FAILED', 'MACHINE', 'NO_ACK');

-- AlterTable
ALTER TABLE "technicians" ADD COLUMN     "poor_coverage_until" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "pages" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "case_id" UUID NOT NULL,
    "agency_id" UUID,
    "on_call_type" TEXT,
    "decision" TEXT NOT NULL,
    "status" "PageStatus" NOT NULL DEFAULT 'SCHEDULED',
    "scheduled_for" TIMESTAMPTZ(3) NOT NULL,
    "reply_code" TEXT NOT NULL,
    "escalated_at" TIMESTAMPTZ(3),
    "escalation_reason" TEXT,
    "acknowledged_at" TIMESTAMPTZ(3),
    "recap_sent_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "pages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "page_attempts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "page_id" UUID NOT NULL,
    "number" SMALLINT NOT NULL,
    "target" "PageTarget" NOT NULL,
    "technician_id" UUID,
    "manager_id" UUID,
    "rota_id" UUID,
    "mobile" TEXT NOT NULL,
    "outcome" "AttemptOutcome" NOT NULL DEFAULT 'PENDING',
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),
    "call_message_id" UUID,
    "sms_message_id" UUID,

    CONSTRAINT "page_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "pages_case_id_key" ON "pages"("case_id");

-- CreateIndex
CREATE INDEX "pages_status_scheduled_for_idx" ON "pages"("status", "scheduled_for");

-- CreateIndex
CREATE INDEX "page_attempts_rota_id_started_at_idx" ON "page_attempts"("rota_id", "started_at");

-- CreateIndex
CREATE INDEX "page_attempts_mobile_started_at_idx" ON "page_attempts"("mobile", "started_at");

-- CreateIndex
CREATE UNIQUE INDEX "page_attempts_page_id_number_key" ON "page_attempts"("page_id", "number");

-- AddForeignKey
ALTER TABLE "pages" ADD CONSTRAINT "pages_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "page_attempts" ADD CONSTRAINT "page_attempts_page_id_fkey" FOREIGN KEY ("page_id") REFERENCES "pages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "page_attempts" ADD CONSTRAINT "page_attempts_technician_id_fkey" FOREIGN KEY ("technician_id") REFERENCES "technicians"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "page_attempts" ADD CONSTRAINT "page_attempts_manager_id_fkey" FOREIGN KEY ("manager_id") REFERENCES "regional_managers"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "page_attempts" ADD CONSTRAINT "page_attempts_rota_id_fkey" FOREIGN KEY ("rota_id") REFERENCES "technician_rotas"("id") ON DELETE SET NULL ON UPDATE CASCADE;
