-- Hand-written, no schema change: HouseholdCount is kept on insert by one statement-level trigger
-- instead of one per row. A row trigger updates the same counter row once per inserted household,
-- and PostgreSQL keeps every version of that row until the transaction commits, so a 100k-row import
-- in one transaction slowed down quadratically (docs/benchmark.md, import). The statement trigger
-- adds each (unit, status)'s new households once per INSERT statement; the import writes households
-- in multi-row INSERTs (prisma/household-writer.ts). Updates and deletes are single-row and keep
-- their row triggers (household_count). SQLite has no statement triggers and keeps its row trigger.
CREATE FUNCTION "household_count_inserted"() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO "HouseholdCount" ("unitId", "status", "households")
  SELECT "unitId", "status", COUNT(*) FROM inserted GROUP BY "unitId", "status"
    ON CONFLICT ("unitId", "status") DO UPDATE SET "households" = "HouseholdCount"."households" + EXCLUDED."households";
  RETURN NULL;
END
$$;

-- Same name as SQLite's trigger (prisma/migrate.test.ts compares the names).
DROP TRIGGER "Household_count_insert" ON "Household";
CREATE TRIGGER "Household_count_insert" AFTER INSERT ON "Household"
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "household_count_inserted"();
