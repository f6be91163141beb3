-- requires: dw/oee_machine_day.sql
CREATE OR REPLACE FUNCTION dw.oee_machine_days(p_machines text[], p_from date, p_to date)
RETURNS TABLE (
    machine_code text,
    production_date date,
    machine_key bigint,
    runs bigint,
    scheduled_s numeric,
    planned_downtime_s numeric,
    unplanned_downtime_s numeric,
    total_count numeric,
    good_count numeric,
    ideal_output_s numeric,
    ideal_good_s numeric
)
LANGUAGE sql
STABLE
AS $$
    /*
     * dw.oee_machine_day (where the rules are written) for the machines p_machines and
     * production dates p_from to p_to (NULL: all). The planner inlines this function, so
     * NULL arguments cost nothing and the filter reaches the runs the view reads.
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
    FROM dw.oee_machine_day AS d
    WHERE
        (p_machines IS NULL OR d.machine_code = any(p_machines))
        AND (p_from IS NULL OR d.production_date >= p_from)
        AND (p_to IS NULL OR d.production_date <= p_to);
$$;

COMMENT ON FUNCTION dw.oee_machine_days(text[], date, date) IS
'Additive OEE measures in seconds per machine and plant-local production date, for some '
'machines and dates (NULL: all).';
