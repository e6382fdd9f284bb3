-- The default status → stage mapping of src/flow/stage-mapping.ts (flow-metrics.md), for metrics in SQL.
CREATE OR REPLACE FUNCTION flowbot_default_stage(status_name text, status_type text) RETURNS flow_stage
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN lower(coalesce(status_type, '')) IN ('done', 'closed') THEN 'done'::flow_stage
    WHEN lower(status_name) LIKE '%block%' OR lower(status_name) LIKE '%wait%' THEN 'blocked'::flow_stage
    WHEN lower(coalesce(status_type, '')) = 'open' THEN 'not_started'::flow_stage
    ELSE 'active'::flow_stage
  END
$$;
