-- Blocked intervals (docs/flow-metrics.md §9.2), kept from the fields sync writes on tracked_cases, so that
-- the webhook apply, reconcile and backfill need no code of their own. The status rule is not kept here: it
-- is the timeline's blocked stage, read by the metrics (src/flow/metrics/blocked.ts).
--
-- The instant of a change (§6.1): a status change is timed by the case's latest transition (exact or
-- inferred as that transition is); a field change by `flowbot.blocked_change_at` when the webhook apply sets
-- it to a history item's date (exact), else at the case's date_updated (inferred: reconcile and backfill).

-- The rule reasons that hold for a case now, from its stored fields and its project's rules (§9.1).
CREATE OR REPLACE FUNCTION flowbot_blocked_holds(cid bigint)
RETURNS TABLE (kind blocked_reason_kind, detail text)
LANGUAGE sql STABLE AS $$
  WITH c AS (
    SELECT tc.*, b.project_id FROM tracked_cases tc JOIN bindings b ON b.id = tc.binding_id
    WHERE tc.id = cid AND tc.tracked AND tc.deleted_at IS NULL
  ), r AS (
    SELECT br.* FROM blocked_rules br JOIN c ON c.project_id = br.project_id
  )
  SELECT 'tag'::blocked_reason_kind, t
  FROM c, r, unnest(c.tags) AS t WHERE t = ANY (r.tag_keys)
  UNION
  SELECT 'field'::blocked_reason_kind,
         CASE WHEN v->>'kind' = 'checkbox' THEN r.field_id ELSE r.field_id || ':' || o END
  FROM c, r, jsonb_array_elements(c.field_values) AS v
       LEFT JOIN LATERAL jsonb_array_elements_text(coalesce(v->'optionIds', '[]'::jsonb)) AS o ON true
  WHERE v->>'fieldId' = r.field_id
    AND ((v->>'kind' = 'checkbox' AND (v->>'checked')::boolean) OR o = ANY (r.option_ids))
  UNION
  -- Waiting on a case of the same project that is not in a done-stage status; other tasks do not count.
  SELECT 'dependency'::blocked_reason_kind, w
  FROM c, r, unnest(c.waiting_on) AS w
  WHERE r.dependency AND EXISTS (
    SELECT 1 FROM tracked_cases d JOIN bindings db ON db.id = d.binding_id
    LEFT JOIN stage_overrides so ON so.project_id = db.project_id
      AND so.status_key = flowbot_status_key(d.status_name)
    WHERE d.task_id = w AND db.project_id = c.project_id AND d.tracked AND d.deleted_at IS NULL
      AND coalesce(so.stage, flowbot_default_stage(d.status_name, d.status_type)) <> 'done')
$$;

-- Closes the case's open intervals whose reason stopped holding and opens one for each new reason, at `at`.
CREATE OR REPLACE FUNCTION flowbot_blocked_sync(cid bigint, at timestamptz, is_inferred boolean) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE blocked_intervals i SET ended_at = greatest(at, i.started_at), inferred = i.inferred OR is_inferred
  WHERE i.case_id = cid AND i.ended_at IS NULL
    AND (i.kind, i.detail) NOT IN (SELECT h.kind, h.detail FROM flowbot_blocked_holds(cid) h);
  INSERT INTO blocked_intervals (case_id, kind, detail, started_at, inferred)
  SELECT cid, h.kind, h.detail, at, is_inferred FROM flowbot_blocked_holds(cid) h
  WHERE NOT EXISTS (SELECT 1 FROM blocked_intervals i
                    WHERE i.case_id = cid AND i.ended_at IS NULL AND i.kind = h.kind AND i.detail = h.detail);
END
$$;

-- The instant and inferred flag of a change to case `cid` (see the head of this file).
CREATE OR REPLACE FUNCTION flowbot_blocked_change_instant(cid bigint, status_changed boolean, date_updated timestamptz)
RETURNS TABLE (at timestamptz, is_inferred boolean)
LANGUAGE plpgsql STABLE AS $$
DECLARE
  given text := nullif(current_setting('flowbot.blocked_change_at', true), '');
BEGIN
  IF status_changed THEN
    RETURN QUERY SELECT t.occurred_at, t.inferred FROM status_transitions t
      WHERE t.case_id = cid ORDER BY t.occurred_at DESC, t.id DESC LIMIT 1;
    IF FOUND THEN RETURN; END IF;
  END IF;
  IF given IS NOT NULL THEN
    RETURN QUERY SELECT given::timestamptz, false;
  ELSE
    RETURN QUERY SELECT date_updated, true;
  END IF;
END
$$;

-- One changed case: re-syncs it at the change's instant and, when its status, tracking or deletion changed
-- (`others`), the cases of its project waiting on it: a dependency ends when the task waited on finishes,
-- and a reopen starts a new one (§9.2).
CREATE OR REPLACE FUNCTION flowbot_blocked_case_changed(cid bigint, status_changed boolean, others boolean)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  c record;
  w record;
