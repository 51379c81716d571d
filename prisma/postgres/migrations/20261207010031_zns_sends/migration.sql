-- CreateTable
CREATE TABLE "ZnsSend" (
    "id" SERIAL NOT NULL,
    "outboxId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "templateId" TEXT NOT NULL,
    "personId" INTEGER,
    "status" TEXT NOT NULL,
    "msgId" TEXT,
    "costDong" INTEGER NOT NULL DEFAULT 0,
    "month" TEXT,
    "dailyQuota" INTEGER,
    "remainingQuota" INTEGER,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "ZnsSend_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ZnsSend_outboxId_key" ON "ZnsSend"("outboxId");

-- CreateIndex
CREATE INDEX "ZnsSend_month_status_idx" ON "ZnsSend"("month", "status");

