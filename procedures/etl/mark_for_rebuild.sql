CREATE OR REPLACE FUNCTION etl.mark_for_rebuild(p_run_id bigint, p_from date DEFAULT NULL, p_to date DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Prepares a rebuild: notes for the chain's incremental steps everything `clean` holds
 * for the days [p_from, p_to] (NULL: from the beginning / to the end), as if it had just
 * been loaded: the batches of production runs and downtime events with a row starting in
 * the range (a day wider on each side, since facts are dated on the plant's clock; a
 * batch is taken whole), and the UTC days of sensor readings. The chain's steps then
 * recompute exactly those facts with today's procedures; dimensions, finance facts and
 * daily rates are recomputed whole by their steps on every run anyway. Records the range
 * on the run (kind rebuild, or a dag run with the rebuild param). Returns the batches and
 * ranges noted.
 */
DECLARE
    v_from timestamptz;
    v_to timestamptz;
    v_batches bigint;
    v_ranges bigint;
BEGIN
    IF p_from > p_to THEN
        RAISE EXCEPTION 'etl.mark_for_rebuild: the range starts (%) after it ends (%)', p_from, p_to
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Give --from on or before --to.';
    END IF;
    UPDATE etl.pipeline_run AS r
    SET rebuild_from = p_from, rebuild_to = p_to
    WHERE r.run_id = p_run_id AND r.kind IN ('rebuild', 'dag') AND r.state = 'running';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'etl.mark_for_rebuild: run % is not a running rebuild or DAG run', p_run_id
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'Open the run with etl.start_run(''rebuild''), or CALL etl.rebuild(from, to).';
    END IF;
    v_from := (p_from - 1)::timestamp AT TIME ZONE 'UTC';
    v_to := (p_to + 2)::timestamp AT TIME ZONE 'UTC';

    INSERT INTO etl.dirty_batch (feed_name, batch_id)
    SELECT DISTINCT
        'production_runs',
        r.batch_id
    FROM clean.production_run AS r
    WHERE
        (v_from IS NULL OR r.start_ts >= v_from)
        AND (v_to IS NULL OR r.start_ts < v_to)
    ON CONFLICT (feed_name, batch_id) WHERE processed_at IS NULL DO NOTHING;
    GET DIAGNOSTICS v_batches = ROW_COUNT;

    INSERT INTO etl.dirty_batch (feed_name, batch_id)
    SELECT DISTINCT
        'downtime_events',
        e.batch_id
    FROM clean.downtime_event AS e
    WHERE
        (v_from IS NULL OR e.start_ts >= v_from)
        AND (v_to IS NULL OR e.start_ts < v_to)
    ON CONFLICT (feed_name, batch_id) WHERE processed_at IS NULL DO NOTHING;
    GET DIAGNOSTICS v_ranges = ROW_COUNT;
    v_batches := v_batches + v_ranges;

    INSERT INTO etl.dirty_range (feed_name, from_ts, to_ts)
    SELECT
        'sensor_readings',
        coalesce(p_from::timestamp AT TIME ZONE 'UTC', min(s.reading_ts)),
        coalesce((p_to + 1)::timestamp AT TIME ZONE 'UTC' - INTERVAL '1 microsecond', max(s.reading_ts))
    FROM clean.sensor_reading AS s
    WHERE
        (p_from IS NULL OR s.reading_ts >= p_from::timestamp AT TIME ZONE 'UTC')
        AND (p_to IS NULL OR s.reading_ts < (p_to + 1)::timestamp AT TIME ZONE 'UTC')
    HAVING count(*) > 0;
    GET DIAGNOSTICS v_ranges = ROW_COUNT;

    RAISE NOTICE 'etl.mark_for_rebuild: run % rebuilds % to %: % batch(es) of runs and stops, % sensor range(s)',
        p_run_id, coalesce(p_from::text, 'the beginning'), coalesce(p_to::text, 'the end'), v_batches, v_ranges;
    RETURN v_batches + v_ranges;
END;
$$;

COMMENT ON FUNCTION etl.mark_for_rebuild(bigint, date, date) IS
'Notes clean''s rows of a date range for the chain''s incremental steps (a rebuild).';

GRANT EXECUTE ON FUNCTION etl.mark_for_rebuild(bigint, date, date) TO hub_etl;
