-- CreateEnum
CREATE TYPE "AgentState" AS ENUM ('OFFLINE', 'AVAILABLE', 'OFFERED', 'ON_CALL', 'WRAP_UP', 'BREAK');

-- CreateTable
CREATE TABLE "agent_state_changes" (
    "id" BIGSERIAL NOT NULL,
    "user_id" UUID NOT NULL,
    "state" "AgentState" NOT NULL,
    "reason" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "agent_state_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "agent_state_changes_user_id_at_idx" ON "agent_state_changes"("user_id", "at");

-- CreateIndex
CREATE INDEX "agent_state_changes_at_idx" ON "agent_state_changes"("at");

-- AddForeignKey
ALTER TABLE "agent_state_changes" ADD CONSTRAINT "agent_state_changes_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
