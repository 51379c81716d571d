-- CreateTable
CREATE TABLE "NarrativeReport" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ref" TEXT NOT NULL,
    "periodId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "personId" INTEGER NOT NULL,
    "revision" INTEGER NOT NULL,
    "answers" TEXT NOT NULL,
    "late" BOOLEAN NOT NULL,
    "channel" TEXT NOT NULL,
    "submittedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "NarrativeReport_ref_key" ON "NarrativeReport"("ref");

-- CreateIndex
CREATE UNIQUE INDEX "NarrativeReport_periodId_unitId_revision_key" ON "NarrativeReport"("periodId", "unitId", "revision");

