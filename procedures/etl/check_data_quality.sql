-- requires: etl/dq_batch_reconciliation.sql
-- requires: etl/dq_unknown_members.sql
-- requires: etl/dq_scd2_invariants.sql
-- requires: etl/dq_overlapping_runs.sql
-- requires: etl/dq_performance_above_one.sql
-- requires: etl/dq_missing_exchange_rates.sql
-- requires: etl/dq_feed_freshness.sql
-- requires: etl/dq_daily_volume.sql
CREATE OR REPLACE PROCEDURE etl.check_data_quality()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off
SET work_mem = '64MB'
AS $$
/*
 * The data-quality gate: runs every enabled check of etl.dq_check and keeps each outcome
 * in etl.dq_result under the current run (hub.run_id; NULL outside a run), replacing
 * what an earlier attempt of the same run recorded. It does not raise: etl.run_step reads
 * the results, keeps them, and fails the run when an error check failed. A warning is
 * recorded and notified only. A check that itself breaks is recorded as failed, with its
 * error as detail. The costly checks look only at what the run touched, unless the check's
 * previous result is a failed error: then hub.dq_scope is 'all' while it runs and it looks
 * at the whole warehouse, so an error keeps failing until its cause is gone.
 */
DECLARE
    v_run_id bigint := nullif(current_setting('hub.run_id', TRUE), '')::bigint;
    v_check record;
    v_observed numeric;
    v_passed boolean;
    v_detail text;
    v_everything boolean;
BEGIN
    DELETE FROM etl.dq_result AS d WHERE d.run_id = v_run_id;
    FOR v_check IN
        SELECT c.check_name, c.check_function, c.target, c.severity, c.threshold
        FROM etl.dq_check AS c
        WHERE c.is_enabled
        ORDER BY c.check_name
    LOOP
        v_everything := coalesce((
            SELECT NOT r.passed AND r.severity = 'error'
            FROM etl.dq_result AS r
            WHERE r.check_name = v_check.check_name
            ORDER BY r.result_id DESC
            LIMIT 1
        ), FALSE);
        PERFORM set_config('hub.dq_scope', CASE WHEN v_everything THEN 'all' ELSE '' END, TRUE);
        BEGIN
            EXECUTE format('SELECT observed, passed, detail FROM %s($1, $2)', v_check.check_function)
            INTO v_observed, v_passed, v_detail
            USING v_check.target, v_check.threshold;
        EXCEPTION WHEN OTHERS THEN
            v_observed := NULL;
            v_passed := FALSE;
            v_detail := format('the check itself failed: %s', SQLERRM);
        END;
        INSERT INTO etl.dq_result (run_id, check_name, severity, threshold, observed, passed, detail)
        VALUES (
            v_run_id, v_check.check_name, v_check.severity, v_check.threshold, v_observed,
            coalesce(v_passed, FALSE), v_detail
        );
        IF NOT coalesce(v_passed, FALSE) THEN
            RAISE NOTICE 'etl.check_data_quality: % % failed: %', v_check.severity, v_check.check_name, v_detail;
        END IF;
    END LOOP;
    PERFORM set_config('hub.dq_scope', '', TRUE);
END;
$$;

COMMENT ON PROCEDURE etl.check_data_quality () IS
'The data-quality gate: runs the enabled checks of etl.dq_check and records each result.';
