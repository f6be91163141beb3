CREATE OR REPLACE FUNCTION etl.record_notification(p_run_id bigint, p_channels text[])
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    /* Records when a run's notification went out and to which channels (log, email, webhook). */
    UPDATE etl.pipeline_run AS r
    SET notified_at = clock_timestamp(), notified_via = p_channels
    WHERE r.run_id = p_run_id;
$$;

COMMENT ON FUNCTION etl.record_notification(bigint, text[]) IS
'Records when and where a run''s notification was sent.';

GRANT EXECUTE ON FUNCTION etl.record_notification(bigint, text[]) TO hub_etl;
