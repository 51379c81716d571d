-- CreateTable
CREATE TABLE "Feedback" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ref" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "personId" INTEGER,
    "name" TEXT,
    "unitId" INTEGER NOT NULL,
    "topic" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "photos" TEXT NOT NULL DEFAULT '[]',
    "status" TEXT NOT NULL DEFAULT 'received',
    "answer" TEXT,
    "handledBy" INTEGER,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Feedback_ref_key" ON "Feedback"("ref");

-- CreateIndex
CREATE INDEX "Feedback_channel_chatId_createdAt_idx" ON "Feedback"("channel", "chatId", "createdAt");

-- CreateIndex
CREATE INDEX "Feedback_unitId_status_idx" ON "Feedback"("unitId", "status");

