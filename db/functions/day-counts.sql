-- How durations are counted (docs/flow-metrics.md §4.2–4.3). The calendar clock is elapsed time: seconds
-- ÷ 86,400, whatever the zone does. On the working-day clock every working day (Monday to Friday in the
-- project's zone, less its holidays, §11) counts as one day whatever its length, and a part of one as the
-- share of that day's elapsed time it covers. The zone decides only where days begin.

-- Working days from Monday 1970-01-05 00:00 in `tz` up to the instant `t`: whole Mon–Fri dates before
-- t's local date, plus the share of t's local day that has elapsed when that day is a working day. Each
-- function here is a single expression, so Postgres inlines it into the query that calls it.
CREATE OR REPLACE FUNCTION flowbot_working_days_at(t timestamptz, tz text) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT flowbot_working_dates_before((t AT TIME ZONE tz)::date) + flowbot_working_day_share(t, (t AT TIME ZONE tz)::date, tz)
$$;

-- Mon–Fri dates from Monday 1970-01-05 up to (not including) `d`; negative before it.
CREATE OR REPLACE FUNCTION flowbot_working_dates_before(d date) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT floor((d - date '1970-01-05') / 7.0)::integer * 5
    + least((d - date '1970-01-05') - floor((d - date '1970-01-05') / 7.0)::integer * 7, 5)
$$;

-- The share of the local day `d` (in `tz`) elapsed at `t` when `d` is Monday to Friday, else 0; a day's
-- length is its real length, so 23- and 25-hour days count as one day too.
CREATE OR REPLACE FUNCTION flowbot_working_day_share(t timestamptz, d date, tz text) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN extract(isodow FROM d) <= 5
    THEN extract(epoch FROM t - (d::timestamp AT TIME ZONE tz))::float8
         / extract(epoch FROM ((d + 1)::timestamp AT TIME ZONE tz) - (d::timestamp AT TIME ZONE tz))::float8
    ELSE 0
  END
$$;

-- Days from a to b: elapsed days, or working days in the zone.
CREATE OR REPLACE FUNCTION flowbot_days(a timestamptz, b timestamptz, tz text, working boolean)
RETURNS double precision LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN working
    THEN flowbot_working_days_at(b, tz) - flowbot_working_days_at(a, tz)
    ELSE extract(epoch FROM b - a)::float8 / 86400
  END
$$;

-- The same with a project's holidays (docs/flow-metrics.md §11). `hol` is the project's list of Mon–Fri
-- dates it does not work (project_holidays), sorted: width_bucket finds by binary search how many of
-- them fall before a date, so the working dates before `d` are the Mon–Fri dates less those, and a listed
-- date's share is 0. Still single expressions that Postgres inlines; callers read the list once per query
-- or per project (daysSql in src/flow/metrics/sql-fragments.ts, pj in start-finish-cycle-lead.sql) and
-- keep the forms above for a project without holidays.
CREATE OR REPLACE FUNCTION flowbot_holiday_working_days_at(t timestamptz, tz text, hol date[])
RETURNS double precision LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT flowbot_working_dates_before((t AT TIME ZONE tz)::date)
    - width_bucket((t AT TIME ZONE tz)::date - 1, hol)
    + CASE WHEN width_bucket((t AT TIME ZONE tz)::date, hol) > width_bucket((t AT TIME ZONE tz)::date - 1, hol)
        THEN 0 ELSE flowbot_working_day_share(t, (t AT TIME ZONE tz)::date, tz) END
$$;

CREATE OR REPLACE FUNCTION flowbot_holiday_days(a timestamptz, b timestamptz, tz text, working boolean, hol date[])
RETURNS double precision LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN working
    THEN flowbot_holiday_working_days_at(b, tz, hol) - flowbot_holiday_working_days_at(a, tz, hol)
    ELSE extract(epoch FROM b - a)::float8 / 86400
  END
$$;

-- A project's holiday list for the functions above, sorted; NULL when it has none.
CREATE OR REPLACE FUNCTION flowbot_project_holidays(pid bigint) RETURNS date[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT array_agg(h.day ORDER BY h.day) FROM project_holidays h WHERE h.project_id = pid
$$;

-- ActionableAgile's calendar-days count: date(b) − date(a) + 1 in the zone, at least 1.
CREATE OR REPLACE FUNCTION flowbot_calendar_days(a timestamptz, b timestamptz, tz text) RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT greatest(1, ((b AT TIME ZONE tz)::date - (a AT TIME ZONE tz)::date) + 1)
$$;
