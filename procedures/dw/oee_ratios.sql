CREATE OR REPLACE FUNCTION dw.oee_ratios(
    p_scheduled_s numeric,
    p_planned_downtime_s numeric,
    p_unplanned_downtime_s numeric,
    p_ideal_output_s numeric,
    p_ideal_good_s numeric,
    p_total_count numeric,
    p_good_count numeric
)
RETURNS TABLE (
    planned_production_s numeric,
    run_time_s numeric,
    availability numeric,
    performance numeric,
    quality numeric,
    oee numeric,
    good_ratio numeric
)
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
/*
 * The OEE rules, once, for every grain (a machine-day, or sums of machine-days: ratios are
 * always taken of sums, never averaged):
 *   planned production = scheduled - planned downtime; run time = planned production -
 *   unplanned downtime; availability = run time / planned production; performance = ideal
 *   output time / run time (not capped); quality = ideal good time / ideal output time;
 *   OEE = ideal good time / planned production time; good ratio = good / total.
 * A ratio whose denominator is 0 is NULL. Inlined by the planner (a single SELECT).
 */
SELECT
    p_scheduled_s - p_planned_downtime_s AS planned_production_s,
    p_scheduled_s - p_planned_downtime_s - p_unplanned_downtime_s AS run_time_s,
    (p_scheduled_s - p_planned_downtime_s - p_unplanned_downtime_s)
    / nullif(p_scheduled_s - p_planned_downtime_s, 0) AS availability,
    p_ideal_output_s / nullif(p_scheduled_s - p_planned_downtime_s - p_unplanned_downtime_s, 0) AS performance,
    p_ideal_good_s / nullif(p_ideal_output_s, 0) AS quality,
    p_ideal_good_s / nullif(p_scheduled_s - p_planned_downtime_s, 0) AS oee,
    p_good_count / nullif(p_total_count, 0) AS good_ratio;
$$;

COMMENT ON FUNCTION dw.oee_ratios(numeric, numeric, numeric, numeric, numeric, numeric, numeric) IS
'The OEE rules in one place: planned production, run time and the five ratios from summed '
'seconds and counts (NULL for a zero denominator).';

GRANT EXECUTE ON FUNCTION dw.oee_ratios(numeric, numeric, numeric, numeric, numeric, numeric, numeric) TO hub_reporting;
