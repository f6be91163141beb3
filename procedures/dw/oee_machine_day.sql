-- requires: dw/oee_machine_days.sql
CREATE OR REPLACE VIEW dw.oee_machine_day AS
/*
 * The additive measures of OEE per machine and production date (dw.oee_machine_days for
 * every machine and date, where the rules are written).
 * Grain: one row per machine and production date with at least one run.
 */
SELECT
    d.machine_code,
    d.production_date,
    d.machine_key,
    d.runs,
    d.scheduled_s,
    d.planned_downtime_s,
    d.unplanned_downtime_s,
    d.total_count,
    d.good_count,
    d.ideal_output_s,
    d.ideal_good_s
FROM dw.oee_machine_days(NULL, NULL, NULL) AS d;

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
