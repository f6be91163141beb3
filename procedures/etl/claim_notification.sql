CREATE OR REPLACE FUNCTION etl.claim_notification(p_run_id bigint)
RETURNS boolean
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Claims a queued notification for the calling process: TRUE once per time the run
 * ended (the caller then sends it), FALSE when another process has claimed it or the
 * run has not ended. A run that ended before the outbox existed is claimed at once.
 */
DECLARE
    v_state text;
BEGIN
    SELECT r.state INTO v_state FROM etl.pipeline_run AS r WHERE r.run_id = p_run_id;
    IF v_state IS NULL THEN
        RAISE EXCEPTION 'etl.claim_notification: no run %', p_run_id
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'See reporting.pipeline_runs for the runs.';
    END IF;
    IF v_state NOT IN ('success', 'failed', 'paused') THEN
        RETURN FALSE;
    END IF;
    INSERT INTO etl.notification_outbox AS o (run_id, claimed_at, claimed_by)
    VALUES (p_run_id, clock_timestamp(), session_user)
    ON CONFLICT (run_id) DO UPDATE
        SET claimed_at = excluded.claimed_at, claimed_by = excluded.claimed_by
        WHERE o.claimed_at IS NULL;
    RETURN FOUND;
END;
$$;

COMMENT ON FUNCTION etl.claim_notification(bigint) IS
'Claims a run''s queued notification for the caller (TRUE once per end of the run).';

GRANT EXECUTE ON FUNCTION etl.claim_notification(bigint) TO hub_etl;
