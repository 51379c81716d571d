-- DropIndex
DROP INDEX "Unit_code_key";

-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "addressForm" TEXT NOT NULL DEFAULT 'đồng chí',
ADD COLUMN     "areaUnitId" INTEGER,
ADD COLUMN     "closedOn" TEXT,
ADD COLUMN     "definition" TEXT NOT NULL DEFAULT '{}';

-- CreateIndex
CREATE INDEX "Campaign_areaUnitId_idx" ON "Campaign"("areaUnitId");

-- CreateIndex
CREATE INDEX "Unit_code_idx" ON "Unit"("code");

-- CreateIndex
CREATE UNIQUE INDEX "Unit_code_validFrom_key" ON "Unit"("code", "validFrom");

