-- CreateTable
CREATE TABLE "LeadershipGroup" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "title" TEXT,
    "unitId" INTEGER NOT NULL,
    "digests" TEXT NOT NULL DEFAULT '["weekly","deadline","semiannual"]',
    "status" TEXT NOT NULL DEFAULT 'pending',
    "requestedBy" INTEGER,
    "requestedAt" DATETIME NOT NULL,
    "confirmedBy" INTEGER,
    "confirmedAt" DATETIME
);

-- CreateTable
CREATE TABLE "ReminderPause" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "personId" INTEGER NOT NULL,
    "periodId" INTEGER,
    "until" TEXT,
    "reason" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- AlterTable (columns with defaults: an ALTER is enough, no table copy)
ALTER TABLE "Outbox" ADD COLUMN "purpose" TEXT NOT NULL DEFAULT 'reply';
ALTER TABLE "Outbox" ADD COLUMN "personId" INTEGER;
CREATE INDEX "Outbox_purpose_personId_createdAt_idx" ON "Outbox"("purpose", "personId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "LeadershipGroup_channel_chatId_key" ON "LeadershipGroup"("channel", "chatId");

-- CreateIndex
CREATE INDEX "ReminderPause_personId_idx" ON "ReminderPause"("personId");

