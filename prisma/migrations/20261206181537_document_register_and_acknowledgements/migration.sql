-- CreateTable
CREATE TABLE "DocumentNumber" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "issuerUnitId" INTEGER NOT NULL,
    "docType" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "number" INTEGER NOT NULL,
    "entity" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "issuedOn" TEXT NOT NULL,
    "personId" INTEGER,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Acknowledgement" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "entryId" INTEGER NOT NULL,
    "requestedBy" INTEGER,
    "requestedAt" DATETIME NOT NULL,
    "donorPersonId" INTEGER,
    "approvedBy" INTEGER,
    "approvedAt" DATETIME,
    "refusedAt" DATETIME,
    "refusal" TEXT
);

-- AlterTable (hand-written: adding columns keeps the table, and with it the triggers that keep the
-- ledger append-only, which a redefinition would drop)
ALTER TABLE "FundEntry" ADD COLUMN "publicName" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "FundEntry" ADD COLUMN "description" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "DocumentNumber_issuerUnitId_docType_year_number_key" ON "DocumentNumber"("issuerUnitId", "docType", "year", "number");

-- CreateIndex
CREATE UNIQUE INDEX "DocumentNumber_entity_entityId_key" ON "DocumentNumber"("entity", "entityId");

-- CreateIndex
CREATE UNIQUE INDEX "Acknowledgement_entryId_key" ON "Acknowledgement"("entryId");

-- CreateIndex
CREATE INDEX "Acknowledgement_campaignId_approvedAt_idx" ON "Acknowledgement"("campaignId", "approvedAt");

