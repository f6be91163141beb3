-- requires: dw/oee_machine_day.sql
-- requires: dw/oee_ratios.sql
CREATE OR REPLACE FUNCTION etl.dq_performance_above_one(p_target text, p_threshold numeric)
RETURNS TABLE (observed numeric, passed boolean, detail text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * Machine-days whose performance is above 1, among the machine-days this run touched:
     * those of the runs it loaded, of the runs that the stops it loaded overlap, and those
     * its restated runs left (etl.dq_day_left) (every
     * machine-day outside a run, or when its previous result failed as an error: see
     * etl.check_data_quality). p_target: one plant code, or all.
     */
    WITH run AS (
        -- NULL (everything) outside a run, and when the gate asks for everything
        -- (hub.dq_scope 'all': the check's previous result was a failed error)
        SELECT CASE
            WHEN current_setting('hub.dq_scope', TRUE) = 'all' THEN NULL
            ELSE nullif(current_setting('hub.run_id', TRUE), '')::bigint
        END AS run_id
    ),

    batches AS (
        SELECT d.feed_name, d.batch_id
        FROM etl.dirty_batch AS d
        CROSS JOIN run AS x
        WHERE d.processed_run_id = x.run_id
    ),

    touched AS (
        SELECT r.machine_code, r.production_date
        FROM dw.fact_production_run AS r
        WHERE
            (SELECT x.run_id FROM run AS x) IS NULL
            OR r.batch_id IN (SELECT b.batch_id FROM batches AS b WHERE b.feed_name = 'production_runs')
        UNION
        -- A stop can change the days of the runs it overlaps: those start on its UTC
        -- dates or the day either side (a superset; only machine-days with runs count).
        -- The stops' UTC dates are made distinct first: a machine has dozens of stops a
        -- day, and a first load of a year would otherwise sort three rows per stop.
        SELECT s.machine_code, d.day::date
        FROM (
            SELECT DISTINCT
                e.machine_code,
                (e.start_ts AT TIME ZONE 'UTC')::date AS first_day,
                (e.end_ts AT TIME ZONE 'UTC')::date AS last_day
            FROM dw.fact_downtime_event AS e
            WHERE e.batch_id IN (SELECT b.batch_id FROM batches AS b WHERE b.feed_name = 'downtime_events')
        ) AS s
        CROSS JOIN LATERAL generate_series(s.first_day - 1, s.last_day + 1, interval '1 day') AS d (day)
        UNION
        -- the days that restated runs left (dw.load_fact_production_run)
        SELECT l.machine_code, l.production_date
        FROM etl.dq_day_left AS l
        INNER JOIN run AS x
            ON l.run_id = x.run_id
    ),

    -- The runs of each touched machine-day, each with the latest end of the day's runs
    -- that start before it: a run starting before that end overlaps another.
    day_runs AS (
        SELECT
            r.machine_code,
            r.production_date,
            r.start_ts,
            r.end_ts,
            r.scheduled_s,
            r.ideal_output_s,
            max(r.end_ts) OVER (
                PARTITION BY r.machine_code, r.production_date
                ORDER BY r.start_ts, r.end_ts
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
            ) AS earlier_end
        FROM dw.fact_production_run AS r
        INNER JOIN touched AS t
            ON r.machine_code = t.machine_code AND r.production_date = t.production_date
    ),

    -- Each touched machine-day with runs: its span (first start to last end), scheduled
    -- time and ideal output time, the sums dw.oee_machine_day takes, and how many times
    -- at most one stop can count: once when its runs do not overlap, else (a fault
    -- overlapping_runs reports) as many times as the day has runs, since each run counts
    -- the stops within it.
    days AS (
        SELECT
            d.machine_code,
            d.production_date,
            min(d.start_ts) AS span_from,
            max(d.end_ts) AS span_to,
            sum(d.scheduled_s) AS scheduled_s,
            sum(d.ideal_output_s) AS ideal_output_s,
            CASE WHEN bool_or(d.start_ts < d.earlier_end) THEN count(*) ELSE 1 END AS stop_counts
        FROM day_runs AS d
        GROUP BY d.machine_code, d.production_date
    ),

    -- A machine-day can be above 1 only if its ideal output time exceeds its scheduled
    -- time less the full length of every stop of the machine that overlaps its span (times
    -- stop_counts): the day's downtime (merged and clipped run by run) is never more than
    -- that, so its run time never less. One GiST lookup a machine-day (the exact measure
    -- below takes one a run, and range arithmetic); on a first load this keeps a few
    -- hundred of tens of thousands of machine-days.
    candidates AS (
        SELECT d.machine_code, d.production_date
        FROM days AS d
        WHERE d.ideal_output_s > d.scheduled_s - d.stop_counts * coalesce((
            SELECT sum(e.duration_s)
            FROM dw.fact_downtime_event AS e
            WHERE
                hashtext(e.machine_code) = hashtext(d.machine_code)
                AND e.machine_code IS NOT DISTINCT FROM d.machine_code
                AND tstzrange(e.start_ts, e.end_ts) && tstzrange(d.span_from, d.span_to)
        ), 0)
    ),

    -- The exact measure (dw.oee_machine_day), one candidate at a time: the subquery is
    -- kept apart (OFFSET 0) so that it runs for each candidate with its machine and date
    -- pushed down to the runs' index, instead of once over every machine-day.
    above AS (
        SELECT c.machine_code, c.production_date, x.performance
        FROM candidates AS c
        CROSS JOIN LATERAL (
            SELECT o.performance, m.plant_code
            FROM dw.oee_machine_day AS d
            INNER JOIN dw.dim_machine AS m
                ON d.machine_key = m.machine_key
            CROSS JOIN LATERAL dw.oee_ratios(
                d.scheduled_s, d.planned_downtime_s, d.unplanned_downtime_s, d.ideal_output_s, d.ideal_good_s,
                d.total_count, d.good_count
            ) AS o
            WHERE d.machine_code = c.machine_code AND d.production_date = c.production_date
            OFFSET 0
        ) AS x
        WHERE x.performance > 1 AND (p_target IS NULL OR x.plant_code = p_target)
    )

    SELECT
        count(*)::numeric,
        count(*) <= p_threshold,
        CASE WHEN count(*) = 0 THEN 'no machine-day has performance above 1' ELSE
            format('%s machine-day(s) with performance above 1, the highest %s on %s %s',
                count(*), max(a.performance),
                (array_agg(a.machine_code ORDER BY a.performance DESC, a.machine_code, a.production_date))[1],
                (array_agg(a.production_date ORDER BY a.performance DESC, a.machine_code, a.production_date))[1])
        END
    FROM above AS a;
$$;

COMMENT ON FUNCTION etl.dq_performance_above_one(text, numeric) IS
'Check: machine-days this run touched whose performance is above 1 (a warning by default).';
