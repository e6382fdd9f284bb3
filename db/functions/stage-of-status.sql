-- The default stage of a ClickUp status (docs/flow-metrics.md §2): done/closed types are done; otherwise a
-- name containing "block" or "wait" is blocked; open is not started; anything else is active. A project's
-- stage_overrides (keyed lower(btrim(name))) win over it wherever stages are derived. src/flow/stage-mapping.ts
-- holds the same rule for TypeScript; test/flow/stage-mapping.test.ts keeps the two equal.
CREATE OR REPLACE FUNCTION flowbot_default_stage(status_name text, status_type text) RETURNS flow_stage
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN lower(coalesce(status_type, '')) IN ('done', 'closed') THEN 'done'::flow_stage
    WHEN lower(status_name) LIKE '%block%' OR lower(status_name) LIKE '%wait%' THEN 'blocked'::flow_stage
    WHEN lower(coalesce(status_type, '')) = 'open' THEN 'not_started'::flow_stage
    ELSE 'active'::flow_stage
  END
$$;
