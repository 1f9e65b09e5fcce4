-- CreateEnum
CREATE TYPE "AlertStatus" AS ENUM ('OPEN', 'ACKNOWLEDGED', 'UNANSWERED', 'DEACTIVATED');

-- AlterTable
ALTER TABLE "customers" ADD COLUMN     "alert_threshold_litres" INTEGER,
ADD COLUMN     "alerts_active" BOOLEAN NOT NULL DEFAULT true;

-- CreateTable
CREATE TABLE "meter_readings" (
    "meter_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "index_litres" BIGINT,
    "volume_litres" INTEGER,

    CONSTRAINT "meter_readings_pkey" PRIMARY KEY ("meter_id","day")
);

-- CreateTable
CREATE TABLE "alert_thresholds" (
    "diameter_mm" SMALLINT NOT NULL,
    "threshold_litres" INTEGER NOT NULL,
    "consecutive_days" SMALLINT NOT NULL,

    CONSTRAINT "alert_thresholds_pkey" PRIMARY KEY ("diameter_mm")
);

-- CreateTable
CREATE TABLE "consumption_alerts" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "meter_id" UUID NOT NULL,
    "supply_point_id" UUID NOT NULL,
    "customer_id" UUID,
    "episode_start" DATE NOT NULL,
    "detected_on" DATE NOT NULL,
    "threshold_litres" INTEGER NOT NULL,
    "consecutive_days" SMALLINT NOT NULL,
    "volumes" JSONB NOT NULL DEFAULT '[]',
    "status" "AlertStatus" NOT NULL DEFAULT 'OPEN',
    "reply_code" TEXT NOT NULL,
    "reminders_sent" SMALLINT NOT NULL DEFAULT 0,
    "by_letter" BOOLEAN NOT NULL DEFAULT false,
    "acknowledged_at" TIMESTAMPTZ(3),
    "acknowledged_via" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "consumption_alerts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sms_opt_outs" (
    "phone" TEXT NOT NULL,
    "keyword" TEXT NOT NULL,
    "opted_out_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sms_opt_outs_pkey" PRIMARY KEY ("phone")
);

-- CreateIndex
CREATE INDEX "consumption_alerts_customer_id_status_idx" ON "consumption_alerts"("customer_id", "status");

-- CreateIndex
CREATE INDEX "consumption_alerts_supply_point_id_idx" ON "consumption_alerts"("supply_point_id");

-- CreateIndex
CREATE INDEX "consumption_alerts_status_detected_on_idx" ON "consumption_alerts"("status", "detected_on");

-- CreateIndex
CREATE UNIQUE INDEX "consumption_alerts_meter_id_episode_start_key" ON "consumption_alerts"("meter_id", "episode_start");

-- AddForeignKey
ALTER TABLE "meter_readings" ADD CONSTRAINT "meter_readings_meter_id_fkey" FOREIGN KEY ("meter_id") REFERENCES "meters"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consumption_alerts" ADD CONSTRAINT "consumption_alerts_meter_id_fkey" FOREIGN KEY ("meter_id") REFERENCES "meters"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consumption_alerts" ADD CONSTRAINT "consumption_alerts_supply_point_id_fkey" FOREIGN KEY ("supply_point_id") REFERENCES "supply_points"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consumption_alerts" ADD CONSTRAINT "consumption_alerts_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Hand-written: the alert thresholds of DOMAIN.md section 5 (m³/day as litres, consecutive days).
INSERT INTO "alert_thresholds" ("diameter_mm", "threshold_litres", "consecutive_days") VALUES
  (15, 1000, 3), (20, 1000, 3), (30, 2000, 5), (40, 5000, 5), (50, 5000, 5), (60, 10000, 5),
  (65, 10000, 5), (80, 10000, 5), (100, 10000, 5), (125, 10000, 5), (150, 10000, 5);
