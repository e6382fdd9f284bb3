-- This step defined faster versions of the flow-facts rebuild.
-- Every SQL function and trigger now has one current definition, in db/functions/, applied after
-- the migrations whenever a file changes (src/db/apply-db-functions.ts).
SELECT 1;
