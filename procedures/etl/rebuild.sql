-- requires: etl/mark_for_rebuild.sql
-- requires: etl/run_pipeline.sql
-- requires: etl/start_run.sql
CREATE OR REPLACE PROCEDURE etl.rebuild(p_from date DEFAULT NULL, p_to date DEFAULT NULL, p_run_id bigint DEFAULT NULL)
LANGUAGE plpgsql
AS $$
/*
 * Recomputes dimensions and facts from clean for the days [p_from, p_to] (NULL: all) as
 * one recorded run of kind rebuild: etl.mark_for_rebuild notes the range for the
 * incremental steps, then etl.run_pipeline runs every step of the run, the same steps
 * as a load's chain, so the numbers are those a fresh load of the same files
 * gives with today's procedures. Nothing is loaded. Idempotent: a second rebuild writes
 * nothing. Without p_run_id (psql) it opens its own run; scripts/hub rebuild passes one.
 * While the hub is paused the run is recorded as paused and nothing runs. Caller's
 * rights, no SET clause: it commits between steps.
 */
DECLARE
    v_run_id bigint := p_run_id;
    v_message text;
    v_sqlstate text;
    v_hint text;
BEGIN
    IF v_run_id IS NULL THEN
        v_run_id := etl.start_run('rebuild');
        COMMIT;
    END IF;
    IF EXISTS (SELECT 1 FROM etl.pipeline_run AS r WHERE r.run_id = v_run_id AND r.state = 'paused') THEN
        RAISE NOTICE 'etl.rebuild: run % recorded as paused (the hub is paused; CALL etl.resume()); nothing done',
            v_run_id;
        RETURN;
    END IF;
    BEGIN
        PERFORM etl.mark_for_rebuild(v_run_id, p_from, p_to);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_message = MESSAGE_TEXT, v_sqlstate = RETURNED_SQLSTATE, v_hint = PG_EXCEPTION_HINT;
    END;
    IF v_message IS NOT NULL THEN
        PERFORM etl.finish_run(v_run_id, 'failed', v_message);
        COMMIT;
        RAISE EXCEPTION USING MESSAGE = v_message, ERRCODE = v_sqlstate, HINT = coalesce(v_hint, '');
    END IF;
    COMMIT;
    CALL etl.run_pipeline(v_run_id);  -- the chain's own loop: each step through etl.run_step
END;
$$;

COMMENT ON PROCEDURE etl.rebuild (date, date, bigint) IS
'Recomputes dimensions and facts from clean for a date range, as one recorded run of kind rebuild.';

GRANT EXECUTE ON PROCEDURE etl.rebuild(date, date, bigint) TO hub_etl;
