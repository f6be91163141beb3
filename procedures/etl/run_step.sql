-- requires: etl/record_step.sql
-- requires: etl/execute_step.sql
CREATE OR REPLACE PROCEDURE etl.run_step(
    p_run_id bigint,
    p_step_order integer,
    p_attempt integer DEFAULT 1,
    p_retries integer DEFAULT 0
)
LANGUAGE plpgsql
AS $$
/*
 * Runs one step of a run in a transaction of its own and records its state around it,
 * each record committed on its own, so a failed step's rollback cannot erase it:
 *   running (committed) -> the step -> success (committed with the step's work), or
 *   the step rolled back -> retrying (p_attempt <= p_retries: Airflow will try again) or
 *   failed, committed, and the step's error raised again.
 * A step after which the data-quality gate holds a failed error check of this run fails
 * the same way, but its own work (the gate's results) stays committed.
 * Runs with the caller's rights and has no SET clause, because it commits; the step's
 * routine runs with the owner's rights through etl.execute_step. Airflow passes try_number and max_tries.
 */
DECLARE
    v_step record;
    v_started timestamptz;
    v_rows_before bigint;
    v_rows bigint;
    v_failed boolean := FALSE;
    v_message text;
    v_sqlstate text;
    v_detail text;
    v_hint text;
BEGIN
    SELECT s.step_order, s.routine_schema, s.routine_name INTO v_step
    FROM etl.pipeline_run_step AS s
    WHERE s.run_id = p_run_id AND s.step_order = p_step_order;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'etl.run_step: run % has no step %', p_run_id, p_step_order
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'Open a run with etl.start_run; its steps are those of etl.pipeline_step.';
    END IF;

    PERFORM set_config('hub.run_id', p_run_id::text, FALSE);
    PERFORM etl.record_step(p_run_id, p_step_order, 'running', p_attempt);
    COMMIT;

    RAISE NOTICE 'etl.run_step: run % step % %.% (attempt %)', p_run_id, v_step.step_order,
        v_step.routine_schema, v_step.routine_name, p_attempt;
    v_started := clock_timestamp();
    -- Rows written in clean and dw: the session's table counters (not yet flushed to the
    -- statistics system while a procedure runs) after the step, less those before it.
    SELECT coalesce(sum(t.n_tup_ins + t.n_tup_upd + t.n_tup_del), 0)::bigint INTO v_rows_before
    FROM pg_catalog.pg_stat_xact_user_tables AS t
    WHERE t.schemaname IN ('clean', 'dw');
    BEGIN
        CALL etl.execute_step(p_run_id, p_step_order);
        SELECT coalesce(sum(t.n_tup_ins + t.n_tup_upd + t.n_tup_del), 0)::bigint - v_rows_before INTO v_rows
        FROM pg_catalog.pg_stat_xact_user_tables AS t
        WHERE t.schemaname IN ('clean', 'dw');
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS
            v_message = MESSAGE_TEXT, v_sqlstate = RETURNED_SQLSTATE,
            v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
        v_failed := TRUE;
    END;

    IF NOT v_failed THEN
        SELECT
            'data-quality gate failed: ' || string_agg(
                format('%s (error): %s', d.check_name, d.detail), '; ' ORDER BY d.check_name
            )
        INTO v_message
        FROM etl.dq_result AS d
        WHERE d.run_id = p_run_id AND d.checked_at >= v_started
            AND d.severity = 'error' AND NOT d.passed;
        IF v_message IS NOT NULL THEN
            COMMIT;  -- keep the gate's results
            v_failed := TRUE;
            v_sqlstate := '22000';  -- data_exception
            v_detail := NULL;
            v_hint := 'See etl.dq_result for this run; fix the data (or the check in etl.dq_check) and run again.';
        END IF;
    END IF;

    IF v_failed THEN
        PERFORM etl.record_step(
            p_run_id, p_step_order,
            CASE WHEN p_attempt <= p_retries THEN 'retrying' ELSE 'failed' END,
            p_attempt, NULL, v_message
        );
        COMMIT;
        -- raise it again as it was (RAISE cannot leave out an option that is empty)
        IF coalesce(v_detail, '') = '' AND coalesce(v_hint, '') = '' THEN
            RAISE EXCEPTION USING MESSAGE = v_message, ERRCODE = v_sqlstate;
        ELSIF coalesce(v_detail, '') = '' THEN
            RAISE EXCEPTION USING MESSAGE = v_message, ERRCODE = v_sqlstate, HINT = v_hint;
        ELSIF coalesce(v_hint, '') = '' THEN
            RAISE EXCEPTION USING MESSAGE = v_message, ERRCODE = v_sqlstate, DETAIL = v_detail;
        ELSE
            RAISE EXCEPTION USING MESSAGE = v_message, ERRCODE = v_sqlstate, DETAIL = v_detail, HINT = v_hint;
        END IF;
    END IF;

    PERFORM etl.record_step(p_run_id, p_step_order, 'success', p_attempt, v_rows);
    COMMIT;
END;
$$;

COMMENT ON PROCEDURE etl.run_step (bigint, integer, integer, integer) IS
'Runs one step of a run in its own transaction, recording running, then success, retrying or failed.';

GRANT EXECUTE ON PROCEDURE etl.run_step(bigint, integer, integer, integer) TO hub_etl;
