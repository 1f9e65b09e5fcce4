-- CreateIndex
CREATE INDEX "page_attempts_call_message_id_idx" ON "page_attempts"("call_message_id");

-- CreateIndex
CREATE INDEX "page_attempts_sms_message_id_idx" ON "page_attempts"("sms_message_id");
