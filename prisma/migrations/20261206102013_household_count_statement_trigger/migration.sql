-- Hand-written, no schema change. PostgreSQL's migration of the same name keeps HouseholdCount on
-- insert with one statement-level trigger instead of one per row (a large import in one transaction
-- was quadratic there). SQLite has no statement-level triggers and its row trigger costs no more per
-- row as the transaction grows: Household_count_insert stays as it is. Nothing to change here.
SELECT 1;
