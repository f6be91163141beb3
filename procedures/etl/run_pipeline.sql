CREATE OR REPLACE PROCEDURE etl.run_pipeline()
LANGUAGE plpgsql
AS $$
/*
 * Runs every step of etl.pipeline_step in order, committing after each, so a failed step
 * leaves the warehouse as it was before that step and the steps before it stay done.
 * Runs with the caller's rights and has no SET clause: a procedure with either cannot
 * COMMIT. The steps themselves may be SECURITY DEFINER.
 */
DECLARE
    v_step record;
BEGIN
    FOR v_step IN
        SELECT s.step_order, s.routine_schema, s.routine_name
        FROM etl.pipeline_step AS s
        ORDER BY s.step_order
    LOOP
        RAISE NOTICE 'etl.run_pipeline: step % %.%', v_step.step_order,
            v_step.routine_schema, v_step.routine_name;
        EXECUTE format('CALL %I.%I()', v_step.routine_schema, v_step.routine_name);
        COMMIT;
    END LOOP;
END;
$$;

COMMENT ON PROCEDURE etl.run_pipeline () IS
'Runs the steps of etl.pipeline_step in order, one transaction each.';
