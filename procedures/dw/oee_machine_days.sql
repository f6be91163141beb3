-- requires: dw/multirange_seconds.sql
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
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The additive measures of OEE per machine and production date, in seconds, that every
     * OEE view divides (ratios are always sums first, then one division), for the machines
     * p_machines and production dates p_from to p_to (NULL: all), filtered before the
     * downtime is clipped. SECURITY DEFINER so that the reporting views work for
     * hub_reporting, which may not read dw: an inlined function would read dw with the
     * reader's rights. It reads the owner's tables only, and takes values, no names.
     * - A run and all its downtime belong to the plant-local date of the run's start.
     * - Downtime counts only where an event overlaps a run of its machine, clipped to the
     *   run; overlapping events are merged (union of intervals); where planned and unplanned
     *   overlap, the overlap is planned.
     * - The machine-day takes the machine version valid at the start of its first run.
     */
    WITH clipped AS (
        SELECT
            r.run_id,
            e.is_planned,
            tstzrange(greatest(e.start_ts, r.start_ts), least(e.end_ts, r.end_ts)) AS span
        FROM dw.fact_production_run AS r
        INNER JOIN dw.fact_downtime_event AS e
            ON
                -- The same machine's stops that overlap the run, found through the GiST index on
                -- (hash of the machine code, span) of schema/0015 (an empty span, a zero-minute
                -- stop, overlaps nothing). The codes themselves are compared with IS NOT DISTINCT
                -- FROM, which the planner cannot take for a second join key: with two it
                -- underestimated the join and merged every stop with every run of its machine.
                hashtext(r.machine_code) = hashtext(e.machine_code)
                AND r.machine_code IS NOT DISTINCT FROM e.machine_code
                AND tstzrange(r.start_ts, r.end_ts) && tstzrange(e.start_ts, e.end_ts)
        WHERE
            (p_machines IS NULL OR r.machine_code = any(p_machines))
            AND (p_from IS NULL OR r.production_date >= p_from)
            AND (p_to IS NULL OR r.production_date <= p_to)
    ),

    per_run AS (
        SELECT
            c.run_id,
            range_agg(c.span) FILTER (WHERE c.is_planned) AS planned,
            range_agg(c.span) FILTER (WHERE NOT c.is_planned) AS unplanned
        FROM clipped AS c
        GROUP BY c.run_id
    ),

    run_downtime AS (
        SELECT
            p.run_id,
            dw.multirange_seconds(p.planned) AS planned_s,
            dw.multirange_seconds(p.unplanned - coalesce(p.planned, '{}'::tstzmultirange)) AS unplanned_s
        FROM per_run AS p
    )

    SELECT
        r.machine_code,
        r.production_date,
        (array_agg(r.machine_key ORDER BY r.start_ts))[1] AS machine_key,
        count(*) AS runs,
        sum(r.scheduled_s) AS scheduled_s,
        sum(coalesce(d.planned_s, 0)) AS planned_downtime_s,
        sum(coalesce(d.unplanned_s, 0)) AS unplanned_downtime_s,
        sum(r.total_count) AS total_count,
        sum(r.good_count) AS good_count,
        sum(r.ideal_output_s) AS ideal_output_s,
        sum(r.ideal_good_s) AS ideal_good_s
    FROM dw.fact_production_run AS r
    LEFT JOIN run_downtime AS d
        ON r.run_id = d.run_id
    WHERE
        (p_machines IS NULL OR r.machine_code = any(p_machines))
        AND (p_from IS NULL OR r.production_date >= p_from)
        AND (p_to IS NULL OR r.production_date <= p_to)
    GROUP BY r.machine_code, r.production_date;
$$;

COMMENT ON FUNCTION dw.oee_machine_days(text[], date, date) IS
'Additive OEE measures in seconds per machine and plant-local production date, for some '
'machines and dates (NULL: all).';

GRANT EXECUTE ON FUNCTION dw.oee_machine_days(text[], date, date) TO hub_reporting;
