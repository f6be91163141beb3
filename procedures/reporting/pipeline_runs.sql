CREATE OR REPLACE VIEW reporting.pipeline_runs AS
/*
 * Every invocation with its state, what it loaded and which checks did not pass.
 * rows_loaded counts the accepted rows of the batches the invocation registered (0 when
 * every file had been loaded before).
 */
WITH batches AS (
    SELECT
        b.run_id,
        count(*) AS batches,
        sum(b.records_accepted) AS rows_loaded,
        sum(b.records_rejected) AS rows_rejected,
        sum(b.records_pending) AS rows_pending
    FROM etl.batch AS b
    WHERE b.run_id IS NOT NULL
    GROUP BY b.run_id
),

checks AS (
    SELECT
        d.run_id,
        count(*) FILTER (WHERE NOT d.passed AND d.severity = 'error') AS failed_error_checks,
        count(*) FILTER (WHERE NOT d.passed AND d.severity = 'warning') AS failed_warning_checks,
        string_agg(format('%s (%s)', d.check_name, d.severity), ', ' ORDER BY d.severity, d.check_name)
        FILTER (WHERE NOT d.passed) AS failed_checks
    FROM etl.dq_result AS d
    WHERE d.run_id IS NOT NULL
    GROUP BY d.run_id
)

SELECT
    r.run_id,
    r.kind,
    r.state,
    r.started_at,
    r.finished_at,
    round(extract(EPOCH FROM coalesce(r.finished_at, clock_timestamp()) - r.started_at)::numeric, 1)
        AS duration_s,
    coalesce(b.batches, 0) AS batches,
    coalesce(b.rows_loaded, 0) AS rows_loaded,
    coalesce(b.rows_rejected, 0) AS rows_rejected,
    coalesce(b.rows_pending, 0) AS rows_pending,
    coalesce(c.failed_error_checks, 0) AS failed_error_checks,
    coalesce(c.failed_warning_checks, 0) AS failed_warning_checks,
    c.failed_checks,
    r.failed_step,
    r.error_message,
    r.airflow_dag_id,
    r.airflow_run_id,
    r.started_by,
    r.notified_at,
    r.notified_via
FROM etl.pipeline_run AS r
LEFT JOIN batches AS b
    ON r.run_id = b.run_id
LEFT JOIN checks AS c
    ON r.run_id = c.run_id;

COMMENT ON VIEW reporting.pipeline_runs IS
'One row per invocation: scripts/hub load (kind load), scripts/hub run or CALL '
'etl.run_pipeline() (run; a run DIR covers its loads), an Airflow DAG run (dag). '
'Grain: one row per run.';
COMMENT ON COLUMN reporting.pipeline_runs.run_id IS 'Run id (etl.pipeline_run).';
COMMENT ON COLUMN reporting.pipeline_runs.kind IS 'load, run or dag.';
COMMENT ON COLUMN reporting.pipeline_runs.state IS
'pending, running, success, failed or retrying (paused is Airflow''s own and shows there).';
COMMENT ON COLUMN reporting.pipeline_runs.started_at IS 'When the run was opened.';
COMMENT ON COLUMN reporting.pipeline_runs.finished_at IS 'When it ended as success or failed; NULL while open.';
COMMENT ON COLUMN reporting.pipeline_runs.duration_s IS 'Seconds from start to end (to now while open).';
COMMENT ON COLUMN reporting.pipeline_runs.batches IS 'Files the run registered as batches.';
COMMENT ON COLUMN reporting.pipeline_runs.rows_loaded IS
'Accepted rows of the batches the run registered (0 for content already loaded).';
COMMENT ON COLUMN reporting.pipeline_runs.rows_rejected IS 'Rejected rows of those batches (etl.rejected_row).';
COMMENT ON COLUMN reporting.pipeline_runs.rows_pending IS 'Rows of those batches still pending.';
COMMENT ON COLUMN reporting.pipeline_runs.failed_error_checks IS 'Error-severity checks that failed.';
COMMENT ON COLUMN reporting.pipeline_runs.failed_warning_checks IS 'Warning-severity checks that failed.';
COMMENT ON COLUMN reporting.pipeline_runs.failed_checks IS
'Every check that did not pass, with its severity: "name (error), name (warning)"; NULL when all passed.';
COMMENT ON COLUMN reporting.pipeline_runs.failed_step IS 'The step that failed the run: "order schema.routine".';
COMMENT ON COLUMN reporting.pipeline_runs.error_message IS 'Why the run failed.';
COMMENT ON COLUMN reporting.pipeline_runs.airflow_dag_id IS 'The DAG, for a dag run.';
COMMENT ON COLUMN reporting.pipeline_runs.airflow_run_id IS 'Airflow''s run id, for a dag run.';
COMMENT ON COLUMN reporting.pipeline_runs.started_by IS 'Database user that opened the run.';
COMMENT ON COLUMN reporting.pipeline_runs.notified_at IS 'When the run''s notification was sent.';
COMMENT ON COLUMN reporting.pipeline_runs.notified_via IS 'Channels it went to: log, email, webhook.';

-- scripts/hub load and run (as hub_etl) print a run's outcome from this view.
GRANT SELECT ON reporting.pipeline_runs TO hub_etl;
