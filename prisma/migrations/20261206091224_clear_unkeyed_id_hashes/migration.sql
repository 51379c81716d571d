-- Hand-written, data only (no schema change): the ID number hashes written so far were an unkeyed
-- SHA-256 of the digits and can be reversed by trying the few candidates left by the birth year and
-- the last 4 digits stored beside them. They cannot be rehashed with ID_HASH_KEY without the digits,
-- so they are removed; the last 4 digits stay. Re-importing a household's ID number stores the keyed
-- hash again (`npm run cli -- households set-ids`, README "ID numbers").
UPDATE "Household" SET "idNumberHash" = NULL WHERE "idNumberHash" IS NOT NULL;
