CREATE OR REPLACE FUNCTION etl.start_run(
    p_kind text,
    p_airflow_dag_id text DEFAULT NULL,
    p_airflow_run_id text DEFAULT NULL
)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Opens a run record (etl.pipeline_run) and returns its id; the caller commits at once.
 * Two runs never interleave: while another run is pending, running or retrying, this
 * waits up to etl.setting lock_wait_seconds, then fails naming that run. A run held by a
 * session (CLI or psql) keeps an advisory lock (72120004, run_id) for as long as it is
 * open; a run whose session has ended without finishing is marked failed here first,
 * with each of its steps not yet done (reason abandoned, finished_at when noticed).
 * The same Airflow DAG run asking again (a retried or cleared task) gets its own record
 * back. Sets the session's hub.run_id, which etl.register_batch and the gate read.
 * While the hub is paused (etl.pause) the run is recorded as paused, already ended, and
 * nothing else happens: the caller reads the state and stops (hub.run_id is not set).
 */
DECLARE
    v_run_id bigint;
    v_wait numeric;
    v_deadline timestamptz;
    v_busy record;
    v_pause record;
    v_in_the_way text;
    v_now timestamptz;
    v_abandoned constant text := 'abandoned: the session that ran it ended before it finished';
BEGIN
    IF p_kind NOT IN ('load', 'run', 'dag', 'rebuild') OR (p_kind = 'dag') <> (p_airflow_run_id IS NOT NULL) THEN
        RAISE EXCEPTION 'etl.start_run: kind % with Airflow run id % is not a valid run', p_kind,
            coalesce(p_airflow_run_id, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'kind is load, run or rebuild (no Airflow run id), or dag (with one).';
    END IF;

    IF p_kind = 'dag' THEN
        SELECT r.run_id INTO v_run_id
        FROM etl.pipeline_run AS r
        WHERE r.airflow_dag_id = p_airflow_dag_id AND r.airflow_run_id = p_airflow_run_id;
        IF FOUND THEN
            PERFORM set_config('hub.run_id', v_run_id::text, FALSE);
            RETURN v_run_id;
        END IF;
    END IF;

    -- The hub is paused: record the run as paused (ended at once) and do nothing else.
    SELECT p.paused_by, p.paused_at, p.reason INTO v_pause FROM etl.hub_pause AS p;
    IF FOUND THEN
        INSERT INTO etl.pipeline_run (kind, state, finished_at, airflow_dag_id, airflow_run_id, error_message)
        VALUES (
            p_kind, 'paused', clock_timestamp(), p_airflow_dag_id, p_airflow_run_id,
            format(
                'the hub is paused (by %s at %s: %s); nothing was done', v_pause.paused_by,
                to_char(v_pause.paused_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"'),
                coalesce(v_pause.reason, 'no reason given')
            )
        )
        RETURNING run_id INTO v_run_id;
        INSERT INTO etl.pipeline_state_change (run_id, state, message)
        VALUES (v_run_id, 'paused', format('%s run started by %s while the hub is paused', p_kind, session_user));
        INSERT INTO etl.notification_outbox (run_id) VALUES (v_run_id);
        RETURN v_run_id;
    END IF;

    SELECT s.setting_value::numeric INTO v_wait
    FROM etl.setting AS s WHERE s.setting_name = 'lock_wait_seconds';
    v_deadline := clock_timestamp() + make_interval(secs => coalesce(v_wait, 0));

    LOOP
        -- Only one session at a time decides; it holds this lock until it commits, so
        -- the next one sees its new run.
        IF pg_try_advisory_xact_lock(72120003) THEN
            -- Runs whose session ended without ending them: the run and each of its steps
            -- not yet done are failed as abandoned, finished_at being when it was noticed;
            -- an abandoned run has ended, so its notification is queued like any other's.
            v_now := clock_timestamp();
            WITH abandoned AS (
                UPDATE etl.pipeline_run AS r
                SET state = 'failed', finished_at = v_now,
                    error_message = coalesce(r.error_message || '; ', '') || v_abandoned
                WHERE r.state IN ('pending', 'running', 'retrying')
                    AND r.holder_pid IS NOT NULL
                    AND NOT EXISTS (
                        SELECT 1 FROM pg_catalog.pg_locks AS l
                        WHERE l.locktype = 'advisory' AND l.classid = 72120004
                            AND l.objid = r.run_id::oid AND l.objsubid = 2 AND l.granted
                    )
                RETURNING r.run_id
            ),

            steps AS (
                UPDATE etl.pipeline_run_step AS s
                SET state = 'failed', finished_at = v_now, message = v_abandoned
                FROM abandoned AS a
                WHERE s.run_id = a.run_id AND s.state IN ('pending', 'running', 'retrying')
                RETURNING s.run_id, s.step_order
            ),

            queued AS (
                INSERT INTO etl.notification_outbox AS o (run_id)
                SELECT a.run_id FROM abandoned AS a
                ON CONFLICT (run_id) DO UPDATE
                    SET queued_at = clock_timestamp(), claimed_at = NULL, claimed_by = NULL
            )

            INSERT INTO etl.pipeline_state_change (run_id, step_order, state, message)
            SELECT a.run_id, NULL, 'failed', v_abandoned FROM abandoned AS a
            UNION ALL
            SELECT st.run_id, st.step_order, 'failed', v_abandoned FROM steps AS st;

            v_in_the_way := NULL;
            SELECT r.run_id, r.kind, r.started_at, r.airflow_run_id, r.state INTO v_busy
            FROM etl.pipeline_run AS r
            WHERE r.state IN ('pending', 'running', 'retrying')
            ORDER BY r.run_id
            LIMIT 1;
            EXIT WHEN NOT FOUND;
            v_in_the_way := format(
                'run %s (%s, %s, started %s)', v_busy.run_id, v_busy.kind, v_busy.state, v_busy.started_at
            );
        ELSE
            -- Another session is deciding and has not committed yet (or holds the lock
            -- in a transaction it keeps open): its run is not visible yet.
            SELECT format('a run that session %s is opening (it has not committed yet)', l.pid)
            INTO v_in_the_way
            FROM pg_catalog.pg_locks AS l
            WHERE l.locktype = 'advisory' AND l.classid = 0 AND l.objid = 72120003
                AND l.objsubid = 1 AND l.granted
            LIMIT 1;
            v_in_the_way := coalesce(v_in_the_way, 'a run that another session is opening');
        END IF;
        IF clock_timestamp() >= v_deadline THEN
            RAISE EXCEPTION 'another run is still in progress after waiting % s: %',
                coalesce(v_wait, 0), v_in_the_way
                USING ERRCODE = 'lock_not_available',
                    HINT = 'Wait for it to finish (SELECT * FROM reporting.pipeline_runs). If it died, '
                    'end it with SELECT etl.finish_run(<run_id>, ''failed'', ''abandoned'').';
        END IF;
        PERFORM pg_sleep(0.2);
    END LOOP;

    INSERT INTO etl.pipeline_run (kind, airflow_dag_id, airflow_run_id, holder_pid)
    VALUES (
        p_kind, p_airflow_dag_id, p_airflow_run_id,
        CASE WHEN p_kind <> 'dag' THEN pg_backend_pid() END
    )
    RETURNING run_id INTO v_run_id;

    IF p_kind <> 'dag' THEN
        PERFORM pg_advisory_lock(72120004, v_run_id::integer);
    END IF;

    IF p_kind IN ('run', 'dag', 'rebuild') THEN
        INSERT INTO etl.pipeline_run_step (run_id, step_order, routine_schema, routine_name)
        SELECT v_run_id, s.step_order, s.routine_schema, s.routine_name
        FROM etl.pipeline_step AS s;
    END IF;

    INSERT INTO etl.pipeline_state_change (run_id, state, message)
    VALUES (v_run_id, 'running', format('%s run started by %s', p_kind, session_user));

    PERFORM set_config('hub.run_id', v_run_id::text, FALSE);
    RETURN v_run_id;
END;
$$;

COMMENT ON FUNCTION etl.start_run(text, text, text) IS
'Opens a run (load, run, dag or rebuild) once no other run is in progress (waits '
'lock_wait_seconds); returns its id and sets hub.run_id. While paused: a paused run.';

GRANT EXECUTE ON FUNCTION etl.start_run(text, text, text) TO hub_etl;
