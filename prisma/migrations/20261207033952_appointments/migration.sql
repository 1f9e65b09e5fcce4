-- CreateEnum
CREATE TYPE "AppointmentStatus" AS ENUM ('BOOKED', 'CONFIRMED', 'RESCHEDULING', 'CANCELLED', 'MISSED', 'DONE');

-- CreateEnum
CREATE TYPE "AppointmentParty" AS ENUM ('CUSTOMER', 'COMPANY');

-- AlterTable
ALTER TABLE "agencies" ADD COLUMN     "field_hours" JSONB;

-- AlterTable
ALTER TABLE "technicians" ADD COLUMN     "field_weekdays" INTEGER[] DEFAULT ARRAY[]::INTEGER[];

-- AlterTable
ALTER TABLE "cases" ADD COLUMN     "scheduling_callback_since" TIMESTAMPTZ(3),
ADD COLUMN     "travel_fee_due" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "agency_closures" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "agency_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "reason" TEXT,

    CONSTRAINT "agency_closures_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "technician_absences" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "technician_id" UUID NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "technician_absences_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "appointments" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "case_id" UUID NOT NULL,
    "customer_id" UUID,
    "agency_id" UUID NOT NULL,
    "technician_id" UUID,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "AppointmentStatus" NOT NULL DEFAULT 'BOOKED',
    "intervention_type" TEXT NOT NULL,
    "presence_required" BOOLEAN NOT NULL,
    "meter_location" TEXT NOT NULL,
    "meter_accessible" BOOLEAN NOT NULL,
    "confirm_by" "MessageChannel" NOT NULL,
    "mobile" TEXT,
    "email" TEXT,
    "locale" "Locale" NOT NULL DEFAULT 'fr',
    "reply_code" TEXT NOT NULL,
    "offered_slots" JSONB,
    "offered_at" TIMESTAMPTZ(3),
    "confirmed_at" TIMESTAMPTZ(3),
    "cancelled_at" TIMESTAMPTZ(3),
    "cancelled_by" "AppointmentParty",
    "missed_at" TIMESTAMPTZ(3),
    "missed_by" "AppointmentParty",
    "call_due" BOOLEAN NOT NULL DEFAULT false,
    "reason" TEXT,
    "booked_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "appointments_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "agency_closures_agency_id_day_key" ON "agency_closures"("agency_id", "day");

-- CreateIndex
CREATE INDEX "technician_absences_technician_id_starts_at_idx" ON "technician_absences"("technician_id", "starts_at");

-- CreateIndex
CREATE INDEX "appointments_agency_id_starts_at_idx" ON "appointments"("agency_id", "starts_at");

-- CreateIndex
CREATE INDEX "appointments_case_id_idx" ON "appointments"("case_id");

-- CreateIndex
CREATE INDEX "appointments_mobile_status_idx" ON "appointments"("mobile", "status");

-- AddForeignKey
ALTER TABLE "agency_closures" ADD CONSTRAINT "agency_closures_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "agencies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "technician_absences" ADD CONSTRAINT "technician_absences_technician_id_fkey" FOREIGN KEY ("technician_id") REFERENCES "technicians"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "agencies"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_technician_id_fkey" FOREIGN KEY ("technician_id") REFERENCES "technicians"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_booked_by_id_fkey" FOREIGN KEY ("booked_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Hand-written: [AP-2] two bookings cannot hold one technician at overlapping times, whatever the
-- code does (two agents booking the same slot at once): the database refuses the second.
-- btree_gist gives GiST the uuid equality the constraint needs (PostgreSQL's contrib, no download).
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_technician_no_overlap"
  EXCLUDE USING gist ("technician_id" WITH =, tstzrange("starts_at", "ends_at") WITH &&)
  WHERE ("status" IN ('BOOKED', 'CONFIRMED'));
