CREATE OR REPLACE FUNCTION etl.dq_feed_freshness(p_target text, p_threshold numeric)
RETURNS TABLE (observed numeric, passed boolean, detail text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * Hours since the feed p_target last delivered a file (the newest batch that was not
     * rejected as a whole); a feed that never delivered fails with observed NULL.
     */
    WITH latest AS (
        SELECT max(b.finished_at) AS delivered
        FROM etl.batch AS b
        WHERE b.feed_name = p_target AND b.status = 'loaded'
    )

    SELECT
        round((extract(EPOCH FROM clock_timestamp() - l.delivered) / 3600)::numeric, 1),
        coalesce(extract(EPOCH FROM clock_timestamp() - l.delivered) / 3600 <= p_threshold, FALSE),
        CASE WHEN l.delivered IS NULL THEN format('%s has never delivered a file', p_target)
            ELSE format('%s last delivered %s h ago (at %s), limit %s h', p_target,
                round((extract(EPOCH FROM clock_timestamp() - l.delivered) / 3600)::numeric, 1),
                date_trunc('second', l.delivered), p_threshold)
        END
    FROM latest AS l;
$$;

COMMENT ON FUNCTION etl.dq_feed_freshness(text, numeric) IS
'Check: hours since a feed last delivered a file.';
