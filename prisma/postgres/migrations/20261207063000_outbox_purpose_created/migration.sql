-- CreateIndex
CREATE INDEX "Unit_kind_idx" ON "Unit"("kind");

-- CreateIndex
CREATE INDEX "Outbox_purpose_createdAt_idx" ON "Outbox"("purpose", "createdAt");

