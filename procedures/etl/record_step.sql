-- requires: etl/finish_run.sql
CREATE OR REPLACE FUNCTION etl.record_step(
    p_run_id bigint,
    p_step_order integer,
    p_state text,
    p_attempt integer DEFAULT 1,
    p_rows_written bigint DEFAULT NULL,
    p_message text DEFAULT NULL
)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Records a step's new state (running, success, retrying or failed) and what it means
 * for the run: running or retrying carries over to the run; a failed step fails the run;
 * the last step to succeed makes the run a success. Called by etl.run_step in a
 * transaction of its own. A run that had failed comes back to running when one of its
 * steps is tried again (an Airflow task cleared after the run failed).
 */
DECLARE
    v_step text;
BEGIN
    IF p_state NOT IN ('running', 'success', 'retrying', 'failed') THEN
        RAISE EXCEPTION 'etl.record_step: unknown step state %', p_state
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    UPDATE etl.pipeline_run_step AS s
    SET
        state = p_state,
        attempts = greatest(s.attempts, p_attempt),
        started_at = CASE WHEN p_state = 'running' THEN clock_timestamp() ELSE s.started_at END,
        finished_at = CASE WHEN p_state = 'running' THEN NULL ELSE clock_timestamp() END,
        rows_written = CASE WHEN p_state = 'running' THEN NULL ELSE p_rows_written END,
        message = p_message
    WHERE s.run_id = p_run_id AND s.step_order = p_step_order
    RETURNING format('%s %s.%s', s.step_order, s.routine_schema, s.routine_name) INTO v_step;

    IF v_step IS NULL THEN
        RAISE EXCEPTION 'etl.record_step: run % has no step %', p_run_id, p_step_order
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'A run''s steps are those of etl.pipeline_step when etl.start_run opened it.';
    END IF;

    INSERT INTO etl.pipeline_state_change (run_id, step_order, state, message)
    VALUES (p_run_id, p_step_order, p_state, p_message);

    IF p_state IN ('running', 'retrying') THEN
        UPDATE etl.pipeline_run AS r
        SET state = p_state, finished_at = NULL, failed_step = NULL, error_message = NULL
        WHERE r.run_id = p_run_id AND r.state <> p_state;
        IF FOUND THEN
            INSERT INTO etl.pipeline_state_change (run_id, state, message)
            VALUES (p_run_id, p_state, format('step %s %s', v_step, p_state));
        END IF;
    ELSIF p_state = 'failed' THEN
        PERFORM etl.finish_run(p_run_id, 'failed', format('step %s failed: %s', v_step, p_message), v_step);
    ELSIF NOT EXISTS (
        SELECT 1 FROM etl.pipeline_run_step AS s
        WHERE s.run_id = p_run_id AND s.state <> 'success'
    ) THEN
        PERFORM etl.finish_run(p_run_id, 'success');
    END IF;
END;
$$;

COMMENT ON FUNCTION etl.record_step(bigint, integer, text, integer, bigint, text) IS
'Records a step''s state and carries it over to its run (failed fails it, the last success ends it).';

GRANT EXECUTE ON FUNCTION etl.record_step(bigint, integer, text, integer, bigint, text) TO hub_etl;
