-- Durations are elapsed time (docs/flow-metrics.md §4.2–4.3). The calendar clock is the seconds between
-- two instants ÷ 86,400: the project's zone no longer shifts a cycle that spans a daylight-saving change
-- by an hour. The zone decides only where days begin: calendar-day counts, weeks, and the working-day
-- clock, on which every working day (Monday to Friday in the zone) counts as one day whatever its length,
-- and a part of one counts as the share of that day's elapsed time it covers.

-- Working days from Monday 1970-01-05 00:00 in `tz` up to the instant `t`: whole Mon–Fri dates before
-- t's local date, plus the share of t's local day that has elapsed when that day is a working day.
CREATE OR REPLACE FUNCTION flowbot_working_days_at(t timestamptz, tz text) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT w.weeks * 5 + least(w.n - w.weeks * 7, 5)
    + CASE WHEN extract(isodow FROM w.d) <= 5
        THEN extract(epoch FROM t - (w.d::timestamp AT TIME ZONE tz))::float8
             / extract(epoch FROM ((w.d + 1)::timestamp AT TIME ZONE tz) - (w.d::timestamp AT TIME ZONE tz))::float8
        ELSE 0
      END
  FROM (
    SELECT x.d, x.n, floor(x.n / 7.0)::integer AS weeks
    FROM (SELECT l.d, l.d - date '1970-01-05' AS n FROM (SELECT (t AT TIME ZONE tz)::date AS d) l) x
  ) w
$$;
--> statement-breakpoint
-- Days from a to b: elapsed days, or working days in the zone.
CREATE OR REPLACE FUNCTION flowbot_days(a timestamptz, b timestamptz, tz text, working boolean)
RETURNS double precision LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN working
    THEN flowbot_working_days_at(b, tz) - flowbot_working_days_at(a, tz)
    ELSE extract(epoch FROM b - a)::float8 / 86400
  END
$$;
--> statement-breakpoint
DROP FUNCTION IF EXISTS flowbot_workweek_seconds(timestamp);
--> statement-breakpoint
-- Stored durations of every project, re-counted with the rules above.
SELECT flowbot_flow_stages(NULL, id) FROM projects;
