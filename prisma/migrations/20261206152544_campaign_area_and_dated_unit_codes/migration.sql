-- DropIndex
DROP INDEX "Unit_code_key";

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Campaign" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL DEFAULT 'Asia/Ho_Chi_Minh',
    "startsOn" TEXT NOT NULL,
    "endsOn" TEXT NOT NULL,
    "monthlyDueDay" INTEGER NOT NULL DEFAULT 15,
    "quarterlyDueDay" INTEGER NOT NULL DEFAULT 15,
    "finalDueOn" TEXT NOT NULL,
    "normNewBuild" BIGINT NOT NULL,
    "normRepair" BIGINT NOT NULL,
    "settings" TEXT NOT NULL DEFAULT '{}',
    "areaUnitId" INTEGER,
    "addressForm" TEXT NOT NULL DEFAULT 'đồng chí',
    "closedOn" TEXT,
    "definition" TEXT NOT NULL DEFAULT '{}',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_Campaign" ("code", "createdAt", "endsOn", "finalDueOn", "id", "monthlyDueDay", "name", "normNewBuild", "normRepair", "quarterlyDueDay", "settings", "startsOn", "timeZone") SELECT "code", "createdAt", "endsOn", "finalDueOn", "id", "monthlyDueDay", "name", "normNewBuild", "normRepair", "quarterlyDueDay", "settings", "startsOn", "timeZone" FROM "Campaign";
DROP TABLE "Campaign";
ALTER TABLE "new_Campaign" RENAME TO "Campaign";
CREATE UNIQUE INDEX "Campaign_code_key" ON "Campaign"("code");
CREATE INDEX "Campaign_areaUnitId_idx" ON "Campaign"("areaUnitId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Unit_code_idx" ON "Unit"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Unit_code_validFrom_key" ON "Unit"("code", "validFrom");

