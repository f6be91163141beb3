-- requires: dw/oee_machine_day.sql
-- requires: dw/oee_ratios.sql
CREATE OR REPLACE VIEW reporting.oee_monthly AS
/*
 * OEE per plant, line and month: the machine-days (each under its version's plant and
 * line) are summed first, then divided by the rules of dw.oee_ratios, never averaged.
 */
WITH month_sums AS (
    SELECT
        m.plant_code,
        m.line_code,
        date_trunc('month', d.production_date)::date AS month,
        count(*) AS machine_days,
        sum(d.scheduled_s) AS scheduled_s,
        sum(d.planned_downtime_s) AS planned_downtime_s,
        sum(d.unplanned_downtime_s) AS unplanned_downtime_s,
        sum(d.total_count) AS total_count,
        sum(d.good_count) AS good_count,
        sum(d.ideal_output_s) AS ideal_output_s,
        sum(d.ideal_good_s) AS ideal_good_s
    FROM dw.oee_machine_day AS d
    INNER JOIN dw.dim_machine AS m
        ON d.machine_key = m.machine_key
    GROUP BY m.plant_code, m.line_code, date_trunc('month', d.production_date)::date
)

SELECT
    s.plant_code,
    s.line_code,
    s.month,
    s.machine_days,
    s.scheduled_s / 60 AS scheduled_min,
    s.planned_downtime_s / 60 AS planned_downtime_min,
    r.planned_production_s / 60 AS planned_production_min,
    s.unplanned_downtime_s / 60 AS unplanned_downtime_min,
    r.run_time_s / 60 AS run_time_min,
    s.total_count,
    s.good_count,
    r.availability,
    r.performance,
    r.quality,
    r.oee,
    r.good_ratio,
    s.ideal_output_s / 60 AS ideal_output_min,
    s.ideal_good_s / 60 AS ideal_good_min
FROM month_sums AS s
CROSS JOIN LATERAL dw.oee_ratios(
    s.scheduled_s, s.planned_downtime_s, s.unplanned_downtime_s, s.ideal_output_s, s.ideal_good_s,
    s.total_count, s.good_count
) AS r;

COMMENT ON VIEW reporting.oee_monthly IS
'OEE per plant, line and plant-local month (first day), from summed minutes and counts. '
'Grain: one row per plant, line and month with at least one run.';
COMMENT ON COLUMN reporting.oee_monthly.month IS 'First day of the plant-local production month.';
COMMENT ON COLUMN reporting.oee_monthly.machine_days IS 'Machine-days summed into the row.';
COMMENT ON COLUMN reporting.oee_monthly.scheduled_min IS 'Sum of run durations, minutes.';
COMMENT ON COLUMN reporting.oee_monthly.planned_downtime_min IS 'Planned stops inside runs, minutes.';
COMMENT ON COLUMN reporting.oee_monthly.planned_production_min IS 'scheduled_min - planned_downtime_min.';
COMMENT ON COLUMN reporting.oee_monthly.unplanned_downtime_min IS 'Unplanned stops inside runs, minutes.';
COMMENT ON COLUMN reporting.oee_monthly.run_time_min IS 'planned_production_min - unplanned_downtime_min.';
COMMENT ON COLUMN reporting.oee_monthly.availability IS 'Sum of run time / sum of planned production.';
COMMENT ON COLUMN reporting.oee_monthly.performance IS 'Sum of ideal output time / sum of run time.';
COMMENT ON COLUMN reporting.oee_monthly.quality IS 'Sum of ideal good time / sum of ideal output time.';
COMMENT ON COLUMN reporting.oee_monthly.oee IS 'Sum of ideal good time / sum of planned production time.';
COMMENT ON COLUMN reporting.oee_monthly.good_ratio IS 'Sum of good / sum of total.';
COMMENT ON COLUMN reporting.oee_monthly.plant_code IS 'Plant of the machine versions of the machine-days.';
COMMENT ON COLUMN reporting.oee_monthly.line_code IS 'Line of the machine versions of the machine-days.';
COMMENT ON COLUMN reporting.oee_monthly.total_count IS 'Units made.';
COMMENT ON COLUMN reporting.oee_monthly.good_count IS 'Good units.';
COMMENT ON COLUMN reporting.oee_monthly.ideal_output_min IS
'Sum of ideal_cycle_time_s x total_count, minutes (numerator of performance).';
COMMENT ON COLUMN reporting.oee_monthly.ideal_good_min IS
'Sum of ideal_cycle_time_s x good_count, minutes (numerator of quality and OEE).';
