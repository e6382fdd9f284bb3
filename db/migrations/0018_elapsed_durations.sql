-- This step defined elapsed durations and the working-day clock.
-- Every SQL function and trigger now has one current definition, in db/functions/, applied after
-- the migrations whenever a file changes (src/db/apply-db-functions.ts).
SELECT 1;
