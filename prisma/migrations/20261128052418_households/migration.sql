-- AlterTable
ALTER TABLE "Report" ADD COLUMN "registryReason" TEXT;

-- CreateTable
CREATE TABLE "Household" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "village" TEXT NOT NULL,
    "headName" TEXT NOT NULL,
    "headNameKey" TEXT NOT NULL,
    "birthYear" INTEGER,
    "idNumberHash" TEXT,
    "idNumberLast4" TEXT,
    "category" TEXT NOT NULL,
    "need" TEXT NOT NULL,
    "foundationDurable" BOOLEAN NOT NULL,
    "frameDurable" BOOLEAN NOT NULL,
    "roofDurable" BOOLEAN NOT NULL,
    "area" REAL,
    "members" INTEGER NOT NULL,
    "landLegal" BOOLEAN NOT NULL,
    "landUndisputed" BOOLEAN NOT NULL,
    "outsideLandslideZone" BOOLEAN NOT NULL,
    "confirmedByCommune" BOOLEAN NOT NULL,
    "eligible" BOOLEAN NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'proposed',
    "supportedBefore" TEXT,
    "overrideReason" TEXT,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Household_unitId_fkey" FOREIGN KEY ("unitId") REFERENCES "Unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "HouseholdEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "householdId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "fromStatus" TEXT,
    "toStatus" TEXT,
    "note" TEXT,
    "photos" TEXT NOT NULL DEFAULT '[]',
    "personId" INTEGER,
    "channel" TEXT,
    "at" DATETIME NOT NULL,
    CONSTRAINT "HouseholdEvent_householdId_fkey" FOREIGN KEY ("householdId") REFERENCES "Household" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Household_campaignId_headNameKey_idx" ON "Household"("campaignId", "headNameKey");

-- CreateIndex
CREATE INDEX "Household_unitId_status_idx" ON "Household"("unitId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Household_campaignId_code_key" ON "Household"("campaignId", "code");

-- CreateIndex
CREATE INDEX "HouseholdEvent_householdId_at_idx" ON "HouseholdEvent"("householdId", "at");

