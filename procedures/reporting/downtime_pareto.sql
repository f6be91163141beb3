CREATE OR REPLACE VIEW reporting.downtime_pareto AS
/*
 * Downtime by plant, month, reason and planned-or-not: the minutes of each event inside
 * its machine's run windows, each event on its own (no union across events), attributed
 * to the production month of the run it overlaps and to that run's plant.
 */
WITH inside AS (
    SELECT
        m.plant_code,
        date_trunc('month', r.production_date)::date AS month,
        e.reason_code,
        e.is_planned,
        e.event_id,
        extract(EPOCH FROM least(e.end_ts, r.end_ts) - greatest(e.start_ts, r.start_ts)) AS seconds
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
    INNER JOIN dw.dim_machine AS m
        ON r.machine_key = m.machine_key
),

per_reason AS (
    SELECT
        i.plant_code,
        i.month,
        i.reason_code,
        i.is_planned,
        count(DISTINCT i.event_id) AS events,
        sum(i.seconds) / 60 AS downtime_min
    FROM inside AS i
    WHERE i.seconds > 0
    GROUP BY i.plant_code, i.month, i.reason_code, i.is_planned
)

SELECT
    p.plant_code,
    p.month,
    p.reason_code,
    p.is_planned,
    p.events,
    p.downtime_min,
    p.downtime_min / nullif(sum(p.downtime_min) OVER plant_month, 0) AS share_of_month,
    sum(p.downtime_min) OVER (
        PARTITION BY p.plant_code, p.month
        ORDER BY p.downtime_min DESC, p.reason_code ASC, p.is_planned ASC
        ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
    ) / nullif(sum(p.downtime_min) OVER plant_month, 0) AS cumulative_share
FROM per_reason AS p
WINDOW plant_month AS (PARTITION BY p.plant_code, p.month);

COMMENT ON VIEW reporting.downtime_pareto IS
'Downtime minutes inside run windows per plant, production month, reason and is_planned, '
'each event counted on its own. Grain: one row per plant, month, reason and is_planned.';
COMMENT ON COLUMN reporting.downtime_pareto.month IS 'First day of the production month of the overlapped runs.';
COMMENT ON COLUMN reporting.downtime_pareto.events IS 'Distinct events with minutes in that month.';
COMMENT ON COLUMN reporting.downtime_pareto.downtime_min IS 'Minutes of those events inside run windows.';
COMMENT ON COLUMN reporting.downtime_pareto.share_of_month IS 'downtime_min / the plant-month total (fraction).';
COMMENT ON COLUMN reporting.downtime_pareto.cumulative_share IS
'Running share in order of minutes descending, then reason_code, then is_planned (false first).';
COMMENT ON COLUMN reporting.downtime_pareto.plant_code IS 'Plant of the machine version of the overlapped run.';
COMMENT ON COLUMN reporting.downtime_pareto.reason_code IS 'Downtime reason as the events name it.';
COMMENT ON COLUMN reporting.downtime_pareto.is_planned IS 'True for planned stops (changeovers, breaks).';