BEGIN
  SELECT tc.task_id, tc.date_updated, tc.deleted_at, b.project_id INTO c
  FROM tracked_cases tc JOIN bindings b ON b.id = tc.binding_id WHERE tc.id = cid;
  IF c.deleted_at IS NOT NULL THEN
    -- A deleted task's intervals, and those waiting on it, end when flowbot recorded the deletion (§9.2).
    SELECT c.deleted_at AS at, false AS is_inferred INTO w;
  ELSE
    SELECT ci.at, ci.is_inferred INTO w
    FROM flowbot_blocked_change_instant(cid, status_changed, c.date_updated) ci;
  END IF;
  PERFORM flowbot_blocked_sync(cid, w.at, w.is_inferred);
  IF others THEN
    PERFORM flowbot_blocked_sync(x.id, w.at, w.is_inferred)
    FROM tracked_cases x JOIN bindings b ON b.id = x.binding_id
    WHERE x.waiting_on @> ARRAY[c.task_id] AND x.waiting_on <> '{}' AND b.project_id = c.project_id
      AND x.id <> cid;
  END IF;
END
$$;

-- Statement-level, like the flow-fact triggers: only rows of projects with rules, or with open intervals
-- (which a rule or a case leaving the project must close), do any work.
CREATE OR REPLACE FUNCTION flowbot_blocked_on_new_cases() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM flowbot_blocked_case_changed(n.id, false, true)
  FROM changed n JOIN bindings b ON b.id = n.binding_id
  WHERE EXISTS (SELECT 1 FROM blocked_rules r WHERE r.project_id = b.project_id);
  RETURN NULL;
END
$$;

-- (`prior` comes first in its FROM: test/db/case-trigger-plan.test.ts picks the flow-fact trigger's plans out
-- of the log by the words JOIN and prior side by side.)
CREATE OR REPLACE FUNCTION flowbot_blocked_on_changed_cases() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM flowbot_blocked_case_changed(
    n.id,
    n.status_name IS DISTINCT FROM o.status_name OR n.status_type IS DISTINCT FROM o.status_type,
    n.status_name IS DISTINCT FROM o.status_name OR n.status_type IS DISTINCT FROM o.status_type
      OR n.tracked IS DISTINCT FROM o.tracked OR n.deleted_at IS DISTINCT FROM o.deleted_at)
  FROM prior o JOIN changed n ON n.id = o.id JOIN bindings b ON b.id = n.binding_id
  WHERE (n.tags IS DISTINCT FROM o.tags OR n.field_values IS DISTINCT FROM o.field_values
         OR n.waiting_on IS DISTINCT FROM o.waiting_on OR n.status_name IS DISTINCT FROM o.status_name
         OR n.status_type IS DISTINCT FROM o.status_type OR n.tracked IS DISTINCT FROM o.tracked
         OR n.deleted_at IS DISTINCT FROM o.deleted_at)
    AND (EXISTS (SELECT 1 FROM blocked_rules r WHERE r.project_id = b.project_id)
         OR EXISTS (SELECT 1 FROM blocked_intervals i WHERE i.case_id = n.id AND i.ended_at IS NULL));
  RETURN NULL;
END
$$;

-- A rule change re-derives the project's intervals from the fields kept now (§9.2): intervals of reasons no
-- longer chosen go, and each case's holds are opened at its date_updated (inferred). Which values a case
-- had before that is not kept, so an interval that began and ended before the rule was set is not found.
CREATE OR REPLACE FUNCTION flowbot_blocked_on_rules() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM blocked_intervals i
  USING tracked_cases c, bindings b
  WHERE i.case_id = c.id AND b.id = c.binding_id AND b.project_id = NEW.project_id
    AND NOT CASE i.kind
      WHEN 'tag' THEN i.detail = ANY (NEW.tag_keys)
      WHEN 'field' THEN NEW.field_id IS NOT NULL
        AND (i.detail = NEW.field_id OR i.detail = ANY (ARRAY(SELECT NEW.field_id || ':' || o FROM unnest(NEW.option_ids) o)))
      ELSE NEW.dependency
    END;
  PERFORM flowbot_blocked_sync(c.id, c.date_updated, true)
  FROM tracked_cases c JOIN bindings b ON b.id = c.binding_id
  WHERE b.project_id = NEW.project_id;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER blocked_cases_ins AFTER INSERT ON tracked_cases
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_blocked_on_new_cases();
CREATE OR REPLACE TRIGGER blocked_cases_upd AFTER UPDATE ON tracked_cases
  REFERENCING OLD TABLE AS prior NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION flowbot_blocked_on_changed_cases();
CREATE OR REPLACE TRIGGER blocked_rules_set AFTER INSERT OR UPDATE ON blocked_rules
  FOR EACH ROW EXECUTE FUNCTION flowbot_blocked_on_rules();
