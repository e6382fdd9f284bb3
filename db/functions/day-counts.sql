-- How durations are counted (docs/flow-metrics.md §4.2–4.3). The calendar clock is elapsed time: seconds
-- ÷ 86,400, whatever the zone does. On the working-day clock every working day (Monday to Friday in the
-- project's zone) counts as one day whatever its length, and a part of one as the share of that day's
-- elapsed time it covers. The zone decides only where days begin.

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

-- Days from a to b: elapsed days, or working days in the zone.
CREATE OR REPLACE FUNCTION flowbot_days(a timestamptz, b timestamptz, tz text, working boolean)
RETURNS double precision LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN working
    THEN flowbot_working_days_at(b, tz) - flowbot_working_days_at(a, tz)
    ELSE extract(epoch FROM b - a)::float8 / 86400
  END
$$;

-- ActionableAgile's calendar-days count: date(b) − date(a) + 1 in the zone, at least 1.
CREATE OR REPLACE FUNCTION flowbot_calendar_days(a timestamptz, b timestamptz, tz text) RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT greatest(1, ((b AT TIME ZONE tz)::date - (a AT TIME ZONE tz)::date) + 1)
$$;
