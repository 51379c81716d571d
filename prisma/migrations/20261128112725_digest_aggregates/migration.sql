-- DropIndex
DROP INDEX "HouseholdEvent_at_idx";

-- CreateTable
CREATE TABLE "HouseholdCount" (
    "unitId" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "households" INTEGER NOT NULL,

    PRIMARY KEY ("unitId", "status")
);

-- CreateIndex
CREATE INDEX "HouseholdEvent_at_toStatus_householdId_fromStatus_idx" ON "HouseholdEvent"("at", "toStatus", "householdId", "fromStatus");

-- Hand-written: the triggers that keep HouseholdCount, and the counts so far.
CREATE TRIGGER "Household_count_insert" AFTER INSERT ON "Household" BEGIN
  INSERT INTO "HouseholdCount" ("unitId", "status", "households") VALUES (NEW."unitId", NEW."status", 1)
    ON CONFLICT ("unitId", "status") DO UPDATE SET "households" = "households" + 1;
END;

CREATE TRIGGER "Household_count_update" AFTER UPDATE OF "unitId", "status" ON "Household"
  WHEN OLD."unitId" <> NEW."unitId" OR OLD."status" <> NEW."status" BEGIN
  UPDATE "HouseholdCount" SET "households" = "households" - 1
    WHERE "unitId" = OLD."unitId" AND "status" = OLD."status";
  INSERT INTO "HouseholdCount" ("unitId", "status", "households") VALUES (NEW."unitId", NEW."status", 1)
    ON CONFLICT ("unitId", "status") DO UPDATE SET "households" = "households" + 1;
END;

CREATE TRIGGER "Household_count_delete" AFTER DELETE ON "Household" BEGIN
  UPDATE "HouseholdCount" SET "households" = "households" - 1
    WHERE "unitId" = OLD."unitId" AND "status" = OLD."status";
END;

INSERT INTO "HouseholdCount" ("unitId", "status", "households")
SELECT "unitId", "status", COUNT(*) FROM "Household" GROUP BY "unitId", "status";

-- FundTotal 'pledged': each fund level's live pledges (what was promised to it), kept from now on
-- by the pledge repository with every pledge registered, changed or cancelled.
INSERT INTO "FundTotal" ("campaignId", "levelUnitId", "kind", "amount", "entries")
SELECT "campaignId", "fundUnitId", 'pledged', SUM("amount"), COUNT(*) FROM "Pledge"
 WHERE "cancelledAt" IS NULL
 GROUP BY "campaignId", "fundUnitId";
