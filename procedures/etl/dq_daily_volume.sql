CREATE OR REPLACE FUNCTION etl.dq_daily_volume(p_target text, p_threshold numeric)
RETURNS TABLE (observed numeric, passed boolean, detail text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * The record count of feed p_target (by its time column) on the latest complete UTC day
 * (the day before the newest record's day, which may still be arriving: a night shift
 * runs into it) against the median of the same weekday in the four weeks before it (plants
 * keep weekly rhythms: a quiet Sunday is no anomaly): observed is |count / median - 1|, and
 * the check passes while that is at most p_threshold. With fewer than two such days there
 * is no normal to compare with, and it passes saying so.
 */
DECLARE
    v_table text;
    v_column text;
    v_latest date;
    v_count bigint;
    v_median numeric;
    v_days integer;
    v_partition name;
BEGIN
    SELECT
        f.clean_table,
        CASE f.feed_name
            WHEN 'production_runs' THEN 'start_ts'
            WHEN 'downtime_events' THEN 'start_ts'
            WHEN 'sensor_readings' THEN 'reading_ts'
        END
    INTO v_table, v_column
    FROM etl.feed AS f
    WHERE f.feed_name = p_target;
    IF v_column IS NULL THEN
        RAISE EXCEPTION 'etl.dq_daily_volume: no daily volume for feed %', coalesce(p_target, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'Targets: production_runs, downtime_events, sensor_readings.';
    END IF;

    -- The newest record: a monthly partitioned table (the readings) holds it in its newest
    -- non-empty partition, so the partitions are read newest first (the names of
    -- etl.month_partitions sort as their months) and the first one with rows answers; a
    -- full scan of a year of readings cost about a second.
    IF EXISTS (
        SELECT 1 FROM etl.partitioned_table AS t
        WHERE t.table_schema = 'clean' AND t.table_name = v_table
    ) THEN
        FOR v_partition IN
            SELECT c.relname
            FROM pg_catalog.pg_inherits AS i
            INNER JOIN pg_catalog.pg_class AS c
                ON i.inhrelid = c.oid
            WHERE i.inhparent = format('clean.%I', v_table)::regclass
            ORDER BY c.relname DESC
        LOOP
            EXECUTE format('SELECT (max(%I) AT TIME ZONE ''UTC'')::date - 1 FROM clean.%I', v_column, v_partition)
            INTO v_latest;
            EXIT WHEN v_latest IS NOT NULL;
        END LOOP;
    ELSE
        EXECUTE format('SELECT (max(%I) AT TIME ZONE ''UTC'')::date - 1 FROM clean.%I', v_column, v_table)
        INTO v_latest;
    END IF;
    IF v_latest IS NULL THEN
        RETURN QUERY SELECT NULL::numeric, TRUE, format('%s holds no data yet', p_target);
        RETURN;
    END IF;

    EXECUTE format(
        'WITH daily AS ('
        '    SELECT (t.%1$I AT TIME ZONE ''UTC'')::date AS day, count(*) AS n'
        '    FROM clean.%2$I AS t'
        '    WHERE t.%1$I >= ($1 - 28)::timestamp AT TIME ZONE ''UTC'''
        '    GROUP BY 1'
        ')'
        ' SELECT'
        '    coalesce(max(d.n) FILTER (WHERE d.day = $1), 0),'
        '    percentile_cont(0.5) WITHIN GROUP (ORDER BY d.n)'
        '        FILTER (WHERE d.day < $1 AND extract(ISODOW FROM d.day) = extract(ISODOW FROM $1)),'
        '    count(*) FILTER (WHERE d.day < $1 AND extract(ISODOW FROM d.day) = extract(ISODOW FROM $1))'
        ' FROM daily AS d',
        v_column, v_table
    )
    INTO v_count, v_median, v_days
    USING v_latest;

    IF v_days < 2 THEN
        RETURN QUERY SELECT NULL::numeric, TRUE,
            format('%s: %s records on %s; only %s earlier %s in four weeks, no normal yet', p_target, v_count,
                v_latest, v_days, to_char(v_latest, 'FMDay'));
        RETURN;
    END IF;

    RETURN QUERY SELECT
        round(abs(v_count / v_median - 1), 4),
        abs(v_count / v_median - 1) <= p_threshold,
        format('%s: %s records on %s against a median of %s over the %s %s(s) before (limit +-%s%%)',
            p_target, v_count, v_latest, v_median, v_days, to_char(v_latest, 'FMDay'), round(p_threshold * 100));
END;
$$;

COMMENT ON FUNCTION etl.dq_daily_volume(text, numeric) IS
'Check: the latest day''s record count of a feed against the median of the 28 days before.';
