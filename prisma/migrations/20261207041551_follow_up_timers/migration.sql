-- CreateEnum
CREATE TYPE "TimerState" AS ENUM ('PENDING', 'FIRED', 'CANCELLED');

-- CreateTable
CREATE TABLE "follow_up_timers" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "case_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "state" "TimerState" NOT NULL DEFAULT 'PENDING',
    "fired_at" TIMESTAMPTZ(3),
    "data" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "follow_up_timers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "departures" (
    "case_id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "contract_id" UUID,
    "planned_date" DATE NOT NULL,
    "email" TEXT,
    "mobile" TEXT,
    "rented" BOOLEAN NOT NULL,
    "owner_name" TEXT,
    "owner_phone" TEXT,
    "owner_email" TEXT,
    "owner_address" TEXT,
    "letter_due" BOOLEAN NOT NULL DEFAULT false,
    "call_due" BOOLEAN NOT NULL DEFAULT false,
    "departed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "departures_pkey" PRIMARY KEY ("case_id")
);

-- CreateIndex
CREATE INDEX "follow_up_timers_state_due_at_idx" ON "follow_up_timers"("state", "due_at");

-- CreateIndex
CREATE UNIQUE INDEX "follow_up_timers_case_id_kind_key" ON "follow_up_timers"("case_id", "kind");

-- CreateIndex
CREATE INDEX "departures_customer_id_idx" ON "departures"("customer_id");

-- CreateIndex
CREATE INDEX "departures_contract_id_idx" ON "departures"("contract_id");

-- AddForeignKey
ALTER TABLE "follow_up_timers" ADD CONSTRAINT "follow_up_timers_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "departures" ADD CONSTRAINT "departures_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "departures" ADD CONSTRAINT "departures_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "departures" ADD CONSTRAINT "departures_contract_id_fkey" FOREIGN KEY ("contract_id") REFERENCES "contracts"("id") ON DELETE SET NULL ON UPDATE CASCADE;
