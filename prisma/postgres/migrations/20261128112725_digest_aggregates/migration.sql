-- DropIndex
DROP INDEX "HouseholdEvent_at_idx";

-- CreateTable
CREATE TABLE "HouseholdCount" (
    "unitId" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "households" INTEGER NOT NULL,

    CONSTRAINT "HouseholdCount_pkey" PRIMARY KEY ("unitId","status")
);

-- CreateIndex
CREATE INDEX "HouseholdEvent_at_toStatus_householdId_fromStatus_idx" ON "HouseholdEvent"("at", "toStatus", "householdId", "fromStatus");

-- Hand-written: the trigger that keeps HouseholdCount, and the counts so far. The function keeps
-- the schema it was created in, whatever the search path of the session that fires it.
CREATE FUNCTION "household_count"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD."unitId" = NEW."unitId" AND OLD."status" = NEW."status" THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE "HouseholdCount" SET "households" = "households" - 1
      WHERE "unitId" = OLD."unitId" AND "status" = OLD."status";
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO "HouseholdCount" ("unitId", "status", "households") VALUES (NEW."unitId", NEW."status", 1)
      ON CONFLICT ("unitId", "status") DO UPDATE SET "households" = "HouseholdCount"."households" + 1;
  END IF;
  RETURN NULL;
END
$$;

-- Three triggers named as SQLite's, one function.
CREATE TRIGGER "Household_count_insert" AFTER INSERT ON "Household"
  FOR EACH ROW EXECUTE FUNCTION "household_count"();
CREATE TRIGGER "Household_count_update" AFTER UPDATE OF "unitId", "status" ON "Household"
  FOR EACH ROW EXECUTE FUNCTION "household_count"();
CREATE TRIGGER "Household_count_delete" AFTER DELETE ON "Household"
  FOR EACH ROW EXECUTE FUNCTION "household_count"();

INSERT INTO "HouseholdCount" ("unitId", "status", "households")
SELECT "unitId", "status", COUNT(*) FROM "Household" GROUP BY "unitId", "status";

-- FundTotal 'pledged': each fund level's live pledges (what was promised to it), kept from now on
-- by the pledge repository with every pledge registered, changed or cancelled.
INSERT INTO "FundTotal" ("campaignId", "levelUnitId", "kind", "amount", "entries")
SELECT "campaignId", "fundUnitId", 'pledged', SUM("amount"), COUNT(*) FROM "Pledge"
 WHERE "cancelledAt" IS NULL
 GROUP BY "campaignId", "fundUnitId";
