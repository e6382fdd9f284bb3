-- This step defined the default status → stage function.
-- Every SQL function and trigger now has one current definition, in db/functions/, applied after
-- the migrations whenever a file changes (src/db/apply-db-functions.ts).
SELECT 1;
