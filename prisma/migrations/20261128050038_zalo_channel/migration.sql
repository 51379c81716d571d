-- CreateTable
CREATE TABLE "InboundEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL,
    "processedAt" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT
);

-- CreateTable
CREATE TABLE "ZaloToken" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "accessToken" TEXT NOT NULL,
    "refreshToken" TEXT NOT NULL,
    "accessExpiresAt" DATETIME NOT NULL,
    "refreshedAt" DATETIME,
    "leaseUntil" DATETIME,
    "deadSince" DATETIME,
    "lastError" TEXT
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Report" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ref" TEXT NOT NULL,
    "periodId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "personId" INTEGER NOT NULL,
    "revision" INTEGER NOT NULL,
    "approvedNew" INTEGER NOT NULL,
    "approvedRepair" INTEGER NOT NULL,
    "startedNew" INTEGER NOT NULL,
    "startedRepair" INTEGER NOT NULL,
    "completedNew" INTEGER NOT NULL,
    "completedRepair" INTEGER NOT NULL,
    "handedOverNew" INTEGER NOT NULL,
    "handedOverRepair" INTEGER NOT NULL,
    "moneyReceived" BIGINT NOT NULL,
    "moneyPaid" BIGINT NOT NULL,
    "labourDays" INTEGER NOT NULL,
    "difficulties" TEXT NOT NULL,
    "proposals" TEXT NOT NULL,
    "decreaseReason" TEXT,
    "photos" TEXT NOT NULL DEFAULT '[]',
    "late" BOOLEAN NOT NULL,
    "channel" TEXT NOT NULL,
    "submittedAt" DATETIME NOT NULL,
    CONSTRAINT "Report_periodId_fkey" FOREIGN KEY ("periodId") REFERENCES "ReportingPeriod" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Report_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Report_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Report" ("approvedNew", "approvedRepair", "channel", "completedNew", "completedRepair", "decreaseReason", "difficulties", "handedOverNew", "handedOverRepair", "id", "labourDays", "late", "moneyPaid", "moneyReceived", "periodId", "personId", "proposals", "ref", "revision", "startedNew", "startedRepair", "submittedAt", "unitId") SELECT "approvedNew", "approvedRepair", "channel", "completedNew", "completedRepair", "decreaseReason", "difficulties", "handedOverNew", "handedOverRepair", "id", "labourDays", "late", "moneyPaid", "moneyReceived", "periodId", "personId", "proposals", "ref", "revision", "startedNew", "startedRepair", "submittedAt", "unitId" FROM "Report";
DROP TABLE "Report";
ALTER TABLE "new_Report" RENAME TO "Report";
CREATE UNIQUE INDEX "Report_ref_key" ON "Report"("ref");
CREATE INDEX "Report_unitId_submittedAt_idx" ON "Report"("unitId", "submittedAt");
CREATE UNIQUE INDEX "Report_periodId_unitId_revision_key" ON "Report"("periodId", "unitId", "revision");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "InboundEvent_processedAt_idx" ON "InboundEvent"("processedAt");

-- CreateIndex
CREATE UNIQUE INDEX "InboundEvent_channel_externalId_key" ON "InboundEvent"("channel", "externalId");

-- CreateIndex
CREATE INDEX "Outbox_channel_chatId_status_idx" ON "Outbox"("channel", "chatId", "status");

