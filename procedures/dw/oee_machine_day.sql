-- requires: dw/multirange_seconds.sql
CREATE OR REPLACE VIEW dw.oee_machine_day AS
/*
 * The additive measures of OEE per machine and production date, in seconds, that every
 * OEE view divides (ratios are always sums first, then one division). The rules:
 * - A run and all its downtime belong to the plant-local date of the run's start.
 * - Downtime counts only where an event overlaps a run of its machine, clipped to the
 *   run; overlapping events are merged (union of intervals); where planned and unplanned
 *   overlap, the overlap is planned.
 * - The machine-day takes the machine version valid at the start of its first run.
 * A view (not a function) so that the reporting views read it with the owner's rights
 * (hub_reporting may not read dw) and a filter on machine or date reaches the runs: each
 * run's downtime is found through the GiST index on (hash of the machine code, span) of
 * schema/0015, for the runs the filter keeps only. The codes are compared with IS NOT
 * DISTINCT FROM besides the hash (a second join key the planner misjudged).
 * Grain: one row per machine and production date with at least one run.
 */
SELECT
    r.machine_code,
    r.production_date,
    (array_agg(r.machine_key ORDER BY r.start_ts))[1]::bigint AS machine_key,
    count(*)::bigint AS runs,
    sum(r.scheduled_s)::numeric AS scheduled_s,
    -- dw.multirange_seconds is 0 for a run without downtime (NULL ranges)
    sum(dw.multirange_seconds(d.planned))::numeric AS planned_downtime_s,
    sum(dw.multirange_seconds(d.unplanned - coalesce(d.planned, '{}'::tstzmultirange)))::numeric
        AS unplanned_downtime_s,
    sum(r.total_count)::numeric AS total_count,
    sum(r.good_count)::numeric AS good_count,
    sum(r.ideal_output_s)::numeric AS ideal_output_s,
    sum(r.ideal_good_s)::numeric AS ideal_good_s
FROM dw.fact_production_run AS r
-- A subquery per run is the point (a filter on the runs reaches it), hence the noqa.
LEFT JOIN LATERAL (  -- noqa: ST05
    SELECT
        range_agg(
            tstzrange(greatest(e.start_ts, r.start_ts), least(e.end_ts, r.end_ts))
        ) FILTER (WHERE e.is_planned) AS planned,
        range_agg(
            tstzrange(greatest(e.start_ts, r.start_ts), least(e.end_ts, r.end_ts))
        ) FILTER (WHERE NOT e.is_planned) AS unplanned
    FROM dw.fact_downtime_event AS e
    WHERE
        hashtext(r.machine_code) = hashtext(e.machine_code)
        AND r.machine_code IS NOT DISTINCT FROM e.machine_code
        AND tstzrange(r.start_ts, r.end_ts) && tstzrange(e.start_ts, e.end_ts)
) AS d ON TRUE
GROUP BY r.machine_code, r.production_date;

COMMENT ON VIEW dw.oee_machine_day IS
'Additive OEE measures in seconds per machine and plant-local production date; the machine '
'version is the one valid at the first run. Grain: one row per machine-day with a run.';
COMMENT ON COLUMN dw.oee_machine_day.machine_code IS 'Machine code (business key of dw.dim_machine).';
COMMENT ON COLUMN dw.oee_machine_day.production_date IS
'Plant-local date of the run''s start (the production date all its downtime belongs to).';
COMMENT ON COLUMN dw.oee_machine_day.machine_key IS
'dw.dim_machine version valid at the start of the day''s first run.';
COMMENT ON COLUMN dw.oee_machine_day.runs IS 'Runs that day.';
COMMENT ON COLUMN dw.oee_machine_day.scheduled_s IS 'Sum of run durations, seconds.';
COMMENT ON COLUMN dw.oee_machine_day.planned_downtime_s IS 'Planned stops inside the runs, merged, seconds.';
COMMENT ON COLUMN dw.oee_machine_day.unplanned_downtime_s IS
'Unplanned stops inside the runs, merged, planned overlap removed, seconds.';
COMMENT ON COLUMN dw.oee_machine_day.total_count IS 'Units made.';
COMMENT ON COLUMN dw.oee_machine_day.good_count IS 'Good units.';
COMMENT ON COLUMN dw.oee_machine_day.ideal_output_s IS 'Sum of ideal_cycle_time_s x total_count, seconds.';
COMMENT ON COLUMN dw.oee_machine_day.ideal_good_s IS 'Sum of ideal_cycle_time_s x good_count, seconds.';
