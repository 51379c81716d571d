-- DropIndex
DROP INDEX "Pledge_personId_idx";

-- DropIndex
DROP INDEX "Pledge_campaignId_orgUnitId_cancelledAt_fundUnitId_amount_r_idx";

-- DropIndex
DROP INDEX "Pledge_campaignId_donorKind_donorName_cancelledAt_fundUnitI_idx";

-- AlterTable
ALTER TABLE "Pledge" ADD COLUMN     "anonymous" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "verification" TEXT,
ADD COLUMN     "verifiedAt" TIMESTAMP(3),
ADD COLUMN     "verifiedBy" INTEGER;

-- CreateIndex
CREATE INDEX "Pledge_personId_createdAt_idx" ON "Pledge"("personId", "createdAt");

-- CreateIndex
CREATE INDEX "Pledge_anonymous_createdAt_idx" ON "Pledge"("anonymous", "createdAt");

-- CreateIndex
CREATE INDEX "Pledge_campaignId_orgUnitId_cancelledAt_verification_fundUn_idx" ON "Pledge"("campaignId", "orgUnitId", "cancelledAt", "verification", "fundUnitId", "amount", "received", "id");

-- CreateIndex
CREATE INDEX "Pledge_campaignId_donorKind_donorName_cancelledAt_verificat_idx" ON "Pledge"("campaignId", "donorKind", "donorName", "cancelledAt", "verification", "fundUnitId", "publicName", "amount", "received", "id");

