-- requires: etl/run_step.sql
-- requires: etl/start_run.sql
CREATE OR REPLACE PROCEDURE etl.run_pipeline(p_run_id bigint DEFAULT NULL)
LANGUAGE plpgsql
AS $$
/*
 * Runs every step of etl.pipeline_step in order through etl.run_step: one transaction
 * per step, so a failed step leaves the warehouse as it was before that step and the
 * steps before it stay done. Without p_run_id (psql) it opens its own run of kind run
 * (waiting for any other run first); scripts/hub run passes the run its loads belong to.
 * Runs with the caller's rights and has no SET clause: a procedure with either cannot
 * COMMIT. The steps themselves may be SECURITY DEFINER. While the hub is paused the run
 * is recorded as paused and nothing runs.
 */
DECLARE
    v_run_id bigint := p_run_id;
    v_step record;
BEGIN
    IF v_run_id IS NULL THEN
        v_run_id := etl.start_run('run');
        COMMIT;
    END IF;
    IF EXISTS (SELECT 1 FROM etl.pipeline_run AS r WHERE r.run_id = v_run_id AND r.state = 'paused') THEN
        RAISE NOTICE 'etl.run_pipeline: run % recorded as paused (the hub is paused; CALL etl.resume()); nothing done',
            v_run_id;
        RETURN;
    END IF;
    RAISE NOTICE 'etl.run_pipeline: run %', v_run_id;
    FOR v_step IN
        SELECT s.step_order
        FROM etl.pipeline_run_step AS s
        WHERE s.run_id = v_run_id
        ORDER BY s.step_order
    LOOP
        CALL etl.run_step(v_run_id, v_step.step_order);
    END LOOP;
END;
$$;

COMMENT ON PROCEDURE etl.run_pipeline (bigint) IS
'Runs the steps of etl.pipeline_step in order, one transaction each, as one recorded run.';

GRANT EXECUTE ON PROCEDURE etl.run_pipeline(bigint) TO hub_etl;
