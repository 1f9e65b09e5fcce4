-- CreateEnum
CREATE TYPE "BillingHoldKind" AS ENUM ('DIRECT_DEBIT_SUSPENDED', 'DUNNING_BLOCKED');

-- CreateTable
CREATE TABLE "billing_holds" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "customer_id" UUID NOT NULL,
    "case_id" UUID NOT NULL,
    "kind" "BillingHoldKind" NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL,
    "lifted_at" TIMESTAMPTZ(3),

    CONSTRAINT "billing_holds_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "billing_holds_lifted_at_customer_id_idx" ON "billing_holds"("lifted_at", "customer_id");

-- CreateIndex
CREATE UNIQUE INDEX "billing_holds_case_id_kind_key" ON "billing_holds"("case_id", "kind");

-- AddForeignKey
ALTER TABLE "billing_holds" ADD CONSTRAINT "billing_holds_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "billing_holds" ADD CONSTRAINT "billing_holds_case_id_fkey" FOREIGN KEY ("case_id") REFERENCES "cases"("id") ON DELETE CASCADE ON UPDATE CASCADE;
