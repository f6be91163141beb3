-- requires: dw/oee_machine_day.sql
-- requires: dw/oee_ratios.sql
CREATE OR REPLACE VIEW reporting.oee_daily AS
/*
 * OEE per machine and plant-local production date; the rules are dw.oee_ratios.
 */
SELECT
    m.plant_code,
    m.line_code,
    d.machine_code,
    d.production_date,
    d.scheduled_s / 60 AS scheduled_min,
    d.planned_downtime_s / 60 AS planned_downtime_min,
    r.planned_production_s / 60 AS planned_production_min,
    d.unplanned_downtime_s / 60 AS unplanned_downtime_min,
    r.run_time_s / 60 AS run_time_min,
    d.total_count,
    d.good_count,
    r.availability,
    r.performance,
    r.quality,
    r.oee,
    r.good_ratio,
    coalesce(r.performance > 1, FALSE) AS performance_above_1,
    d.ideal_output_s / 60 AS ideal_output_min,
    d.ideal_good_s / 60 AS ideal_good_min
FROM dw.oee_machine_day AS d
INNER JOIN dw.dim_machine AS m
    ON d.machine_key = m.machine_key
CROSS JOIN LATERAL dw.oee_ratios(
    d.scheduled_s, d.planned_downtime_s, d.unplanned_downtime_s, d.ideal_output_s, d.ideal_good_s,
    d.total_count, d.good_count
) AS r;

COMMENT ON VIEW reporting.oee_daily IS
'OEE per machine and plant-local production date (the date of each run''s start). '
'Grain: one row per machine and production date with at least one run.';
COMMENT ON COLUMN reporting.oee_daily.plant_code IS 'Plant of the machine version valid at the day''s first run.';
COMMENT ON COLUMN reporting.oee_daily.line_code IS 'Line of the machine version valid at the day''s first run.';
COMMENT ON COLUMN reporting.oee_daily.machine_code IS 'Machine.';
COMMENT ON COLUMN reporting.oee_daily.production_date IS 'Plant-local date of the runs'' start.';
COMMENT ON COLUMN reporting.oee_daily.scheduled_min IS 'Sum of the runs'' durations, minutes.';
COMMENT ON COLUMN reporting.oee_daily.planned_downtime_min IS
'Planned stops inside the runs, overlaps merged, minutes.';
COMMENT ON COLUMN reporting.oee_daily.planned_production_min IS 'scheduled_min - planned_downtime_min.';
COMMENT ON COLUMN reporting.oee_daily.unplanned_downtime_min IS
'Unplanned stops inside the runs, overlaps merged, planned overlap removed, minutes.';
COMMENT ON COLUMN reporting.oee_daily.run_time_min IS 'planned_production_min - unplanned_downtime_min.';
COMMENT ON COLUMN reporting.oee_daily.total_count IS 'Units made.';
COMMENT ON COLUMN reporting.oee_daily.good_count IS 'Good units.';
COMMENT ON COLUMN reporting.oee_daily.availability IS 'run_time / planned_production (fraction).';
COMMENT ON COLUMN reporting.oee_daily.performance IS
'sum(ideal_cycle_time_s x total_count) / run time (fraction, not capped).';
COMMENT ON COLUMN reporting.oee_daily.quality IS
'sum(ideal x good) / sum(ideal x total): good units weighted by ideal time (fraction).';
COMMENT ON COLUMN reporting.oee_daily.oee IS
'sum(ideal x good) / planned production time; = availability x performance x quality.';
COMMENT ON COLUMN reporting.oee_daily.good_ratio IS 'good_count / total_count (yield, fraction).';
COMMENT ON COLUMN reporting.oee_daily.performance_above_1 IS
'True when performance > 1: the ideal cycle time or the counts are suspect.';
COMMENT ON COLUMN reporting.oee_daily.ideal_output_min IS
'Sum of ideal_cycle_time_s x total_count over the runs, minutes (numerator of performance).';
COMMENT ON COLUMN reporting.oee_daily.ideal_good_min IS
'Sum of ideal_cycle_time_s x good_count over the runs, minutes (numerator of quality and OEE).';
