-- AlterTable
ALTER TABLE "customers" ADD COLUMN     "termination_category" TEXT;

-- CreateTable
CREATE TABLE "supply_interruptions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "customer_id" UUID NOT NULL,
    "interrupted_on" DATE NOT NULL,
    "restored_on" DATE,
    "reminded_on" DATE,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "supply_interruptions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "supply_interruptions_restored_on_interrupted_on_idx" ON "supply_interruptions"("restored_on", "interrupted_on");

-- CreateIndex
CREATE UNIQUE INDEX "supply_interruptions_customer_id_interrupted_on_key" ON "supply_interruptions"("customer_id", "interrupted_on");

-- AddForeignKey
ALTER TABLE "supply_interruptions" ADD CONSTRAINT "supply_interruptions_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
