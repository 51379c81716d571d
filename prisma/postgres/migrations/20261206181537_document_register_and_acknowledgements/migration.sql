-- AlterTable
ALTER TABLE "FundEntry" ADD COLUMN     "description" TEXT,
ADD COLUMN     "publicName" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "DocumentNumber" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "issuerUnitId" INTEGER NOT NULL,
    "docType" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "number" INTEGER NOT NULL,
    "entity" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "issuedOn" TEXT NOT NULL,
    "personId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DocumentNumber_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Acknowledgement" (
    "id" SERIAL NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "entryId" INTEGER NOT NULL,
    "requestedBy" INTEGER,
    "requestedAt" TIMESTAMP(3) NOT NULL,
    "donorPersonId" INTEGER,
    "approvedBy" INTEGER,
    "approvedAt" TIMESTAMP(3),
    "refusedAt" TIMESTAMP(3),
    "refusal" TEXT,

    CONSTRAINT "Acknowledgement_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "DocumentNumber_issuerUnitId_docType_year_number_key" ON "DocumentNumber"("issuerUnitId", "docType", "year", "number");

-- CreateIndex
CREATE UNIQUE INDEX "DocumentNumber_entity_entityId_key" ON "DocumentNumber"("entity", "entityId");

-- CreateIndex
CREATE UNIQUE INDEX "Acknowledgement_entryId_key" ON "Acknowledgement"("entryId");

-- CreateIndex
CREATE INDEX "Acknowledgement_campaignId_approvedAt_idx" ON "Acknowledgement"("campaignId", "approvedAt");

