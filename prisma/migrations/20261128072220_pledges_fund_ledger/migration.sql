-- CreateTable
CREATE TABLE "Pledge" (
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
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "FundEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "campaignId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "levelUnitId" INTEGER NOT NULL,
    "toUnitId" INTEGER,
    "amount" BIGINT NOT NULL,
    "pledgeId" INTEGER,
    "householdId" INTEGER,
    "need" TEXT,
    "overrideReason" TEXT,
    "overpayment" BOOLEAN NOT NULL DEFAULT false,
    "reversesId" INTEGER,
    "reason" TEXT,
    "documentRef" TEXT,
    "note" TEXT,
    "occurredOn" TEXT NOT NULL,
    "personId" INTEGER,
    "channel" TEXT,
    "createdAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Pledge_ref_key" ON "Pledge"("ref");

-- CreateIndex
CREATE INDEX "Pledge_campaignId_fundUnitId_idx" ON "Pledge"("campaignId", "fundUnitId");

-- CreateIndex
CREATE INDEX "Pledge_orgUnitId_idx" ON "Pledge"("orgUnitId");

-- CreateIndex
CREATE INDEX "Pledge_personId_idx" ON "Pledge"("personId");

-- CreateIndex
CREATE UNIQUE INDEX "FundEntry_reversesId_key" ON "FundEntry"("reversesId");

-- CreateIndex
CREATE INDEX "FundEntry_campaignId_levelUnitId_idx" ON "FundEntry"("campaignId", "levelUnitId");

-- CreateIndex
CREATE INDEX "FundEntry_toUnitId_idx" ON "FundEntry"("toUnitId");

-- CreateIndex
CREATE INDEX "FundEntry_householdId_idx" ON "FundEntry"("householdId");

-- CreateIndex
CREATE INDEX "FundEntry_pledgeId_idx" ON "FundEntry"("pledgeId");


-- The ledger is append-only: a correction is a reversing row, never an edit (issue 5).
CREATE TRIGGER "FundEntry_no_update" BEFORE UPDATE ON "FundEntry"
BEGIN
    SELECT RAISE(ABORT, 'FundEntry rows are never changed: record a reversal');
END;

CREATE TRIGGER "FundEntry_no_delete" BEFORE DELETE ON "FundEntry"
BEGIN
    SELECT RAISE(ABORT, 'FundEntry rows are never deleted: record a reversal');
END;
