CREATE OR REPLACE FUNCTION etl.finish_run(
    p_run_id bigint,
    p_state text,
    p_message text DEFAULT NULL,
    p_failed_step text DEFAULT NULL
)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Ends a run as success or failed (a load ends this way; a chain run ends through
 * etl.record_step; a DBA ends a run that died with it). A step still running or retrying
 * is marked failed with the same message; a paused run stays paused. Releases the holder
 * session's advisory lock
 * and clears its hub.run_id when called from that session. Ending a run that already
 * ended changes nothing. An ended run queues its notification (etl.notification_outbox).
 */
BEGIN
    IF p_state NOT IN ('success', 'failed') THEN
        RAISE EXCEPTION 'etl.finish_run: a run ends as success or failed, not %', p_state
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    UPDATE etl.pipeline_run_step AS s
    SET state = 'failed', finished_at = clock_timestamp(), message = coalesce(p_message, s.message)
    WHERE s.run_id = p_run_id AND s.state IN ('running', 'retrying') AND p_state = 'failed';

    UPDATE etl.pipeline_run AS r
    SET
        state = p_state,
        finished_at = clock_timestamp(),
        error_message = CASE WHEN p_state = 'failed' THEN coalesce(p_message, r.error_message) END,
        failed_step = CASE WHEN p_state = 'failed' THEN coalesce(p_failed_step, r.failed_step) END
    WHERE r.run_id = p_run_id AND r.state NOT IN ('success', 'failed', 'paused');

    IF FOUND THEN
        INSERT INTO etl.pipeline_state_change (run_id, state, message)
        VALUES (p_run_id, p_state, p_message);
        -- The run has ended: its notification waits in the outbox until a process claims it
        -- (again, when a cleared Airflow task ended it a second time).
        INSERT INTO etl.notification_outbox AS o (run_id)
        VALUES (p_run_id)
        ON CONFLICT (run_id) DO UPDATE
            SET queued_at = clock_timestamp(), claimed_at = NULL, claimed_by = NULL;
    END IF;

    -- This session is no longer in that run.
    IF current_setting('hub.run_id', TRUE) = p_run_id::text THEN
        PERFORM set_config('hub.run_id', '', FALSE);
    END IF;

    IF EXISTS (
        SELECT 1 FROM pg_catalog.pg_locks AS l
        WHERE l.locktype = 'advisory' AND l.classid = 72120004 AND l.objid = p_run_id::oid
            AND l.objsubid = 2 AND l.pid = pg_backend_pid() AND l.granted
    ) THEN
        PERFORM pg_advisory_unlock(72120004, p_run_id::integer);
    END IF;
END;
$$;

COMMENT ON FUNCTION etl.finish_run(bigint, text, text, text) IS
'Ends a run as success or failed; a no-op on a run that has already ended.';

GRANT EXECUTE ON FUNCTION etl.finish_run(bigint, text, text, text) TO hub_etl;
