-- DropIndex
DROP INDEX "FundEntry_pledgeId_idx";

-- CreateTable
CREATE TABLE "FundTotal" (
    "campaignId" INTEGER NOT NULL,
    "levelUnitId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "entries" INTEGER NOT NULL,

    PRIMARY KEY ("campaignId", "levelUnitId", "kind")
);

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
    "received" BIGINT NOT NULL DEFAULT 0
);
INSERT INTO "new_Pledge" ("amount", "campaignId", "cancelReason", "cancelledAt", "channel", "createdAt", "description", "donorKind", "donorName", "donorPhone", "dueOn", "fundUnitId", "householdId", "id", "kind", "orgUnitId", "personId", "publicName", "quantity", "quantityUnit", "ref", "targetUnitId", "updatedAt") SELECT "amount", "campaignId", "cancelReason", "cancelledAt", "channel", "createdAt", "description", "donorKind", "donorName", "donorPhone", "dueOn", "fundUnitId", "householdId", "id", "kind", "orgUnitId", "personId", "publicName", "quantity", "quantityUnit", "ref", "targetUnitId", "updatedAt" FROM "Pledge";
DROP TABLE "Pledge";
ALTER TABLE "new_Pledge" RENAME TO "Pledge";
CREATE UNIQUE INDEX "Pledge_ref_key" ON "Pledge"("ref");
CREATE INDEX "Pledge_campaignId_fundUnitId_idx" ON "Pledge"("campaignId", "fundUnitId");
CREATE INDEX "Pledge_orgUnitId_idx" ON "Pledge"("orgUnitId");
CREATE INDEX "Pledge_personId_idx" ON "Pledge"("personId");
CREATE INDEX "Pledge_campaignId_orgUnitId_cancelledAt_fundUnitId_amount_received_id_idx" ON "Pledge"("campaignId", "orgUnitId", "cancelledAt", "fundUnitId", "amount", "received", "id");
CREATE INDEX "Pledge_campaignId_donorKind_donorName_cancelledAt_fundUnitId_publicName_amount_received_id_idx" ON "Pledge"("campaignId", "donorKind", "donorName", "cancelledAt", "fundUnitId", "publicName", "amount", "received", "id");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "HouseholdEvent_at_idx" ON "HouseholdEvent"("at");

-- CreateIndex
CREATE INDEX "FundEntry_pledgeId_kind_amount_idx" ON "FundEntry"("pledgeId", "kind", "amount");


-- Backfill (hand-written, the same on both databases): the derived sums of the ledger so far.
-- Pledge.received: receipts and in-kind entries against the pledge, reversed ones left out.
UPDATE "Pledge" SET "received" = COALESCE((
  SELECT SUM(e."amount") FROM "FundEntry" e
   WHERE e."pledgeId" = "Pledge"."id" AND e."kind" IN ('receipt', 'in_kind')
     AND NOT EXISTS (SELECT 1 FROM "FundEntry" r WHERE r."reversesId" = e."id")), 0);

-- FundTotal: each level's entries by kind (a transfer counts out at its level and in at its
-- target), reversed ones left out but their level and kind kept with zero.
INSERT INTO "FundTotal" ("campaignId", "levelUnitId", "kind", "amount", "entries")
SELECT "campaignId", "levelUnitId", "kind", SUM("amount"), SUM("entries") FROM (
  SELECT e."campaignId" AS "campaignId", e."levelUnitId" AS "levelUnitId",
         CASE WHEN e."kind" = 'transfer' THEN 'transfer_out' ELSE e."kind" END AS "kind",
         CASE WHEN r."id" IS NULL THEN e."amount" ELSE 0 END AS "amount",
         CASE WHEN r."id" IS NULL THEN 1 ELSE 0 END AS "entries"
    FROM "FundEntry" e LEFT JOIN "FundEntry" r ON r."reversesId" = e."id"
   WHERE e."kind" <> 'reversal'
  UNION ALL
  SELECT e."campaignId", e."toUnitId", 'transfer_in',
         CASE WHEN r."id" IS NULL THEN e."amount" ELSE 0 END,
         CASE WHEN r."id" IS NULL THEN 1 ELSE 0 END
    FROM "FundEntry" e LEFT JOIN "FundEntry" r ON r."reversesId" = e."id"
   WHERE e."kind" = 'transfer' AND e."toUnitId" IS NOT NULL
) ledger
GROUP BY "campaignId", "levelUnitId", "kind";
