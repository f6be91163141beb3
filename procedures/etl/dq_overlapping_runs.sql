CREATE OR REPLACE FUNCTION etl.dq_overlapping_runs(p_target text, p_threshold numeric)
RETURNS TABLE (observed numeric, passed boolean, detail text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * Pairs of production runs of one machine that overlap in time, one of them loaded by
     * this run (every run outside a run, or when its previous result failed as an error: see
     * etl.check_data_quality): OEE would count that time twice. Runs that only
     * touch (one ends when the next starts) do not overlap, nor does a run of no length.
     * p_target: one machine, or all.
     */
    WITH run AS (
        -- NULL (everything) outside a run, and when the gate asks for everything
        -- (hub.dq_scope 'all': the check's previous result was a failed error)
        SELECT CASE
            WHEN current_setting('hub.dq_scope', TRUE) = 'all' THEN NULL
            ELSE nullif(current_setting('hub.run_id', TRUE), '')::bigint
        END AS run_id
    ),

    fresh AS (
        SELECT r.run_id, r.machine_code, r.start_ts, r.end_ts
        FROM dw.fact_production_run AS r
        WHERE
            (SELECT x.run_id FROM run AS x) IS NULL
            OR r.batch_id IN (
                SELECT d.batch_id FROM etl.dirty_batch AS d
                WHERE d.feed_name = 'production_runs' AND d.processed_run_id = (SELECT x.run_id FROM run AS x)
            )
    ),

    -- When this run wrote a large share of the runs (a first load, or everything), one
    -- ordered pass over the runs finds the later run of every overlapping pair, and only
    -- those are looked up; otherwise each fresh run is looked up. Either way the pairs are
    -- those with at least one fresh run.
    bulk AS (
        SELECT (SELECT count(*) FROM fresh) * 5 > (SELECT count(*) FROM dw.fact_production_run) AS is_bulk
    ),

    -- Ordered by start (then id), a run overlaps an earlier one exactly when it is not
    -- empty and starts before the latest end of the non-empty runs before it.
    ordered AS (
        SELECT
            r.run_id,
            r.machine_code,
            r.start_ts,
            r.end_ts,
            max(r.end_ts) FILTER (WHERE r.end_ts > r.start_ts) OVER (
                PARTITION BY r.machine_code ORDER BY r.start_ts, r.run_id
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
            ) AS reach
        FROM dw.fact_production_run AS r
        WHERE (SELECT b.is_bulk FROM bulk AS b)
    ),

    seeds AS (
        SELECT o.run_id, o.machine_code, o.start_ts, o.end_ts
        FROM ordered AS o
        WHERE o.end_ts > o.start_ts AND o.reach > o.start_ts
        UNION ALL
        SELECT f.run_id, f.machine_code, f.start_ts, f.end_ts
        FROM fresh AS f
        WHERE NOT (SELECT b.is_bulk FROM bulk AS b)
    ),

    pairs AS (
        SELECT DISTINCT
            least(a.run_id, b.run_id) AS run_a,
            greatest(a.run_id, b.run_id) AS run_b,
            a.machine_code
        FROM seeds AS a
        -- one lookup a seed through the GiST index on (hash of the code, span) of
        -- schema/0015 (kept apart by OFFSET 0, or the planner may merge-join every run of
        -- the machine); the codes compared in a way the planner does not take for a key
        CROSS JOIN LATERAL (
            SELECT r.run_id
            FROM dw.fact_production_run AS r
            WHERE
                hashtext(a.machine_code) = hashtext(r.machine_code)
                AND a.machine_code IS NOT DISTINCT FROM r.machine_code
                AND tstzrange(a.start_ts, a.end_ts) && tstzrange(r.start_ts, r.end_ts)
                AND a.run_id <> r.run_id
            OFFSET 0
        ) AS b
        WHERE
            (p_target IS NULL OR a.machine_code = p_target)
            AND (
                NOT (SELECT x.is_bulk FROM bulk AS x)
                OR a.run_id IN (SELECT f.run_id FROM fresh AS f)
                OR b.run_id IN (SELECT f.run_id FROM fresh AS f)
            )
    )

    SELECT
        count(*)::numeric,
        count(*) <= p_threshold,
        CASE WHEN count(*) = 0 THEN 'no machine has overlapping runs' ELSE
            format('%s pair(s) of overlapping runs, first: %s', count(*), array_to_string(
                (array_agg(format('%s and %s on %s', p.run_a, p.run_b, p.machine_code)
                    ORDER BY p.machine_code, p.run_a, p.run_b))[1:5], ', '
            ))
        END
    FROM pairs AS p;
$$;

COMMENT ON FUNCTION etl.dq_overlapping_runs(text, numeric) IS
'Check: pairs of production runs of one machine that overlap in time.';
