-- AlterTable
ALTER TABLE "departures" ADD COLUMN     "connection_closed_at" TIMESTAMPTZ(3),
ADD COLUMN     "meter_index" INTEGER,
ADD COLUMN     "meter_survey_due" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "vacant_housings" ADD COLUMN     "connection_closed_at" TIMESTAMPTZ(3),
ADD COLUMN     "meter_index" INTEGER;
