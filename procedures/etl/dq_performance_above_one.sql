-- requires: reporting/oee_daily.sql
CREATE OR REPLACE FUNCTION etl.dq_performance_above_one(p_target text, p_threshold numeric)
RETURNS TABLE (observed numeric, passed boolean, detail text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
    /* Machine-days of reporting.oee_daily whose performance is above 1. p_target unused. */
    WITH above AS (
        SELECT o.machine_code, o.production_date, o.performance
        FROM reporting.oee_daily AS o
        WHERE o.performance_above_1 AND (p_target IS NULL OR o.plant_code = p_target)
    )

    SELECT
        count(*)::numeric,
        count(*) <= p_threshold,
        CASE WHEN count(*) = 0 THEN 'no machine-day has performance above 1' ELSE
            format('%s machine-day(s) with performance above 1, the highest %s on %s %s',
                count(*), max(a.performance),
                (array_agg(a.machine_code ORDER BY a.performance DESC))[1],
                (array_agg(a.production_date ORDER BY a.performance DESC))[1])
        END
    FROM above AS a;
$$;

COMMENT ON FUNCTION etl.dq_performance_above_one(text, numeric) IS
'Check: machine-days whose performance is above 1 (a warning by default).';
