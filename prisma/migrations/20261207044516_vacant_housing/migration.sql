-- CreateTable
CREATE TABLE "vacant_housings" (
    "case_id" UUID NOT NULL,
    "supply_point_id" UUID NOT NULL,
    "previous_customer_id" UUID,
    "letter_due" BOOLEAN NOT NULL DEFAULT false,
    "field_task_due" BOOLEAN NOT NULL DEFAULT false,
    "subscribed_contract_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "vacant_housings_pkey" PRIMARY KEY ("case_id")
);

-- CreateIndex
CREATE INDEX "vacant_housings_supply_point_id_idx" ON "vacant_housings"("supply_point_id");

-- AddForeignKey
ALTER TABLE "vacant_housings" ADD CONSTRAINT "vacant_housings_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vacant_housings" ADD CONSTRAINT "vacant_housings_supply_point_id_fkey" FOREIGN KEY ("supply_point_id") REFERENCES "supply_points"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
