-- A status name as a key (docs/flow-metrics.md §2): spaces, tabs and line breaks trimmed from both ends, and
-- the letters A-Z lower-cased, nothing else, so the key does not depend on the database's locale.
-- stage_overrides is keyed by it. src/flow/stage-mapping.ts holds the same rules for TypeScript;
-- test/flow/stage-mapping.test.ts generates every combination of type and name shape and keeps the two equal.
CREATE OR REPLACE FUNCTION flowbot_status_key(status_name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  -- Under the "C" collation lower() changes only A-Z, whatever the database's locale.
  SELECT lower(btrim(status_name, E' \t\n\r') COLLATE "C")
$$;

-- The default stage of a ClickUp status: done/closed types are done; otherwise a name containing "block" or
-- "wait" (in any case of A-Z) is blocked; open is not started; anything else is active. A project's
-- stage_overrides win over it wherever stages are derived.
CREATE OR REPLACE FUNCTION flowbot_default_stage(status_name text, status_type text) RETURNS flow_stage
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN flowbot_status_key(coalesce(status_type, '')) IN ('done', 'closed') THEN 'done'::flow_stage
    WHEN flowbot_status_key(status_name) LIKE '%block%' OR flowbot_status_key(status_name) LIKE '%wait%'
      THEN 'blocked'::flow_stage
    WHEN flowbot_status_key(coalesce(status_type, '')) = 'open' THEN 'not_started'::flow_stage
    ELSE 'active'::flow_stage
  END
$$;
