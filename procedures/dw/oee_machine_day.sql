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
