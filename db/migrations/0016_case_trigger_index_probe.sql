-- The tracked_cases update trigger asks, for a case whose status changed, whether it has transitions.
-- Written as NOT EXISTS inside an OR, Postgres may plan it as a hashed subplan: a scan of all of
-- status_transitions to build the hash. The trigger's plan is cached per connection with the row
-- estimate of its first run, so one bulk update (a backfill page, a settings change) left that
-- connection scanning the whole table on every later one-row update (measured: ~3 ms per live-sync
-- apply at 40k transitions, growing with the table). A scalar subquery is never hashed: it is one
-- index probe per changed row, whatever the first run looked like.
CREATE OR REPLACE FUNCTION flowbot_flow_on_changed_cases() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  ids bigint[];
BEGIN
  ids := ARRAY(
    SELECT n.id
    FROM changed n JOIN prior o ON o.id = n.id
    WHERE n.tracked IS DISTINCT FROM o.tracked
       OR n.deleted_at IS DISTINCT FROM o.deleted_at
       OR n.date_created IS DISTINCT FROM o.date_created
       OR n.binding_id IS DISTINCT FROM o.binding_id
       OR ((n.status_name IS DISTINCT FROM o.status_name OR n.status_type IS DISTINCT FROM o.status_type)
           AND (SELECT t.id FROM status_transitions t WHERE t.case_id = n.id LIMIT 1) IS NULL));
  IF flowbot_flow_deferring() THEN
    PERFORM flowbot_flow_mark_dirty(ids);
  ELSE
    PERFORM flowbot_flow_rebuild(ids);
  END IF;
  RETURN NULL;
END
$$;
