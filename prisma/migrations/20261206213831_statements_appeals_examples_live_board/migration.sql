-- AlterTable
ALTER TABLE "Pledge" ADD COLUMN "appealId" INTEGER;

-- AlterTable
ALTER TABLE "LeadershipGroup" ADD COLUMN "pinnedAt" DATETIME;
ALTER TABLE "LeadershipGroup" ADD COLUMN "pinnedMessageId" TEXT;
ALTER TABLE "LeadershipGroup" ADD COLUMN "pinnedText" TEXT;

-- CreateTable
CREATE TABLE "StatementImport" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "levelUnitId" INTEGER NOT NULL,
    "bank" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "lines" INTEGER NOT NULL,
    "added" INTEGER NOT NULL,
    "personId" INTEGER,
    "channel" TEXT,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "StatementLine" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "levelUnitId" INTEGER NOT NULL,
    "importId" INTEGER NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "postedOn" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "description" TEXT NOT NULL,
    "counterparty" TEXT,
    "bankRef" TEXT,
    "status" TEXT NOT NULL,
    "pledgeId" INTEGER,
    "entryId" INTEGER,
    "score" REAL,
    "decidedBy" INTEGER,
    "decidedAt" DATETIME,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Appeal" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "photo" TEXT,
    "audiences" TEXT NOT NULL,
    "createdBy" INTEGER,
    "createdAt" DATETIME NOT NULL,
    "sentAt" DATETIME,
    "recipients" INTEGER NOT NULL DEFAULT 0
);

-- CreateTable
CREATE TABLE "ContactOptOut" (
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "personId" INTEGER,
    "createdAt" DATETIME NOT NULL,

    PRIMARY KEY ("channel", "chatId")
);

-- CreateTable
CREATE TABLE "ModelExample" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "who" TEXT NOT NULL,
    "what" TEXT NOT NULL,
    "photo" TEXT,
    "personId" INTEGER,
    "createdAt" DATETIME NOT NULL,
    "withdrawnAt" DATETIME
);

-- AlterTable (a column added in place: redefining Person is not needed)
ALTER TABLE "Person" ADD COLUMN "contactConsent" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "StatementImport_levelUnitId_createdAt_idx" ON "StatementImport"("levelUnitId", "createdAt");

-- CreateIndex
CREATE INDEX "StatementLine_importId_idx" ON "StatementLine"("importId");

-- CreateIndex
CREATE INDEX "StatementLine_levelUnitId_status_idx" ON "StatementLine"("levelUnitId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "StatementLine_levelUnitId_fingerprint_key" ON "StatementLine"("levelUnitId", "fingerprint");

-- CreateIndex
CREATE UNIQUE INDEX "Appeal_code_key" ON "Appeal"("code");

-- CreateIndex
CREATE INDEX "ContactOptOut_personId_idx" ON "ContactOptOut"("personId");

-- CreateIndex
CREATE INDEX "ModelExample_campaignId_createdAt_idx" ON "ModelExample"("campaignId", "createdAt");

-- CreateIndex
CREATE INDEX "Pledge_appealId_idx" ON "Pledge"("appealId");

