-- AlterTable
ALTER TABLE "Person" ADD COLUMN     "contactConsent" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Pledge" ADD COLUMN     "appealId" INTEGER;

-- AlterTable
ALTER TABLE "LeadershipGroup" ADD COLUMN     "pinnedAt" TIMESTAMP(3),
ADD COLUMN     "pinnedMessageId" TEXT,
ADD COLUMN     "pinnedText" TEXT;

-- CreateTable
CREATE TABLE "StatementImport" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "levelUnitId" INTEGER NOT NULL,
    "bank" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "lines" INTEGER NOT NULL,
    "added" INTEGER NOT NULL,
    "personId" INTEGER,
    "channel" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "StatementImport_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StatementLine" (
    "id" SERIAL NOT NULL,
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
    "score" DOUBLE PRECISION,
    "decidedBy" INTEGER,
    "decidedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "StatementLine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Appeal" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "photo" TEXT,
    "audiences" TEXT NOT NULL,
    "createdBy" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),
    "recipients" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Appeal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ContactOptOut" (
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "personId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ContactOptOut_pkey" PRIMARY KEY ("channel","chatId")
);

-- CreateTable
CREATE TABLE "ModelExample" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "who" TEXT NOT NULL,
    "what" TEXT NOT NULL,
    "photo" TEXT,
    "personId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "withdrawnAt" TIMESTAMP(3),

    CONSTRAINT "ModelExample_pkey" PRIMARY KEY ("id")
);

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

