CREATE OR REPLACE PROCEDURE etl.pause(p_reason text DEFAULT NULL)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Pauses the hub: until etl.resume(), every run started (scripts/hub load, run, rebuild,
 * CALL etl.run_pipeline(), a DAG run) is recorded as paused and does nothing. A run in
 * progress finishes. Pausing again keeps the first pause's time and user, and takes the
 * new reason when one is given.
 */
BEGIN
    INSERT INTO etl.hub_pause AS p (reason)
    VALUES (p_reason)
    ON CONFLICT (is_paused) DO UPDATE SET reason = coalesce(excluded.reason, p.reason);
    RAISE NOTICE 'etl.pause: the hub is paused (%); CALL etl.resume() to resume', coalesce(p_reason, 'no reason given');
END;
$$;

COMMENT ON PROCEDURE etl.pause (text) IS
'Pauses the hub: runs started until etl.resume() are recorded as paused and do nothing.';

GRANT EXECUTE ON PROCEDURE etl.pause(text) TO hub_etl;
