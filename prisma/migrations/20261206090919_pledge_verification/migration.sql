-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Pledge" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ref" TEXT NOT NULL,
    "campaignId" INTEGER NOT NULL,
    "donorKind" TEXT NOT NULL,
    "donorName" TEXT NOT NULL,
    "donorPhone" TEXT,
    "personId" INTEGER,
    "orgUnitId" INTEGER,
    "fundUnitId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "description" TEXT,
    "quantity" REAL,
    "quantityUnit" TEXT,
    "amount" BIGINT NOT NULL,
    "householdId" INTEGER,
    "targetUnitId" INTEGER,
    "dueOn" TEXT,
    "publicName" BOOLEAN NOT NULL DEFAULT false,
    "channel" TEXT,
    "cancelledAt" DATETIME,
    "cancelReason" TEXT,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "received" BIGINT NOT NULL DEFAULT 0,
    "anonymous" BOOLEAN NOT NULL DEFAULT false,
    "verification" TEXT,
    "verifiedBy" INTEGER,
    "verifiedAt" DATETIME
);
INSERT INTO "new_Pledge" ("amount", "campaignId", "cancelReason", "cancelledAt", "channel", "createdAt", "description", "donorKind", "donorName", "donorPhone", "dueOn", "fundUnitId", "householdId", "id", "kind", "orgUnitId", "personId", "publicName", "quantity", "quantityUnit", "received", "ref", "targetUnitId", "updatedAt") SELECT "amount", "campaignId", "cancelReason", "cancelledAt", "channel", "createdAt", "description", "donorKind", "donorName", "donorPhone", "dueOn", "fundUnitId", "householdId", "id", "kind", "orgUnitId", "personId", "publicName", "quantity", "quantityUnit", "received", "ref", "targetUnitId", "updatedAt" FROM "Pledge";
DROP TABLE "Pledge";
ALTER TABLE "new_Pledge" RENAME TO "Pledge";
CREATE UNIQUE INDEX "Pledge_ref_key" ON "Pledge"("ref");
CREATE INDEX "Pledge_campaignId_fundUnitId_idx" ON "Pledge"("campaignId", "fundUnitId");
CREATE INDEX "Pledge_orgUnitId_idx" ON "Pledge"("orgUnitId");
CREATE INDEX "Pledge_personId_createdAt_idx" ON "Pledge"("personId", "createdAt");
CREATE INDEX "Pledge_anonymous_createdAt_idx" ON "Pledge"("anonymous", "createdAt");
CREATE INDEX "Pledge_campaignId_orgUnitId_cancelledAt_verification_fundUnitId_amount_received_id_idx" ON "Pledge"("campaignId", "orgUnitId", "cancelledAt", "verification", "fundUnitId", "amount", "received", "id");
CREATE INDEX "Pledge_campaignId_donorKind_donorName_cancelledAt_verification_fundUnitId_publicName_amount_received_id_idx" ON "Pledge"("campaignId", "donorKind", "donorName", "cancelledAt", "verification", "fundUnitId", "publicName", "amount", "received", "id");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

