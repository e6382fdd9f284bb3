-- This step defined an index probe in the case update trigger.
-- Every SQL function and trigger now has one current definition, in db/functions/, applied after
-- the migrations whenever a file changes (src/db/apply-db-functions.ts).
SELECT 1;
