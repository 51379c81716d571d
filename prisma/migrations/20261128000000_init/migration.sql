-- CreateTable
CREATE TABLE "Campaign" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL DEFAULT 'Asia/Ho_Chi_Minh',
    "startsOn" TEXT NOT NULL,
    "endsOn" TEXT NOT NULL,
    "monthlyDueDay" INTEGER NOT NULL DEFAULT 15,
    "quarterlyDueDay" INTEGER NOT NULL DEFAULT 15,
    "finalDueOn" TEXT NOT NULL,
    "normNewBuild" BIGINT NOT NULL,
    "normRepair" BIGINT NOT NULL,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Unit" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "parentId" INTEGER,
    "validFrom" TEXT NOT NULL,
    "validTo" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Unit_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Unit" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "UnitSuccession" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "predecessorId" INTEGER NOT NULL,
    "successorId" INTEGER NOT NULL,
    "effectiveOn" TEXT NOT NULL,
    CONSTRAINT "UnitSuccession_predecessorId_fkey" FOREIGN KEY ("predecessorId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "UnitSuccession_successorId_fkey" FOREIGN KEY ("successorId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Person" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "fullName" TEXT NOT NULL,
    "phone" TEXT,
    "locale" TEXT NOT NULL DEFAULT 'vi',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Membership" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "personId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" DATETIME,
    CONSTRAINT "Membership_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Membership_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ChannelIdentity" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "externalUserId" TEXT NOT NULL,
    "personId" INTEGER NOT NULL,
    "displayName" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastInteractionAt" DATETIME,
    CONSTRAINT "ChannelIdentity_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Invite" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "code" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "unitId" INTEGER NOT NULL,
    "fullName" TEXT,
    "createdBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME,
    "usedByPersonId" INTEGER,
    "revokedAt" DATETIME,
    CONSTRAINT "Invite_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Throttle" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "failures" INTEGER NOT NULL,
    "windowStart" DATETIME NOT NULL,
    "blockedUntil" DATETIME
);

-- CreateTable
CREATE TABLE "ReportingPeriod" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "startsOn" TEXT NOT NULL,
    "endsOn" TEXT NOT NULL,
    "opensOn" TEXT NOT NULL,
    "dueOn" TEXT NOT NULL,
    CONSTRAINT "ReportingPeriod_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Report" (
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
    "late" BOOLEAN NOT NULL,
    "channel" TEXT NOT NULL,
    "submittedAt" DATETIME NOT NULL,
    CONSTRAINT "Report_periodId_fkey" FOREIGN KEY ("periodId") REFERENCES "ReportingPeriod" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Report_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "Report_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "FlowState" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "flow" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "data" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "InboundSeen" (
    "channel" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL,

    PRIMARY KEY ("channel", "externalId")
);

-- CreateTable
CREATE TABLE "Outbox" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" DATETIME NOT NULL,
    "claimedAt" DATETIME,
    "sentAt" DATETIME,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL,
    "personId" INTEGER,
    "channel" TEXT,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entityId" TEXT,
    "before" TEXT,
    "after" TEXT
);

-- CreateIndex
CREATE UNIQUE INDEX "Campaign_code_key" ON "Campaign"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Unit_code_key" ON "Unit"("code");

-- CreateIndex
CREATE INDEX "Unit_parentId_idx" ON "Unit"("parentId");

-- CreateIndex
CREATE UNIQUE INDEX "UnitSuccession_predecessorId_successorId_key" ON "UnitSuccession"("predecessorId", "successorId");

-- CreateIndex
CREATE INDEX "Membership_unitId_idx" ON "Membership"("unitId");

-- CreateIndex
CREATE UNIQUE INDEX "Membership_personId_unitId_role_key" ON "Membership"("personId", "unitId", "role");

-- CreateIndex
CREATE INDEX "ChannelIdentity_personId_idx" ON "ChannelIdentity"("personId");

-- CreateIndex
CREATE UNIQUE INDEX "ChannelIdentity_channel_externalUserId_key" ON "ChannelIdentity"("channel", "externalUserId");

-- CreateIndex
CREATE UNIQUE INDEX "Invite_code_key" ON "Invite"("code");

-- CreateIndex
CREATE INDEX "ReportingPeriod_dueOn_idx" ON "ReportingPeriod"("dueOn");

-- CreateIndex
CREATE UNIQUE INDEX "ReportingPeriod_campaignId_code_key" ON "ReportingPeriod"("campaignId", "code");

-- CreateIndex
CREATE UNIQUE INDEX "Report_ref_key" ON "Report"("ref");

-- CreateIndex
CREATE INDEX "Report_unitId_submittedAt_idx" ON "Report"("unitId", "submittedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Report_periodId_unitId_revision_key" ON "Report"("periodId", "unitId", "revision");

-- CreateIndex
CREATE UNIQUE INDEX "FlowState_channel_chatId_key" ON "FlowState"("channel", "chatId");

-- CreateIndex
CREATE INDEX "InboundSeen_receivedAt_idx" ON "InboundSeen"("receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Outbox_idempotencyKey_key" ON "Outbox"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Outbox_status_nextAttemptAt_idx" ON "Outbox"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "AuditLog_entity_entityId_idx" ON "AuditLog"("entity", "entityId");

