CREATE OR REPLACE PROCEDURE etl.execute_step(p_run_id bigint, p_step_order integer)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Executes the routine of one step of a run with the owner's rights, so that hub_etl,
 * which may neither see dw nor execute the step routines, can run the chain. Only a step
 * that etl.run_step has just recorded as running, of a run that is running, is executed:
 * the routine's name comes from etl.pipeline_run_step (copied from etl.pipeline_step by
 * etl.start_run), never from the caller. Called by etl.run_step, inside its transaction.
 */
DECLARE
    v_step record;
BEGIN
    SELECT s.routine_schema, s.routine_name, s.state, r.state AS run_state INTO v_step
    FROM etl.pipeline_run_step AS s
    INNER JOIN etl.pipeline_run AS r
        ON s.run_id = r.run_id
    WHERE s.run_id = p_run_id AND s.step_order = p_step_order;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'etl.execute_step: run % has no step %', p_run_id, p_step_order
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'Open a run with etl.start_run; its steps are those of etl.pipeline_step.';
    END IF;
    IF v_step.state <> 'running' OR v_step.run_state <> 'running' THEN
        RAISE EXCEPTION 'etl.execute_step: step % of run % is %, and the run %; only a running step of a running run is executed',
            p_step_order, p_run_id, v_step.state, v_step.run_state
            USING ERRCODE = 'object_not_in_prerequisite_state',
                HINT = 'Run steps through etl.run_step (or etl.run_pipeline), which records them as running first.';
    END IF;
    EXECUTE format('CALL %I.%I()', v_step.routine_schema, v_step.routine_name);
END;
$$;

COMMENT ON PROCEDURE etl.execute_step (bigint, integer) IS
'Executes a running step of a running run with the owner''s rights (for etl.run_step).';

GRANT EXECUTE ON PROCEDURE etl.execute_step(bigint, integer) TO hub_etl;
